package catdb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/calendar"
	"github.com/qingdan/qingdan/internal/catalog"
	"github.com/qingdan/qingdan/internal/store"
)

// Calendars gives the working-day calendar a body counts in;
// *caldb.Service is one. Without it the embedded national calendar in the
// body's time zone is used.
type Calendars interface {
	Calendar(ctx context.Context, bodyID int64) (*calendar.Calendar, error)
}

// Indexer is called inside the publication transaction for every version
// published, so the public search never disagrees with the list. The portal's
// catsearch provides it; the binary wires it with SetIndexer.
type Indexer func(ctx context.Context, tx *store.Tx, v Version) error

// Service stores the list and runs its procedures. Methods taking a
// principal refuse what its roles or jurisdiction do not allow; public reads
// take none.
type Service struct {
	db    *store.DB
	now   func() time.Time
	cals  Calendars
	index Indexer
	// hooks is shared by copies of the service (the demo replays with a
	// copy whose clock is set), so their publications notify too.
	hooks *publishHooks
}

// publishHooks are the OnPublish functions.
type publishHooks struct {
	mu sync.Mutex
	fs []func()
}

// New returns the catalogue service over db.
func New(db *store.DB) *Service {
	return &Service{db: db, now: time.Now, hooks: &publishHooks{}}
}

// SetNow replaces the clock (tests, demo replay).
func (s *Service) SetNow(now func() time.Time) { s.now = now }

// SetCalendars sets where body calendars come from (caldb in the binary).
func (s *Service) SetCalendars(c Calendars) { s.cals = c }

// SetIndexer sets the search hook called for every published version.
func (s *Service) SetIndexer(f Indexer) { s.index = f }

// OnPublish registers f to be called after every write that published
// versions has committed (never before: a reader told of a publication must
// find it in the database). Readers keeping derived copies of the list, such
// as the portal's page cache, use it to drop them.
func (s *Service) OnPublish(f func()) {
	s.hooks.mu.Lock()
	defer s.hooks.mu.Unlock()
	s.hooks.fs = append(s.hooks.fs, f)
}

// notifyPublished runs the OnPublish hooks.
func (s *Service) notifyPublished() {
	s.hooks.mu.Lock()
	hooks := slices.Clone(s.hooks.fs)
	s.hooks.mu.Unlock()
	for _, f := range hooks {
		f()
	}
}

// DB returns the database the service writes to (for callers composing
// their own reads, e.g. exports).
func (s *Service) DB() *store.DB { return s.db }

// Item is one item of a body's list with its current standing.
type Item struct {
	ID       int64            `json:"id"`
	BodyID   int64            `json:"body_id"`
	BaseCode string           `json:"base_code" mask:"keep"`
	ImplCode string           `json:"impl_code" mask:"keep"`
	Name     string           `json:"name"`
	Category catalog.Category `json:"category"`
	Unit     string           `json:"unit"`
	// Standing is what the newest published version says (C4); Standing(at)
	// answers for an instant.
	Standing  catalog.Standing `json:"standing"`
	Version   int              `json:"version"`
	CreatedAt time.Time        `json:"created_at"`
	UpdatedAt time.Time        `json:"updated_at"`
}

// Version is one published version of an item: the pure version with its
// row identity.
type Version struct {
	ID           int64 `json:"id"`
	ItemID       int64 `json:"item_id"`
	BodyID       int64 `json:"body_id"`
	AdjustmentID int64 `json:"adjustment_id,omitempty"`
	catalog.ItemVersion
}

// ItemDetail is an item with its current version and its whole history,
// newest first (C9: old versions stay visible with their dates).
type ItemDetail struct {
	Item    Item      `json:"item"`
	Current Version   `json:"current"`
	History []Version `json:"history"`
}

// Adjustment is a stored adjustment with its read-model fields.
type Adjustment struct {
	ID int64 `json:"id"`
	catalog.Adjustment
	// Version is 1 when drafted and grows with every edit and step; an
	// edit or a step taken from a page names the version it was based on
	// (concurrent edits). Not the drafts' item versions (Changes[i].Draft).
	Version   int64     `json:"version"`
	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	// PublicationDue is the C8 deadline once approved (service items only).
	PublicationDue *time.Time `json:"publication_due,omitempty"`
	// Late is C8: approved, concerning a service item, and not published
	// within 3 days (or published after them).
	Late bool `json:"late"`
}

