package caseworkdb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/casework"
	"github.com/qingdan/qingdan/internal/store"
)

// A/B posts (AB岗, H13): each staff member may have a named backup, and
// may be marked away. While a case's first responder is away, their
// backup may act on the case's window steps (casework's authorise); the
// event says the backup acted as such. A staff member marks themselves
// away and back; the head of their unit, or an administrator of their
// body, names their backup and may mark them away too.

// postRow is a row of ab_posts.
type postRow struct {
	StaffID   int64  `json:"staff_id"`
	Version   int64  `json:"version"`
	BodyPath  string `json:"body_path"`
	BackupID  int64  `json:"backup_id"`
	AwaySince int64  `json:"away_since"`
	UpdatedAt int64  `json:"updated_at"`
}

var posts = store.Declare(store.Aggregate[postRow]{
	Table: "ab_posts", ObjectType: "ab_post", Key: "staff_id",
	Columns: []string{"body_path", "backup_id", "away_since", "updated_at"},
	Fields: func(r *postRow) []any {
		return []any{&r.StaffID, &r.Version, &r.BodyPath, &r.BackupID, &r.AwaySince, &r.UpdatedAt}
	},
	State: func(r *postRow) any { return r },
	Stale: func(r *postRow) error { return apperr.Stale("caseworkdb.the_a_b_post") },
})

// Post is a staff member's A/B post as pages show it.
type Post struct {
	Staff  casework.Staff `json:"staff"`
	Unit   string         `json:"unit"` // the unit's name
	Backup casework.Staff `json:"backup,omitzero"`
	// AwaySince is when the staff member was marked away (zero: present).
	AwaySince time.Time `json:"away_since,omitzero"`
	// Version of the post (0: never set), for the edit's check.
	Version int64 `json:"version"`
	// Candidates are who may be named the backup: the active staff of the
	// same body (filled for those who may name one).
	Candidates []casework.Staff `json:"candidates,omitempty"`
	// CanName: the reader may name the backup (a head, an administrator).
	CanName bool `json:"can_name"`
}

// Away reports whether the staff member is marked away.
func (p Post) Away() bool { return !p.AwaySince.IsZero() }

// staffFacts are what the A/B checks read of a staff member.
type staffFacts struct {
	ID, BodyID, UnitID int64
	BodyPath, Name     string
	Login, UnitName    string
	Head, Active       bool
}

func readStaff(ctx context.Context, q store.Querier, id int64) (staffFacts, error) {
	var f staffFacts
	var unit sql.NullInt64
	var login, unitName sql.NullString
	err := q.QueryRow(ctx, `SELECT s.id, s.body_id, s.unit_id, b.path, s.name, a.login, u.name, s.is_head, s.active
		FROM staff s JOIN bodies b ON b.id = s.body_id LEFT JOIN accounts a ON a.staff_id = s.id LEFT JOIN units u ON u.id = s.unit_id
		WHERE s.id = ?`, id).Scan(&f.ID, &f.BodyID, &unit, &f.BodyPath, &f.Name, &login, &unitName, &f.Head, &f.Active)
	if errors.Is(err, sql.ErrNoRows) {
		return f, apperr.New(apperr.NotFound, "staff", "caseworkdb.no_staff_member", id)
	}
	if err != nil {
		return f, fmt.Errorf("caseworkdb: staff %d: %w", id, err)
	}
	f.UnitID, f.Login, f.UnitName = unit.Int64, login.String, unitName.String
	return f, nil
}

func (f staffFacts) staff() casework.Staff {
	return casework.Staff{ID: f.ID, Login: f.Login, Name: f.Name}
}

// mayName reports whether p may name st's backup: the head of st's unit,
// or an administrator whose jurisdiction covers st's body.
func mayName(p access.Principal, me, st staffFacts) bool {
	if p.Has(access.RoleAdmin) && p.Covers(st.BodyPath) {
		return true
	}
	return me.Head && me.Active && me.UnitID != 0 && me.UnitID == st.UnitID
}

// postOf reads staff member id's A/B post (the zero row when never set).
func postOf(ctx context.Context, q store.Querier, id int64) (postRow, error) {
	r, err := posts.Get(ctx, q, id)
	if apperr.CodeOf(err) == apperr.NotFound {
		return postRow{StaffID: id}, nil
	}
	return r, err
}

