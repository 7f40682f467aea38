package ratingdb

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/casework"
	"github.com/qingdan/qingdan/internal/casework/caseworkdb"
	"github.com/qingdan/qingdan/internal/flow"
	"github.com/qingdan/qingdan/internal/notify"
	"github.com/qingdan/qingdan/internal/notify/notifydb"
	"github.com/qingdan/qingdan/internal/rating"
	"github.com/qingdan/qingdan/internal/store"
)

// Filter selects ratings for staff. Zero fields do not filter.
type Filter struct {
	Bad      bool   // bad reviews only
	Callback string // a callback state; "due": open, called or verified
	Appeal   string // pending, upheld or rejected
	Limit    int    // default and at most 200
}

// List is the ratings in p's jurisdiction, newest first; a unit's staff
// (neither general office, supervisor nor leader) see their own unit's.
func (s *Service) List(ctx context.Context, p access.Principal, f Filter) ([]rating.Rating, error) {
	if p.Anonymous() {
		return nil, apperr.Forbiddenf("ratingdb.staff_only")
	}
	q := ratingSelect + ` WHERE body_path LIKE ?`
	args := []any{likePrefix(p.BodyPath)}
	if !p.Has(access.RoleGeneralOffice) && !p.Has(access.RoleSupervisor) && !p.Has(access.RoleLeader) &&
		!p.Has(access.RoleAdmin) && !p.Has(access.RoleExternalSupervisor) {
		code := ""
		if p.UnitID != 0 {
			c, err := s.cases.UnitCode(ctx, p.UnitID)
			if err != nil {
				return nil, err
			}
			code = c
		}
		q += ` AND body_path = ? AND unit = ?`
		args = append(args, p.BodyPath, code)
	}
	if f.Bad {
		q += ` AND level <= ?`
		args = append(args, int64(rating.Dissatisfied))
	}
	switch f.Callback {
	case "":
	case "due":
		q += ` AND callback IN ('open', 'called', 'verified')`
	default:
		if !knownCallback(f.Callback) {
			return nil, apperr.Invalidf("callback", "ratingdb.unknown_callback_state")
		}
		q += ` AND callback = ?`
		args = append(args, f.Callback)
	}
	switch f.Appeal {
	case "":
	case "pending", "upheld", "rejected":
		q += ` AND appeal = ?`
		args = append(args, f.Appeal)
	default:
		return nil, apperr.Invalidf("appeal", "ratingdb.unknown_appeal_state")
	}
	limit := f.Limit
	if limit <= 0 || limit > 200 {
		limit = 200
	}
	q += fmt.Sprintf(` ORDER BY rated_at DESC, id DESC LIMIT %d`, limit)
	rows, err := s.db.Query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []rating.Rating
	for rows.Next() {
		var row ratingRow
		if err := rows.Scan(ratings.Fields(&row)...); err != nil {
			return nil, err
		}
		r, err := ratingOf(row)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

func knownCallback(s string) bool {
	for _, c := range rating.CallbackStates {
		if string(c) == s {
			return true
		}
	}
	return false
}

// likePrefix is the LIKE pattern of paths under path (paths are digits and
// slashes: nothing to escape).
func likePrefix(path string) string { return path + "%" }

// Stats are the published tallies of the body at path and the bodies
// below it: per unit, and per item of each unit, counted ratings only.
type Stats struct {
	Units []rating.Tally `json:"units"`
	Items []rating.Tally `json:"items"`
	All   rating.Tally   `json:"all"`
}

// Stats counts the ratings of the bodies under path (public: no personal
// data, unit and item names as the ratings recorded them).
func (s *Service) Stats(ctx context.Context, path string) (Stats, error) {
	rows, err := s.db.Query(ctx, `SELECT unit, item_code, level, count(*) FROM ratings WHERE body_path LIKE ? AND status = ?
		GROUP BY unit, item_code, level ORDER BY unit, item_code, level`, likePrefix(path), string(rating.Counted))
	if err != nil {
		return Stats{}, err
	}
	defer rows.Close()
	var out Stats
	units, items := map[string]int{}, map[string]int{}
	for rows.Next() {
		var unit, item string
		var level int64
		var n int
		if err := rows.Scan(&unit, &item, &level, &n); err != nil {
			return Stats{}, err
		}
		l := rating.Level(level)
		ui, ok := units[unit]
		if !ok {
			ui = len(out.Units)
			units[unit] = ui
			out.Units = append(out.Units, rating.Tally{Unit: rating.Unit{Code: unit}})
		}
		out.Units[ui].Add(l, n)
		ii, ok := items[unit+"\x00"+item]
		if !ok {
			ii = len(out.Items)
			items[unit+"\x00"+item] = ii
			out.Items = append(out.Items, rating.Tally{Unit: rating.Unit{Code: unit}, Item: rating.Item{Code: item}})
		}
		out.Items[ii].Add(l, n)
		out.All.Add(l, n)
	}
	if err := rows.Err(); err != nil {
		return Stats{}, err
	}
	return out, s.names(ctx, path, &out)
}

// names fills in the unit and item names from the latest rating of each.
func (s *Service) names(ctx context.Context, path string, st *Stats) error {
	rows, err := s.db.Query(ctx, `SELECT data FROM ratings WHERE id IN (SELECT max(id) FROM ratings WHERE body_path LIKE ? GROUP BY unit, item_code)`,
		likePrefix(path))
	if err != nil {
		return err
	}
	defer rows.Close()
	units, items := map[string]string{}, map[string]string{}
	for rows.Next() {
		var data string
		if err := rows.Scan(&data); err != nil {
			return err
		}
		var r rating.Rating
		if err := json.Unmarshal([]byte(data), &r); err != nil {
			return err
		}
		units[r.Unit.Code], items[r.Unit.Code+"\x00"+r.Item.Code] = r.Unit.Name, r.Item.Name
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for i := range st.Units {
		st.Units[i].Unit.Name = units[st.Units[i].Unit.Code]
	}
	for i := range st.Items {
		st.Items[i].Unit.Name = units[st.Items[i].Unit.Code]
		st.Items[i].Item.Name = items[st.Items[i].Unit.Code+"\x00"+st.Items[i].Item.Code]
	}
	return nil
}

// Recent are the latest counted ratings with a comment under path, as the
// public sees them (masked, L7, O4), at most n.
func (s *Service) Recent(ctx context.Context, path string, n int) ([]rating.Public, error) {
	if n <= 0 || n > 50 {
		n = 50
	}
	rows, err := s.db.Query(ctx, fmt.Sprintf(`SELECT data FROM ratings WHERE body_path LIKE ? AND status = ? ORDER BY rated_at DESC, id DESC LIMIT %d`, n),
		likePrefix(path), string(rating.Counted))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []rating.Public
	for rows.Next() {
		var data string
		if err := rows.Scan(&data); err != nil {
			return nil, err
		}
		var r rating.Rating
		if err := json.Unmarshal([]byte(data), &r); err != nil {
			return nil, err
		}
		if r.Comment != "" {
			out = append(out, rating.PublicOf(r))
		}
	}
	return out, rows.Err()
}

// InviteWithin is how long after a case's completion its rating link is
// still sent.
const InviteWithin = 24 * time.Hour

// InviteConsumer sends every applicant whose case completes the secret
// rating link (L8: the link in the completion message), by SMS through
// the outbox, in the write that moves the consumer. publicURL is the
// portal's address ("https://zwfw.example.gov.cn").
func (s *Service) InviteConsumer(publicURL string) store.Consumer {
	base := strings.TrimRight(publicURL, "/")
	return store.Consumer{Name: "rating-invite", Handle: func(ctx context.Context, tx *store.Tx, events []store.Event) error {
		for _, e := range events {
			if e.ObjectType != caseworkdb.ObjectCase {
				continue
			}
			var ce casework.Event
			if err := json.Unmarshal(e.Payload, &ce); err != nil {
				return fmt.Errorf("ratingdb: event %d: %w", e.Seq, err)
			}
			if ce.Status != flow.Completed || s.now().Sub(ce.At) > InviteWithin {
				// A case completed long ago (a consumer started on an old
				// database, or far behind) is not texted out of the blue.
				continue
			}
			sv, err := s.cases.Supervised(ctx, tx, e.RootID)
			if err != nil {
				return err
			}
			token, err := Invite(ctx, tx, sv.Case, s.now())
			if err != nil {
				return err
			}
			if token == "" || sv.Case.Applicant.Phone == "" {
				continue // invited before (a batch run again), or no phone: the portal's page still rates it
			}
			m := notify.Text(sv.Case.Applicant.Phone, "您的办件 "+sv.Case.Number+" 已办结，欢迎评价（好差评）："+base+"/portal/rate/"+token)
			m.BodyID, m.RootType, m.RootID, m.Cause = sv.Case.Body.ID, caseworkdb.ObjectCase, sv.Case.Number, "rating.invited"
			m.DedupKey = "rating.invited:" + sv.Case.Number
			if err := notifydb.Enqueue(ctx, tx, m); err != nil {
				return err
			}
		}
		return nil
	}}
}

// RunInviteConsumer runs InviteConsumer until ctx ends.
func (s *Service) RunInviteConsumer(ctx context.Context, publicURL string) error {
	return s.db.Consume(ctx, s.InviteConsumer(publicURL))
}