// Review is a derived-list review task (C6).
type Review struct {
	ID             int64      `json:"id"`
	BodyID         int64      `json:"body_id"`
	BodyName       string     `json:"body_name"` // the derived body the task is for
	UpperBodyID    int64      `json:"upper_body_id"`
	UpperVersionID int64      `json:"upper_version_id"`
	BaseCode       string     `json:"base_code"`
	Name           string     `json:"name"`
	Due            time.Time  `json:"due"`
	Status         string     `json:"status"` // open or done
	Violations     string     `json:"violations,omitempty"`
	Note           string     `json:"note,omitempty"`
	DoneBy         string     `json:"done_by,omitempty"`
	DoneAt         *time.Time `json:"done_at,omitempty"`
	Overdue        bool       `json:"overdue"`
	CreatedAt      time.Time  `json:"created_at"`
	// Problems are Violations one by one: the C5 conflicts of the body's
	// item with the upper version, each naming its element.
	Problems []ReviewProblem `json:"problems,omitempty"`
	// ExemptReason, ExemptBy and ExemptAt: the body asked to close the task
	// without an adjustment although it conflicts (C5); the upper level's
	// reform office decides. ApprovedBy: who approved it.
	ExemptReason string     `json:"exempt_reason,omitempty"`
	ExemptBy     string     `json:"exempt_by,omitempty"`
	ExemptAt     *time.Time `json:"exempt_at,omitempty"`
	ApprovedBy   string     `json:"approved_by,omitempty"`
}

// Review statuses.
const (
	ReviewOpen = "open"
	ReviewDone = "done"
)

// body is what the catalogue needs of an org body.
type body struct {
	ID       int64
	ParentID int64
	Path     string
	Name     string
	TimeZone string
}

func (b body) location() *time.Location {
	if loc, err := time.LoadLocation(b.TimeZone); err == nil {
		return loc
	}
	return calendar.DefaultLocation
}

func getBody(ctx context.Context, q store.Querier, id int64) (body, error) {
	var b body
	var parent sql.NullInt64
	err := q.QueryRow(ctx, `SELECT id, parent_id, path, name, time_zone FROM bodies WHERE id = ?`, id).
		Scan(&b.ID, &parent, &b.Path, &b.Name, &b.TimeZone)
	if errors.Is(err, sql.ErrNoRows) {
		return b, apperr.New(apperr.NotFound, "body", "catdb.body_does_not_exist", id)
	}
	b.ParentID = parent.Int64
	return b, err
}

// canRead refuses a body outside p's jurisdiction as not found, so that its
// existence does not leak.
func canRead(p access.Principal, b body) error {
	if !p.Covers(b.Path) {
		return apperr.NotFoundf("catdb.not_found_in_your_jurisdiction")
	}
	return nil
}

// actor builds the procedure actor of p: its head mark from org's staff and
// its review groups from the catalogue's membership.
func actor(ctx context.Context, q store.Querier, p access.Principal) (catalog.Actor, error) {
	a := catalog.Actor{Login: login(p), Roles: slices.Clone(p.Roles), BodyID: p.BodyID, UnitID: p.UnitID}
	if p.ReadOnly() {
		// External supervisors read; they never take a step (S7).
		a.Roles = nil
	}
	if p.StaffID == 0 {
		return a, nil
	}
	if err := q.QueryRow(ctx, `SELECT is_head FROM staff WHERE id = ? AND active = TRUE`, p.StaffID).Scan(&a.Head); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return a, apperr.Forbiddenf("catdb.this_staff_member_is_deactivated")
		}
		return a, err
	}
	rows, err := q.Query(ctx, `SELECT grp FROM catalog_reform_members WHERE staff_id = ? AND active = TRUE ORDER BY grp`, p.StaffID)
	if err != nil {
		return a, err
	}
	defer rows.Close()
	for rows.Next() {
		var g string
		if err := rows.Scan(&g); err != nil {
			return a, err
		}
		a.Groups = append(a.Groups, catalog.ReformGroup(g))
	}
	return a, rows.Err()
}

// login is how p appears in traces and events.
func login(p access.Principal) string {
	if p.Login != "" {
		return p.Login
	}
	if p.StaffID != 0 {
		return fmt.Sprintf("staff:%d", p.StaffID)
	}
	return "anonymous"
}

// ---- reading versions ----