// ABPost is staff member staffID's A/B post, for p: the staff member
// themselves, the head of their unit, or an administrator of their body.
func (s *Service) ABPost(ctx context.Context, p access.Principal, staffID int64) (Post, error) {
	if p.Anonymous() || p.StaffID == 0 {
		return Post{}, errStaffOnly()
	}
	st, err := readStaff(ctx, s.db, staffID)
	if err != nil {
		return Post{}, err
	}
	me, err := readStaff(ctx, s.db, p.StaffID)
	if err != nil {
		return Post{}, err
	}
	canName := mayName(p, me, st)
	if staffID != p.StaffID && !canName {
		return Post{}, errPostNotYours(st.Name)
	}
	return s.post(ctx, st, canName)
}

func (s *Service) post(ctx context.Context, st staffFacts, canName bool) (Post, error) {
	r, err := postOf(ctx, s.db, st.ID)
	if err != nil {
		return Post{}, err
	}
	out := Post{Staff: st.staff(), Unit: st.UnitName, Version: r.Version, CanName: canName}
	if r.AwaySince != 0 {
		out.AwaySince = store.FromMicros(r.AwaySince)
	}
	if r.BackupID != 0 {
		b, err := readStaff(ctx, s.db, r.BackupID)
		if err != nil {
			return Post{}, err
		}
		out.Backup = b.staff()
	}
	if canName {
		rows, err := s.db.Query(ctx, `SELECT s.id, COALESCE(a.login, ''), s.name FROM staff s LEFT JOIN accounts a ON a.staff_id = s.id
			WHERE s.body_id = ? AND s.active AND s.id <> ? ORDER BY s.unit_id, s.id`, st.BodyID, st.ID)
		if err != nil {
			return Post{}, fmt.Errorf("caseworkdb: backup candidates: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var c casework.Staff
			if err := rows.Scan(&c.ID, &c.Login, &c.Name); err != nil {
				return Post{}, err
			}
			out.Candidates = append(out.Candidates, c)
		}
		if err := rows.Err(); err != nil {
			return Post{}, err
		}
	}
	return out, nil
}

// UnitPosts are the A/B posts p looks after: their own, and as the head
// of a unit those of the unit's active staff.
func (s *Service) UnitPosts(ctx context.Context, p access.Principal) ([]Post, error) {
	if p.Anonymous() || p.StaffID == 0 {
		return nil, errStaffOnly()
	}
	me, err := readStaff(ctx, s.db, p.StaffID)
	if err != nil {
		return nil, err
	}
	ids := []int64{me.ID}
	if me.Head && me.UnitID != 0 {
		rows, err := s.db.Query(ctx, `SELECT id FROM staff WHERE unit_id = ? AND active AND id <> ? ORDER BY id`, me.UnitID, me.ID)
		if err != nil {
			return nil, fmt.Errorf("caseworkdb: unit staff: %w", err)
		}
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close() //nolint:errcheck // the scan's error is the one to report
				return nil, err
			}
			ids = append(ids, id)
		}
		if err := rows.Err(); err != nil {
			return nil, err
		}
		if err := rows.Close(); err != nil {
			return nil, err
		}
	}
	out := make([]Post, 0, len(ids))
	for _, id := range ids {
		st, err := readStaff(ctx, s.db, id)
		if err != nil {
			return nil, err
		}
		pt, err := s.post(ctx, st, mayName(p, me, st))
		if err != nil {
			return nil, err
		}
		out = append(out, pt)
	}
	return out, nil
}

// PostChange is an edit of an A/B post.
type PostChange struct {
	// Away marks the staff member away (true) or back (false).
	Away bool `json:"away"`
	// Backup, when not nil, names the backup (0: none); only a head of the
	// staff member's unit or an administrator of their body may.
	Backup *int64 `json:"backup,omitempty"`
}

