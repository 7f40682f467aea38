package supervisedb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/store"
	"github.com/qingdan/qingdan/internal/supervise"
)

// ruleRow is a row of supervise_rules: a body's own rule set.
type ruleRow struct {
	BodyID, Version int64
	Data            string
	UpdatedAt       int64
}

type ruleState struct {
	BodyID    int64           `json:"body_id"`
	Version   int64           `json:"version"`
	Data      json.RawMessage `json:"data"`
	UpdatedAt int64           `json:"updated_at"`
}

var ruleSets = store.Declare(store.Aggregate[ruleRow]{
	Table: "supervise_rules", ObjectType: "supervise_rules", Key: "body_id",
	Columns: []string{"data", "updated_at"},
	Fields:  func(r *ruleRow) []any { return []any{&r.BodyID, &r.Version, &r.Data, &r.UpdatedAt} },
	State: func(r *ruleRow) any {
		return ruleState{BodyID: r.BodyID, Version: r.Version, Data: json.RawMessage(r.Data), UpdatedAt: r.UpdatedAt}
	},
	Stale: func(r *ruleRow) error { return apperr.Stale("supervisedb.this_body_s_supervision_rules") },
})

// Rules is a body's own rule set as stored, with its version (0: none yet,
// the body inherits every rule).
type Rules struct {
	BodyID  int64
	Version int64
	Set     supervise.RuleSet
}

// OwnRules is the rule set body bodyID keeps itself.
func (s *Service) OwnRules(ctx context.Context, bodyID int64) (Rules, error) {
	r, err := ruleSets.Get(ctx, s.db, bodyID)
	var ae *apperr.Error
	if errors.As(err, &ae) && ae.Code == apperr.NotFound {
		return Rules{BodyID: bodyID}, nil
	}
	if err != nil {
		return Rules{}, err
	}
	var rs supervise.RuleSet
	if err := json.Unmarshal([]byte(r.Data), &rs); err != nil {
		return Rules{}, fmt.Errorf("supervisedb: rules of body %d: %w", bodyID, err)
	}
	return Rules{BodyID: bodyID, Version: r.Version, Set: rs}, nil
}

// SetRules replaces body bodyID's own rule set with the rule file data
// (S5, L10), based on version base (0: the body has none yet), as an
// audited event. A file with any mistake changes nothing and names every
// mistake by line and key. The set's version becomes the row's, so each
// card records the version of the rule that raised it. Supervisors and
// administrators set the rules of bodies within their jurisdiction.
func (s *Service) SetRules(ctx context.Context, p access.Principal, bodyID, base int64, data []byte) (Rules, error) {
	if !p.HasAny(access.RoleSupervisor, access.RoleAdmin) {
		return Rules{}, apperr.Forbiddenf("supervisedb.only_supervisors_and_administrators_change_supervision")
	}
	rs, err := supervise.Parse(data)
	if err != nil {
		return Rules{}, err
	}
	var out Rules
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		var path, code string
		err := tx.QueryRow(ctx, `SELECT path, code FROM bodies WHERE id = ? AND active`, bodyID).Scan(&path, &code)
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.Invalidf("body", "supervisedb.no_body_with_id", bodyID)
		}
		if err != nil {
			return fmt.Errorf("supervisedb: body %d: %w", bodyID, err)
		}
		if !p.Covers(path) {
			return apperr.Forbiddenf("supervisedb.that_body_is_outside_your_jurisdiction")
		}
		if rs.Region != "" && rs.Region != code {
			return apperr.Invalidf("region", "supervisedb.the_file_s_region_is_not", rs.Region, code)
		}
		rs.Region = code
		cur, err := ruleSets.Lock(ctx, tx, bodyID)
		var ae *apperr.Error
		exists := err == nil
		if err != nil && !(errors.As(err, &ae) && ae.Code == apperr.NotFound) {
			return err
		}
		if cur.Version != base {
			return apperr.Stale("supervisedb.this_body_s_supervision_rules")
		}
		rs.Version = int(base + 1)
		b, err := json.Marshal(rs)
		if err != nil {
			return fmt.Errorf("supervisedb: rules: %w", err)
		}
		row := ruleRow{BodyID: bodyID, Version: base, Data: string(b), UpdatedAt: store.Micros(s.now())}
		e := store.Event{Actor: p.Login, Action: "supervise.rules_set", BodyID: bodyID}
		if exists {
			err = ruleSets.Save(ctx, tx, &row, e)
		} else {
			err = ruleSets.Insert(ctx, tx, &row, e)
		}
		out = Rules{BodyID: bodyID, Version: row.Version, Set: rs}
		return err
	})
	if err != nil {
		return Rules{}, err
	}
	s.mu.Lock()
	s.rules = nil // sets below the body change too
	s.mu.Unlock()
	return out, nil
}

// rulesAt is the rules in force at the body at path: the shipped defaults,
// then the sets of the bodies from the root down to it (supervise.Merge).
func (s *Service) rulesAt(ctx context.Context, q store.Querier, path string) (supervise.Set, error) {
	s.mu.Lock()
	set, ok := s.rules[path]
	s.mu.Unlock()
	if ok {
		return set, nil
	}
	rows, err := q.Query(ctx, `SELECT b.path, r.data FROM supervise_rules r JOIN bodies b ON b.id = r.body_id`)
	if err != nil {
		return nil, fmt.Errorf("supervisedb: rule sets: %w", err)
	}
	defer rows.Close()
	type held struct {
		path string
		set  supervise.RuleSet
	}
	var chain []held
	for rows.Next() {
		var h held
		var data string
		if err := rows.Scan(&h.path, &data); err != nil {
			return nil, fmt.Errorf("supervisedb: rule sets: %w", err)
		}
		if !strings.HasPrefix(path, h.path) {
			continue
		}
		if err := json.Unmarshal([]byte(data), &h.set); err != nil {
			return nil, fmt.Errorf("supervisedb: rule set of %s: %w", h.path, err)
		}
		chain = append(chain, h)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	slices.SortFunc(chain, func(a, b held) int { return len(a.path) - len(b.path) })
	sets := []supervise.RuleSet{supervise.Defaults()}
	for _, h := range chain {
		sets = append(sets, h.set)
	}
	set = supervise.Merge(sets...)
	s.mu.Lock()
	if s.rules == nil {
		s.rules = map[string]supervise.Set{}
	}
	s.rules[path] = set
	s.mu.Unlock()
	return set, nil
}

// forgetRules drops the rules read, at the start of each sweep and batch,
// so other instances' rule changes count from the next one.
func (s *Service) forgetRules() {
	s.mu.Lock()
	s.rules = nil
	s.mu.Unlock()
}
