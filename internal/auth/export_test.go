package auth

import (
	"context"
	"encoding/json"

	"github.com/qingdan/qingdan/internal/store"
)

// LegacyAccountState and LegacyTokenState render a stored row as versions
// before credential digests audited it, so a test can leave the events an
// old database has.
func LegacyAccountState(ctx context.Context, q store.Querier, id int64) (json.RawMessage, error) {
	a, _, err := getAccount(ctx, q, `id = ?`, id)
	return legacyAccountState(a), err
}

func LegacyTokenState(ctx context.Context, q store.Querier, id int64) (json.RawMessage, error) {
	t, err := scanToken(q.QueryRow(ctx, `SELECT `+tokenCols+` FROM api_tokens WHERE id = ?`, id))
	return legacyTokenState(t), err
}

// CurrentState renders an account's or token's row as its State now, as
// the aggregate does (without a version while it is 0).
func CurrentState(ctx context.Context, q store.Querier, objectType string, id int64) (json.RawMessage, error) {
	if objectType == "account" {
		return accounts.StateOf(ctx, q, id)
	}
	return tokens.StateOf(ctx, q, id)
}