// SetABPost changes staff member staffID's A/B post (audited,
// "ab_post.changed"); basedOn is the post's version the form showed (0:
// never set).
func (s *Service) SetABPost(ctx context.Context, p access.Principal, staffID int64, ch PostChange, basedOn int64) error {
	if p.Anonymous() || p.StaffID == 0 {
		return errStaffOnly()
	}
	st, err := readStaff(ctx, s.db, staffID)
	if err != nil {
		return err
	}
	me, err := readStaff(ctx, s.db, p.StaffID)
	if err != nil {
		return err
	}
	canName := mayName(p, me, st)
	if staffID != p.StaffID && !canName {
		return errPostNotYours(st.Name)
	}
	if ch.Backup != nil {
		if !canName {
			return apperr.Forbiddenf("caseworkdb.the_backup_is_named_by_the")
		}
		if *ch.Backup == staffID {
			return apperr.Invalidf("backup", "caseworkdb.one_cannot_be_one_s_own")
		}
		if *ch.Backup != 0 {
			b, err := readStaff(ctx, s.db, *ch.Backup)
			if apperr.CodeOf(err) == apperr.NotFound || err == nil && (!b.Active || b.BodyID != st.BodyID) {
				return apperr.Invalidf("backup", "caseworkdb.the_backup_must_be_an_active")
			}
			if err != nil {
				return err
			}
		}
	}
	now := store.Micros(s.now())
	return s.db.Write(ctx, func(tx *store.Tx) error {
		ev := store.Event{Actor: p.Login, Action: "ab_post.changed", BodyID: st.BodyID}
		r, err := posts.Lock(ctx, tx, staffID)
		fresh := apperr.CodeOf(err) == apperr.NotFound
		if err != nil && !fresh {
			return err
		}
		if fresh {
			r = postRow{StaffID: staffID, BodyPath: st.BodyPath}
		}
		if r.Version != basedOn {
			return posts.Stale(&r)
		}
		switch {
		case ch.Away && r.AwaySince == 0:
			r.AwaySince = now
		case !ch.Away:
			r.AwaySince = 0
		}
		if ch.Backup != nil {
			r.BackupID = *ch.Backup
		}
		r.UpdatedAt = now
		if fresh {
			return posts.Insert(ctx, tx, &r, ev)
		}
		return posts.Save(ctx, tx, &r, ev)
	})
}

// OwnerCover is what acting on a case asks of its first responder's A/B
// post: whether they are away, and their backup now (the case page shows
// both).
func (s *Service) OwnerCover(ctx context.Context, owner int64) (bool, casework.Staff, error) {
	if owner == 0 {
		return false, casework.Staff{}, nil
	}
	r, err := postOf(ctx, s.db, owner)
	if err != nil || r.BackupID == 0 {
		return r.AwaySince != 0, casework.Staff{}, err
	}
	b, err := readStaff(ctx, s.db, r.BackupID)
	if err != nil {
		return false, casework.Staff{}, err
	}
	return r.AwaySince != 0, b.staff(), nil
}

func errPostNotYours(name string) error {
	return apperr.Forbiddenf("caseworkdb.only_the_head_of_their_unit", clip(name))
}

// DemoPosts names the demo's A/B pairs (H13): in each unit, its active
// staff in order of id are paired, each the other's backup (an odd one out
// is backed by the unit's first). Nobody is marked away. It does nothing
// when an A/B post exists. Audited like any change, as "demo".
func (s *Service) DemoPosts(ctx context.Context) (int, error) {
	var have int
	if err := s.db.QueryRow(ctx, `SELECT COUNT(*) FROM ab_posts`).Scan(&have); err != nil {
		return 0, err
	}
	if have > 0 {
		return 0, nil
	}
	rows, err := s.db.Query(ctx, `SELECT s.id, s.unit_id, s.body_id, b.path FROM staff s JOIN bodies b ON b.id = s.body_id
		WHERE s.active AND s.unit_id IS NOT NULL ORDER BY s.unit_id, s.id`)
	if err != nil {
		return 0, fmt.Errorf("caseworkdb: demo posts: %w", err)
	}
	type member struct {
		id, unit, body int64
		path           string
	}
	var all []member
	for rows.Next() {
		var m member
		if err := rows.Scan(&m.id, &m.unit, &m.body, &m.path); err != nil {
			rows.Close() //nolint:errcheck // the scan's error is the one to report
			return 0, err
		}
		all = append(all, m)
	}
	if err := rows.Err(); err != nil {
		return 0, err
	}
	if err := rows.Close(); err != nil {
		return 0, err
	}
	var out []postRow
	var bodies []int64
	now := store.Micros(s.now())
	for i := 0; i < len(all); {
		j := i
		for j < len(all) && all[j].unit == all[i].unit {
			j++
		}
		unit := all[i:j]
		for k := 0; k+1 < len(unit); k += 2 {
			a, b := unit[k], unit[k+1]
			out = append(out, postRow{StaffID: a.id, BodyPath: a.path, BackupID: b.id, UpdatedAt: now},
				postRow{StaffID: b.id, BodyPath: b.path, BackupID: a.id, UpdatedAt: now})
			bodies = append(bodies, a.body, b.body)
		}
		if len(unit) > 2 && len(unit)%2 == 1 {
			last := unit[len(unit)-1]
			out = append(out, postRow{StaffID: last.id, BodyPath: last.path, BackupID: unit[0].id, UpdatedAt: now})
			bodies = append(bodies, last.body)
		}
		i = j
	}
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		for i := range out {
			r := out[i]
			if err := posts.Insert(ctx, tx, &r, store.Event{Actor: "demo", Action: "ab_post.changed", BodyID: bodies[i]}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return len(out), nil
}