func versionFromRow(r versionRow) (Version, error) {
	var v catalog.ItemVersion
	if err := json.Unmarshal([]byte(r.Content), &v); err != nil {
		return Version{}, fmt.Errorf("catdb: version %d content: %w", r.ID, err)
	}
	v.Status = catalog.VersionStatus(r.Status)
	v.ValidFrom = store.FromMicros(r.ValidFrom)
	if r.ValidTo != nil {
		v.ValidTo = new(store.FromMicros(*r.ValidTo))
	}
	v.PublishedAt = new(store.FromMicros(r.PublishedAt))
	v.ContentHash = r.ContentHash
	out := Version{ID: r.ID, ItemID: r.ItemID, BodyID: r.BodyID, ItemVersion: v}
	if r.AdjustmentID != nil {
		out.AdjustmentID = *r.AdjustmentID
	}
	return out, nil
}

func queryVersions(ctx context.Context, q store.Querier, where string, args ...any) ([]Version, error) {
	rows, err := q.Query(ctx, `SELECT `+prefixed("v", versionCols)+` FROM catalog_versions v `+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Version
	for rows.Next() {
		r, err := scanVersionRow(rows)
		if err != nil {
			return nil, err
		}
		v, err := versionFromRow(r)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

func prefixed(alias, cols string) string {
	parts := strings.Split(cols, ", ")
	for i := range parts {
		parts[i] = alias + "." + parts[i]
	}
	return strings.Join(parts, ", ")
}

func itemFromRow(r itemRow) Item {
	return Item{ID: r.ID, BodyID: r.BodyID, BaseCode: r.BaseCode, ImplCode: r.ImplCode, Name: r.Name,
		Category: catalog.Category(r.Category), Unit: r.Unit, Standing: catalog.Standing(r.Standing), Version: int(r.Version),
		CreatedAt: store.FromMicros(r.CreatedAt), UpdatedAt: store.FromMicros(r.UpdatedAt)}
}

func queryItems(ctx context.Context, q store.Querier, where string, args ...any) ([]Item, error) {
	rows, err := q.Query(ctx, `SELECT `+itemCols+` FROM catalog_items `+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Item
	for rows.Next() {
		r, err := scanItemRow(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, itemFromRow(r))
	}
	return out, rows.Err()
}

// history is one item's stored state at a body.
type history struct {
	itemID   int64
	item     itemRow
	versions []catalog.ItemVersion
	ids      map[int]int64 // version number → row id
}

// loadHistories reads the versions of the given base codes at a body.
func loadHistories(ctx context.Context, q store.Querier, bodyID int64, codes []string) (map[string]*history, error) {
	out := map[string]*history{}
	for _, code := range codes {
		if _, ok := out[code]; ok {
			continue
		}
		h := &history{ids: map[int]int64{}}
		r, err := scanItemRow(q.QueryRow(ctx, `SELECT `+itemCols+` FROM catalog_items WHERE body_id = ? AND base_code = ?`, bodyID, code))
		switch {
		case errors.Is(err, sql.ErrNoRows):
			out[code] = h
			continue
		case err != nil:
			return nil, err
		}
		h.itemID, h.item = r.ID, r
		vs, err := queryVersions(ctx, q, `WHERE v.item_id = ? ORDER BY v.version`, r.ID)
		if err != nil {
			return nil, err
		}
		for _, v := range vs {
			h.versions = append(h.versions, v.ItemVersion)
			h.ids[v.ItemVersion.Version] = v.ID
		}
		out[code] = h
	}
	return out, nil
}

// currentList returns the newest published version of every item of a body
// (listed only when listedOnly), by base code.
func currentList(ctx context.Context, q store.Querier, bodyID int64, listedOnly bool) ([]Version, error) {
	where := `JOIN catalog_items i ON i.id = v.item_id AND v.version = i.version WHERE i.body_id = ?`
	if listedOnly {
		where += ` AND i.standing = 'listed'`
	}
	return queryVersions(ctx, q, where+` ORDER BY i.base_code`, bodyID)
}

func pure(vs []Version) []catalog.ItemVersion {
	out := make([]catalog.ItemVersion, len(vs))
	for i, v := range vs {
		out[i] = v.ItemVersion
	}
	return out
}

// calendarFor returns the calendar of a body.
func (s *Service) calendarFor(ctx context.Context, b body) (*calendar.Calendar, error) {
	if s.cals != nil {
		return s.cals.Calendar(ctx, b.ID)
	}
	c, err := calendar.Default()
	if err != nil {
		return nil, err
	}
	return c.WithLocation(b.location()), nil
}

// notFound maps a missing row to an apperr NotFound naming field.
func notFound(err error, field string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return apperr.New(apperr.NotFound, field, "catdb.not_found")
	}
	return err
}
