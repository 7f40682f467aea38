package auth

import (
	"context"
	"encoding/json"

	"github.com/qingdan/qingdan/internal/store"
)

// Accounts and API tokens are audited tables: `qingdan verify` compares each
// row with the State of its object's last event, so an account unlocked or a
// token un-revoked behind the application's back is named. Sessions are not:
// they are short-lived and their touches are deliberately not events; their
// creation and end are events on the "session" object without a state.
func init() {
	store.RegisterAudited(store.AuditedTable{ObjectType: "account", Table: "accounts",
		Snapshot: func(ctx context.Context, q store.Querier, yield func(string, json.RawMessage) error) error {
			rows, err := q.Query(ctx, `SELECT `+accountCols+` FROM accounts ORDER BY id`)
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				a, err := scanAccount(rows, nil)
				if err != nil {
					return err
				}
				if err := yield(idStr(a.ID), accountState(a)); err != nil {
					return err
				}
			}
			return rows.Err()
		}})
	store.RegisterAudited(store.AuditedTable{ObjectType: "api_token", Table: "api_tokens",
		Snapshot: func(ctx context.Context, q store.Querier, yield func(string, json.RawMessage) error) error {
			rows, err := q.Query(ctx, `SELECT `+tokenCols+` FROM api_tokens ORDER BY id`)
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				t, err := scanToken(rows)
				if err != nil {
					return err
				}
				if err := yield(idStr(t.ID), tokenState(t)); err != nil {
					return err
				}
			}
			return rows.Err()
		}})
}
