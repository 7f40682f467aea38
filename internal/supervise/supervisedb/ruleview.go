package supervisedb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/calendar"
	"github.com/qingdan/qingdan/internal/supervise"
)

// RulesView is what a body's rule page shows (S5, L10): the rules in
// force there, each with the body its set comes from ("" region: the
// shipped defaults), and the body's own set with its version, which an
// edit is based on.
type RulesView struct {
	BodyID   int64             `json:"body_id"`
	BodyPath string            `json:"body_path"`
	BodyName string            `json:"body_name"`
	InForce  []RuleInForce     `json:"in_force"`
	Own      supervise.RuleSet `json:"own"`
	Version  int64             `json:"version"` // the own set's; 0 while the body has none
	// Bodies are the bodies of the reader's jurisdiction, to choose from.
	Bodies []BodyRef `json:"bodies"`
}

// RuleInForce is a rule in force at a body, with where it comes from.
type RuleInForce struct {
	supervise.InForce
	From string `json:"from"` // the name of the body whose set put it there; "" for the shipped defaults
	Own  bool   `json:"own"`  // the body's own set put it there
}

// BodyRef names a body.
type BodyRef struct {
	ID   int64  `json:"id"`
	Path string `json:"path"`
	Name string `json:"name"`
}

// ruleReaders see rule sets: supervisors, administrators, leaders.
var ruleReaders = []access.Role{access.RoleSupervisor, access.RoleAdmin, access.RoleLeader}

// RulesOf is the rule view of body bodyID (0: p's own) for p.
func (s *Service) RulesOf(ctx context.Context, p access.Principal, bodyID int64) (RulesView, error) {
	var v RulesView
	if !p.HasAny(ruleReaders...) {
		return v, apperr.Forbiddenf("supervisedb.only_supervisors_leaders_and_administrators_see")
	}
	if bodyID == 0 {
		bodyID = p.BodyID
	}
	err := s.db.QueryRow(ctx, `SELECT id, path, name FROM bodies WHERE id = ?`, bodyID).Scan(&v.BodyID, &v.BodyPath, &v.BodyName)
	if errors.Is(err, sql.ErrNoRows) || err == nil && !p.Covers(v.BodyPath) {
		return v, apperr.NotFoundf("supervisedb.no_body_in_your_jurisdiction", bodyID)
	}
	if err != nil {
		return v, fmt.Errorf("supervisedb: body %d: %w", bodyID, err)
	}
	set, err := s.rulesAt(ctx, s.db, v.BodyPath)
	if err != nil {
		return v, err
	}
	own, err := s.OwnRules(ctx, bodyID)
	if err != nil {
		return v, err
	}
	v.Own, v.Version = own.Set, own.Version
	if v.Own.Rules == nil {
		v.Own.Rules = []supervise.Rule{}
	}
	names, err := s.names(ctx, `SELECT code, name FROM bodies WHERE ? LIKE path || '%'`, v.BodyPath)
	if err != nil {
		return v, err
	}
	var code string
	if err := s.db.QueryRow(ctx, `SELECT code FROM bodies WHERE id = ?`, bodyID).Scan(&code); err != nil {
		return v, fmt.Errorf("supervisedb: body %d: %w", bodyID, err)
	}
	for _, r := range set {
		v.InForce = append(v.InForce, RuleInForce{InForce: r, From: names[r.Region], Own: r.Region == code && own.Version > 0})
	}
	rows, err := s.db.Query(ctx, `SELECT id, path, name FROM bodies WHERE path LIKE ? AND active ORDER BY path`, p.BodyPath+"%")
	if err != nil {
		return v, fmt.Errorf("supervisedb: bodies: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var b BodyRef
		if err := rows.Scan(&b.ID, &b.Path, &b.Name); err != nil {
			return v, fmt.Errorf("supervisedb: bodies: %w", err)
		}
		v.Bodies = append(v.Bodies, b)
	}
	return v, rows.Err()
}

// RuleEdit is a change of one rule in a body's own set, from the rule
// page's form: the rule in force with this id, overridden at this body.
type RuleEdit struct {
	ID    string
	Off   bool            // switch the rule off here and below
	Level supervise.Level // reminder, yellow, red
	// Threshold of a time rule: before, after or share.
	Threshold string
	N         int
	Unit      calendar.Unit
	Share     float64
	Limit     int // the limit, in the rule's own unit, for a watch with none of its own (0: unchanged)
	Notify    []supervise.Audience
}

// EditRule overrides one rule at body bodyID: the rule in force there with
// edit's level, threshold, limit and audiences (or switched off) goes into
// the body's own set, based on version base — through SetRules, so the
// change is checked as a rule file is (every mistake named), audited and
// versioned.
func (s *Service) EditRule(ctx context.Context, p access.Principal, bodyID, base int64, edit RuleEdit) (Rules, error) {
	v, err := s.RulesOf(ctx, p, bodyID)
	if err != nil {
		return Rules{}, err
	}
	i := slices.IndexFunc(v.InForce, func(r RuleInForce) bool { return r.ID == edit.ID })
	j := slices.IndexFunc(v.Own.Rules, func(r supervise.Rule) bool { return r.ID == edit.ID })
	if i < 0 && j < 0 {
		return Rules{}, apperr.Invalidf("id", "supervisedb.no_rule_here", edit.ID)
	}
	var r supervise.Rule
	if edit.Off {
		r = supervise.Rule{ID: edit.ID, Off: true}
	} else {
		if i >= 0 {
			r = v.InForce[i].Rule
		} else {
			r = v.Own.Rules[j]
		}
		r.Off, r.Level, r.Notify = false, edit.Level, edit.Notify
		if r.Watch.IsTime() {
			r.When = supervise.When{}
			switch edit.Threshold {
			case "before":
				r.Before = &calendar.Budget{N: edit.N, Unit: edit.Unit}
			case "after":
				r.After = &calendar.Budget{N: edit.N, Unit: edit.Unit}
			case "share":
				r.Share = edit.Share
			default:
				return Rules{}, apperr.Invalidf("threshold", "supervisedb.choose_the_threshold_before_after_or")
			}
		}
		if edit.Limit > 0 && r.Limit.N > 0 {
			r.Limit.N = edit.Limit
		}
	}
	own := v.Own
	own.Region, own.Version = "", int(v.Version+1)
	own.Rules = slices.Clone(own.Rules)
	if j >= 0 {
		own.Rules[j] = r
	} else {
		own.Rules = append(own.Rules, r)
	}
	data, err := json.Marshal(own)
	if err != nil {
		return Rules{}, fmt.Errorf("supervisedb: rules: %w", err)
	}
	return s.SetRules(ctx, p, v.BodyID, base, data)
}

// BodyPath is the path of body id, for a route's jurisdiction.
func (s *Service) BodyPath(ctx context.Context, id int64) (string, error) {
	var path string
	err := s.db.QueryRow(ctx, `SELECT path FROM bodies WHERE id = ?`, id).Scan(&path)
	if errors.Is(err, sql.ErrNoRows) {
		return "", apperr.NotFoundf("supervisedb.no_body", id)
	}
	if err != nil {
		return "", fmt.Errorf("supervisedb: body %d: %w", id, err)
	}
	return path, nil
}
