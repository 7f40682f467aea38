package catdb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/catalog"
	"github.com/qingdan/qingdan/internal/msg"
	"github.com/qingdan/qingdan/internal/store"
)

// ListFilter narrows a published list. Zero fields do not filter.
type ListFilter struct {
	Category catalog.Category
	Unit     string
	// IncludeCancelled also lists cancelled items (their history stays public).
	IncludeCancelled bool
	// Limit and Offset page the list by base code; Limit 0 returns it all
	// (exports need the whole list).
	Limit, Offset int
}

// PublishedList returns the current published version of every item of a
// body's list, by base code: listed and suspended items (suspended ones show
// as such, C7), cancelled ones only on request. It is public.
func (s *Service) PublishedList(ctx context.Context, bodyID int64, f ListFilter) ([]Version, error) {
	if _, err := getBody(ctx, s.db, bodyID); err != nil {
		return nil, err
	}
	if f.Category != "" && !f.Category.Valid() {
		return nil, apperr.Invalidf("category", "catdb.category_is_invalid", f.Category)
	}
	where := `JOIN catalog_items i ON i.id = v.item_id AND v.version = i.version WHERE i.body_id = ?`
	args := []any{bodyID}
	if !f.IncludeCancelled {
		where += ` AND i.standing <> 'cancelled'`
	}
	if f.Category != "" {
		where += ` AND i.category = ?`
		args = append(args, string(f.Category))
	}
	if f.Unit != "" {
		where += ` AND i.unit = ?`
		args = append(args, f.Unit)
	}
	where += ` ORDER BY i.base_code`
	if f.Limit > 0 {
		where += fmt.Sprintf(` LIMIT %d OFFSET %d`, f.Limit, max(f.Offset, 0))
	}
	return queryVersions(ctx, s.db, where, args...)
}

// Units lists the responsible units named by a body's published list (for
// browsing by unit).
func (s *Service) Units(ctx context.Context, bodyID int64) ([]string, error) {
	rows, err := s.db.Query(ctx, `SELECT DISTINCT unit FROM catalog_items WHERE body_id = ? AND standing <> 'cancelled' ORDER BY unit`, bodyID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var u string
		if err := rows.Scan(&u); err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// Item returns a body's item by base or implementation code with its current
// version and all earlier ones (C9). It is public.
func (s *Service) Item(ctx context.Context, bodyID int64, code string) (ItemDetail, error) {
	code = strings.TrimSpace(code)
	items, err := itemByCode(ctx, s.db, bodyID, code)
	if err != nil {
		return ItemDetail{}, err
	}
	if len(items) == 0 {
		return ItemDetail{}, apperr.New(apperr.NotFound, "code", "catdb.item_is_not_on_this_body", clip(code))
	}
	return s.detail(ctx, items[0])
}

// ItemByImplCode returns the item with the given implementation code,
// whichever body implements it. It is public.
func (s *Service) ItemByImplCode(ctx context.Context, implCode string) (ItemDetail, error) {
	implCode = strings.TrimSpace(implCode)
	items, err := queryItems(ctx, s.db, `WHERE impl_code = ? ORDER BY id`, implCode)
	if err != nil {
		return ItemDetail{}, err
	}
	if len(items) == 0 {
		return ItemDetail{}, apperr.New(apperr.NotFound, "impl_code", "catdb.no_item_has_implementation_code", clip(implCode))
	}
	return s.detail(ctx, items[0])
}

// ItemByID returns an item by its row id. It is public. The item and its
// versions come in one query (the public item page reads it on every view).
func (s *Service) ItemByID(ctx context.Context, id int64) (ItemDetail, error) {
	rows, err := s.db.Query(ctx, `SELECT `+prefixed("i", itemCols)+`, `+prefixed("v", versionCols)+`
		FROM catalog_items i JOIN catalog_versions v ON v.item_id = i.id WHERE i.id = ? ORDER BY v.version DESC`, id)
	if err != nil {
		return ItemDetail{}, err
	}
	defer rows.Close()
	var d ItemDetail
	for rows.Next() {
		var (
			ir  itemRow
			vr  versionRow
			to  sql.NullInt64
			adj sql.NullInt64
		)
		if err := rows.Scan(&ir.ID, &ir.BodyID, &ir.BaseCode, &ir.ImplCode, &ir.Name, &ir.Category, &ir.Unit, &ir.Standing, &ir.Version, &ir.CreatedAt, &ir.UpdatedAt,
			&vr.ID, &vr.ItemID, &vr.BodyID, &vr.Version, &vr.Status, &vr.ValidFrom, &to, &vr.PublishedAt, &adj, &vr.Content, &vr.ContentHash); err != nil {
			return ItemDetail{}, err
		}
		vr.ValidTo, vr.AdjustmentID = optInt(to), optInt(adj)
		v, err := versionFromRow(vr)
		if err != nil {
			return ItemDetail{}, err
		}
		d.Item = itemFromRow(ir)
		d.History = append(d.History, v)
		if v.ItemVersion.Version == d.Item.Version {
			d.Current = v
		}
	}
	if err := rows.Err(); err != nil {
		return ItemDetail{}, err
	}
	if len(d.History) > 0 {
		return d, nil
	}
	// No version joined: no such item, or (never written by catdb) an item
	// row without versions.
	items, err := queryItems(ctx, s.db, `WHERE id = ?`, id)
	if err != nil {
		return ItemDetail{}, err
	}
	if len(items) == 0 {
		return ItemDetail{}, apperr.New(apperr.NotFound, "id", "catdb.no_such_item")
	}
	return ItemDetail{Item: items[0]}, nil
}

func (s *Service) detail(ctx context.Context, it Item) (ItemDetail, error) {
	vs, err := queryVersions(ctx, s.db, `WHERE v.item_id = ? ORDER BY v.version DESC`, it.ID)
	if err != nil {
		return ItemDetail{}, err
	}
	d := ItemDetail{Item: it, History: vs}
	for _, v := range vs {
		if v.ItemVersion.Version == it.Version {
			d.Current = v
		}
	}
	return d, nil
}

// Version returns one published version by id. It is public.
func (s *Service) Version(ctx context.Context, id int64) (Version, error) {
	vs, err := queryVersions(ctx, s.db, `WHERE v.id = ?`, id)
	if err != nil {
		return Version{}, err
	}
	if len(vs) == 0 {
		return Version{}, apperr.New(apperr.NotFound, "id", "catdb.no_such_version")
	}
	return vs[0], nil
}

// Items lists every item of a body's list with its standing, for staff in
// the body's jurisdiction.
func (s *Service) Items(ctx context.Context, p access.Principal, bodyID int64) ([]Item, error) {
	b, err := getBody(ctx, s.db, bodyID)
	if err != nil {
		return nil, err
	}
	if err := canRead(p, b); err != nil {
		return nil, err
	}
	return queryItems(ctx, s.db, `WHERE body_id = ? ORDER BY base_code`, bodyID)
}

// ---- standing (C4) ----

// StandingAnswer is what the list says about an item at an instant (C4):
// listed / suspended / cancelled / unknown, and the version in force.
type StandingAnswer struct {
	BodyID      int64            `json:"body_id"`
	Code        string           `json:"code" mask:"keep"`
	At          time.Time        `json:"at"`
	Standing    catalog.Standing `json:"standing"`
	MayOpenCase bool             `json:"may_open_case"`
	ItemID      int64            `json:"item_id,omitempty"`
	BaseCode    string           `json:"base_code,omitempty" mask:"keep"`
	ImplCode    string           `json:"impl_code,omitempty" mask:"keep"`
	Name        string           `json:"name,omitempty"`
	VersionID   int64            `json:"version_id,omitempty"`
	Version     int              `json:"version,omitempty"`
	ContentHash string           `json:"content_hash,omitempty" mask:"keep"`
	// Reason explains a refusal in both languages ("" when listed).
	ReasonZh string `json:"reason_zh,omitempty"`
	ReasonEn string `json:"reason_en,omitempty"`
}

// Refusal returns the apperr a case opening gets under this answer, nil when
// the item is listed.
func (a StandingAnswer) Refusal() error {
	if a.MayOpenCase {
		return nil
	}
	return apperr.New(apperr.Conflict, "item", "catdb.standing_refusal", msg.Both{Zh: a.ReasonZh, En: a.ReasonEn})
}

// Standing says whether the item with base or implementation code code is on
// body bodyID's list at instant at, and which version was in force (C4). It
// is the one check case handling calls before opening a case; a body or item
// that does not exist is simply Unknown.
func (s *Service) Standing(ctx context.Context, bodyID int64, code string, at time.Time) (StandingAnswer, error) {
	return standing(ctx, s.db, bodyID, code, at)
}

func standing(ctx context.Context, q store.Querier, bodyID int64, code string, at time.Time) (StandingAnswer, error) {
	code = strings.TrimSpace(code)
	ans := StandingAnswer{BodyID: bodyID, Code: code, At: at.UTC(), Standing: catalog.Unknown}
	if code == "" {
		return ans, apperr.Invalidf("code", "catdb.an_item_code_is_required")
	}
	if at.IsZero() {
		return ans, apperr.Invalidf("at", "catdb.an_instant_is_required")
	}
	items, err := itemByCode(ctx, q, bodyID, code)
	if err != nil {
		return ans, err
	}
	if len(items) > 0 {
		it := items[0]
		ans.ItemID, ans.BaseCode, ans.ImplCode, ans.Name = it.ID, it.BaseCode, it.ImplCode, it.Name
		vs, err := queryVersions(ctx, q, `WHERE v.item_id = ?`, it.ID)
		if err != nil {
			return ans, err
		}
		st, in := catalog.StandingAt(pure(vs), at)
		ans.Standing = st
		if in != nil {
			for _, v := range vs {
				if v.ItemVersion.Version == in.Version {
					ans.VersionID = v.ID
				}
			}
			ans.Version, ans.ContentHash, ans.Name = in.Version, in.ContentHash, in.Name
		}
	}
	ans.MayOpenCase = ans.Standing.MayOpenCase()
	name := ans.Name
	if name == "" {
		name = code
	}
	switch ans.Standing {
	case catalog.Suspended:
		ans.ReasonZh, ans.ReasonEn = fmt.Sprintf("事项“%s”已暂停,不能受理", name), fmt.Sprintf("item %q is suspended; no case may be opened", name)
	case catalog.Cancelled:
		ans.ReasonZh, ans.ReasonEn = fmt.Sprintf("事项“%s”已取消,不能受理", name), fmt.Sprintf("item %q is cancelled; no case may be opened", name)
	case catalog.Unknown:
		ans.ReasonZh, ans.ReasonEn = fmt.Sprintf("事项“%s”不在清单内,不能受理", clip(name)), fmt.Sprintf("item %q is not on the list; no case may be opened", clip(name))
	}
	return ans, nil
}

// ---- adjustments ----

// AdjustmentFilter selects adjustments. Zero fields do not filter.
type AdjustmentFilter struct {
	BodyID int64 // adjustments of this body's list, or reviewed by its reform office
	Stage  catalog.Stage
	Limit  int // 0: 200
}

// Adjustments lists the adjustments in p's jurisdiction (the body's and,
// for a reform office, those of the bodies below), newest first.
func (s *Service) Adjustments(ctx context.Context, p access.Principal, f AdjustmentFilter) ([]Adjustment, error) {
	if p.BodyPath == "" {
		return nil, apperr.Forbiddenf("catdb.login_required")
	}
	where := `JOIN bodies b ON b.id = a.body_id WHERE b.path LIKE ? ESCAPE '\'`
	args := []any{likeEscape(p.BodyPath) + "%"}
	if f.BodyID != 0 {
		where += ` AND (a.body_id = ? OR a.upper_body_id = ?)`
		args = append(args, f.BodyID, f.BodyID)
	}
	if f.Stage != "" {
		where += ` AND a.stage = ?`
		args = append(args, string(f.Stage))
	}
	limit := f.Limit
	if limit <= 0 || limit > 1000 {
		limit = 200
	}
	return s.queryAdjustments(ctx, s.db, where+fmt.Sprintf(` ORDER BY a.id DESC LIMIT %d`, limit), args...)
}

// Adjustment returns one adjustment in p's jurisdiction.
func (s *Service) Adjustment(ctx context.Context, p access.Principal, id int64) (Adjustment, error) {
	a, path, err := s.getAdjustment(ctx, s.db, id)
	if err != nil {
		return a, err
	}
	if !p.Covers(path) {
		return Adjustment{}, apperr.NotFoundf("catdb.no_such_adjustment_in_your_jurisdiction")
	}
	return a, nil
}

// LatePublications lists the approved adjustments in p's jurisdiction whose
// publication is late (C8).
func (s *Service) LatePublications(ctx context.Context, p access.Principal) ([]Adjustment, error) {
	all, err := s.Adjustments(ctx, p, AdjustmentFilter{Stage: catalog.StageApproved, Limit: 1000})
	if err != nil {
		return nil, err
	}
	var out []Adjustment
	for _, a := range all {
		if a.Late {
			out = append(out, a)
		}
	}
	return out, nil
}

func (s *Service) getAdjustment(ctx context.Context, q store.Querier, id int64) (Adjustment, string, error) {
	var path string
	if err := q.QueryRow(ctx, `SELECT b.path FROM catalog_adjustments a JOIN bodies b ON b.id = a.body_id WHERE a.id = ?`, id).Scan(&path); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return Adjustment{}, "", apperr.New(apperr.NotFound, "id", "catdb.no_such_adjustment")
		}
		return Adjustment{}, "", err
	}
	as, err := s.queryAdjustments(ctx, q, `JOIN bodies b ON b.id = a.body_id WHERE a.id = ?`, id)
	if err != nil {
		return Adjustment{}, "", err
	}
	return as[0], path, nil
}

func (s *Service) queryAdjustments(ctx context.Context, q store.Querier, where string, args ...any) ([]Adjustment, error) {
	rows, err := q.Query(ctx, `SELECT `+prefixed("a", adjustmentCols)+`, b.time_zone FROM catalog_adjustments a `+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	now := s.now()
	var out []Adjustment
	for rows.Next() {
		var tz string
		var r adjustmentRow
		var ap, pu sql.NullInt64
		if err := rows.Scan(&r.ID, &r.BodyID, &r.UpperBodyID, &r.UnitID, &r.Title, &r.Stage, &r.Content, &ap, &pu, &r.CreatedBy, &r.Version, &r.CreatedAt, &r.UpdatedAt, &tz); err != nil {
			return nil, err
		}
		r.ApprovedAt, r.PublishedAt = optInt(ap), optInt(pu)
		a, err := adjustmentFromRow(r, body{TimeZone: tz}, now)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

func adjustmentFromRow(r adjustmentRow, b body, now time.Time) (Adjustment, error) {
	var a catalog.Adjustment
	if err := json.Unmarshal([]byte(r.Content), &a); err != nil {
		return Adjustment{}, fmt.Errorf("catdb: adjustment %d content: %w", r.ID, err)
	}
	out := Adjustment{ID: r.ID, Adjustment: a, CreatedBy: r.CreatedBy, Version: r.Version,
		CreatedAt: store.FromMicros(r.CreatedAt), UpdatedAt: store.FromMicros(r.UpdatedAt)}
	if a.ApprovedAt != nil {
		// C8 counts natural days in the body's zone (PublicationDeadline).
		start := a.ApprovedAt.In(b.location())
		out.Late = catalog.AdjustmentPublicationLate(catalog.Adjustment{ApprovedAt: &start, PublishedAt: a.PublishedAt, Changes: a.Changes}, now)
		if out.Late || concernsService(a) {
			out.PublicationDue = new(catalog.PublicationDeadline(start, catalog.ServiceItemPublicationDays).UTC())
		}
	}
	return out, nil
}

// concernsService reports whether C8's deadline applies to a.
func concernsService(a catalog.Adjustment) bool {
	if a.ApprovedAt == nil {
		return false
	}
	far := a.ApprovedAt.AddDate(1, 0, 0)
	// An unpublished approval a year on is late exactly when a deadline applies.
	return catalog.AdjustmentPublicationLate(catalog.Adjustment{ApprovedAt: a.ApprovedAt, Changes: a.Changes}, far)
}

// ---- reviews (C6) ----

// ReviewFilter selects review tasks.
type ReviewFilter struct {
	BodyID   int64 // 0: every body in the jurisdiction
	OpenOnly bool
}

// Reviews lists the derived-list review tasks in p's jurisdiction, earliest
// due first.
func (s *Service) Reviews(ctx context.Context, p access.Principal, f ReviewFilter) ([]Review, error) {
	if p.BodyPath == "" {
		return nil, apperr.Forbiddenf("catdb.login_required")
	}
	where := ` JOIN bodies b ON b.id = r.body_id WHERE b.path LIKE ? ESCAPE '\'`
	args := []any{likeEscape(p.BodyPath) + "%"}
	if f.BodyID != 0 {
		where += ` AND r.body_id = ?`
		args = append(args, f.BodyID)
	}
	if f.OpenOnly {
		where += ` AND r.status = 'open'`
	}
	rows, err := s.db.Query(ctx, `SELECT `+prefixed("r", reviewCols)+`, b.name FROM catalog_reviews r`+where+` ORDER BY r.due, r.id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	now := s.now()
	var out []Review
	for rows.Next() {
		var name string
		r, err := scanReviewRow(scanWith{rows, []any{&name}})
		if err != nil {
			return nil, err
		}
		rv := reviewFromRow(r, now)
		rv.BodyName = name
		out = append(out, rv)
	}
	return out, rows.Err()
}

// scanWith scans a row's columns into a row scanner's destinations and then
// into more, for a query that selects a table's columns and a few more.
type scanWith struct {
	r    interface{ Scan(...any) error }
	more []any
}

func (s scanWith) Scan(dest ...any) error { return s.r.Scan(append(dest, s.more...)...) }

func reviewFromRow(r reviewRow, now time.Time) Review {
	out := Review{ID: r.ID, BodyID: r.BodyID, UpperBodyID: r.UpperBodyID, UpperVersionID: r.UpperVersionID,
		BaseCode: r.BaseCode, Name: r.Name, Due: store.FromMicros(r.Due), Status: r.Status, Violations: r.Violations,
		Note: r.Note, DoneBy: r.DoneBy, CreatedAt: store.FromMicros(r.CreatedAt), Problems: reviewProblems(r.Violations),
		ExemptReason: r.ExemptReason, ExemptBy: r.ExemptBy, ApprovedBy: r.ApprovedBy}
	if r.ExemptAt != nil {
		out.ExemptAt = new(store.FromMicros(*r.ExemptAt))
	}
	var done *time.Time
	if r.DoneAt != nil {
		done = new(store.FromMicros(*r.DoneAt))
		out.DoneAt = done
	}
	out.Overdue = catalog.ReviewOverdue(catalog.Review{Due: out.Due}, done, now)
	return out
}

// likeEscape escapes LIKE wildcards in a materialised path.
func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// clip shortens user input quoted back in messages.
func clip(s string) string {
	if r := []rune(s); len(r) > 40 {
		return string(r[:40]) + "…"
	}
	return s
}

// PathOf returns the materialised path of the body owning an object, for
// route policies (httpx.Policy.Scope): kind is "body", "adjustment" or
// "review", "item" or "staff". A missing object is NotFound.
func (s *Service) PathOf(ctx context.Context, kind string, id int64) (string, error) {
	var q string
	switch kind {
	case "body":
		q = `SELECT path FROM bodies WHERE id = ?`
	case "adjustment":
		q = `SELECT b.path FROM catalog_adjustments a JOIN bodies b ON b.id = a.body_id WHERE a.id = ?`
	case "review":
		q = `SELECT b.path FROM catalog_reviews r JOIN bodies b ON b.id = r.body_id WHERE r.id = ?`
	case "item":
		q = `SELECT b.path FROM catalog_items i JOIN bodies b ON b.id = i.body_id WHERE i.id = ?`
	case "staff":
		q = `SELECT b.path FROM staff st JOIN bodies b ON b.id = st.body_id WHERE st.id = ?`
	default:
		return "", fmt.Errorf("catdb: PathOf(%q)", kind)
	}
	var path string
	if err := s.db.QueryRow(ctx, q, id).Scan(&path); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return "", apperr.New(apperr.NotFound, "id", "catdb.not_found")
		}
		return "", err
	}
	return path, nil
}

// Allowed lists the steps p may take on an adjustment now, as the procedure
// (catalog.Transition) decides, so a page offers exactly those. A group
// approval is listed once per group p may confirm for.
func (s *Service) Allowed(ctx context.Context, p access.Principal, id int64) ([]catalog.Action, error) {
	a, err := s.Adjustment(ctx, p, id)
	if err != nil {
		return nil, err
	}
	act, err := actor(ctx, s.db, p)
	if err != nil {
		return nil, err
	}
	var out []catalog.Action
	now := s.now()
	for _, k := range []catalog.ActionKind{catalog.ActSign, catalog.ActOfficeApprove, catalog.ActOfficeReturn,
		catalog.ActGroupApprove, catalog.ActReformReturn, catalog.ActPublish, catalog.ActWithdraw} {
		groups := []catalog.ReformGroup{""}
		if k == catalog.ActGroupApprove {
			groups = act.Groups
		}
		for _, g := range groups {
			// A comment is given so that returns are judged on role and stage.
			try := catalog.Action{Kind: k, Group: g, Comment: "-", At: now}
			if _, err := catalog.Transition(a.Adjustment, try, act); err == nil {
				out = append(out, catalog.Action{Kind: k, Group: g})
			} else if c := apperr.CodeOf(err); c != apperr.Forbidden && c != apperr.Conflict {
				// Sign validates the proposal; an invalid one is still the
				// head's to see, refused with the reason when tried.
				if k == catalog.ActSign {
					out = append(out, catalog.Action{Kind: k})
				}
			}
		}
	}
	return out, nil
}

// itemByCode finds a body's item by base code, else by implementation code:
// two lookups on their own indexes, since an OR across both columns would
// scan the body's whole list.
func itemByCode(ctx context.Context, q store.Querier, bodyID int64, code string) ([]Item, error) {
	items, err := queryItems(ctx, q, `WHERE body_id = ? AND base_code = ?`, bodyID, code)
	if err != nil || len(items) > 0 {
		return items, err
	}
	return queryItems(ctx, q, `WHERE impl_code = ? AND body_id = ?`, code, bodyID)
}

// BodyRef names a body whose list a principal may administer.
type BodyRef struct {
	ID    int64  `json:"id"`
	Name  string `json:"name"`
	Items int    `json:"items"`
}

// Bodies lists the bodies in p's jurisdiction with the size of their lists,
// in path order (a body before the bodies below it).
func (s *Service) Bodies(ctx context.Context, p access.Principal) ([]BodyRef, error) {
	if p.BodyPath == "" {
		return nil, apperr.Forbiddenf("catdb.login_required")
	}
	rows, err := s.db.Query(ctx, `SELECT b.id, b.name, (SELECT COUNT(*) FROM catalog_items i WHERE i.body_id = b.id)
		FROM bodies b WHERE b.path LIKE ? ESCAPE '\' AND b.active = TRUE ORDER BY b.path`, likeEscape(p.BodyPath)+"%")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []BodyRef
	for rows.Next() {
		var b BodyRef
		if err := rows.Scan(&b.ID, &b.Name, &b.Items); err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, rows.Err()
}

// ChangedElements names the elements (top-level JSON names, such as
// materials or promised_limit) in which each draft of an adjustment differs
// from the version it was written against (DraftBases), by base code, so
// reviewers see what a change changes — before publication and after it,
// when the draft has become the current version. Adds list every element
// they set.
func (s *Service) ChangedElements(ctx context.Context, p access.Principal, id int64) (map[string][]string, error) {
	a, err := s.Adjustment(ctx, p, id)
	if err != nil {
		return nil, err
	}
	bases, err := s.draftBases(ctx, a)
	if err != nil {
		return nil, err
	}
	out := map[string][]string{}
	for _, c := range a.Changes {
		if c.Draft == nil {
			continue
		}
		d, err := elementDiff(bases[c.BaseCode], *c.Draft)
		if err != nil {
			return nil, err
		}
		out[c.BaseCode] = d
	}
	return out, nil
}

// DraftBases returns, by base code, the published version each draft of
// adjustment id was written against (the number catdb stamped on it when
// it was saved); a new item has none. Reviewers compare the draft with it.
func (s *Service) DraftBases(ctx context.Context, p access.Principal, id int64) (map[string]catalog.ItemVersion, error) {
	a, err := s.Adjustment(ctx, p, id)
	if err != nil {
		return nil, err
	}
	return s.draftBases(ctx, a)
}

func (s *Service) draftBases(ctx context.Context, a Adjustment) (map[string]catalog.ItemVersion, error) {
	hs, err := loadHistories(ctx, s.db, a.BodyID, codes(a.Adjustment))
	if err != nil {
		return nil, err
	}
	out := map[string]catalog.ItemVersion{}
	for _, c := range a.Changes {
		h := hs[c.BaseCode]
		if c.Draft == nil || h == nil {
			continue
		}
		for _, v := range h.versions {
			if v.Version == c.Draft.Version {
				out[c.BaseCode] = v
			}
		}
	}
	return out, nil
}

// elementDiff compares two versions element by element through their
// canonical JSON, leaving out what every new version changes anyway.
func elementDiff(a, b catalog.ItemVersion) ([]string, error) {
	m := func(v catalog.ItemVersion) (map[string]json.RawMessage, error) {
		raw, err := catalog.CanonicalJSON(v)
		if err != nil {
			return nil, err
		}
		var out map[string]json.RawMessage
		return out, json.Unmarshal(raw, &out)
	}
	x, err := m(a)
	if err != nil {
		return nil, err
	}
	y, err := m(b)
	if err != nil {
		return nil, err
	}
	var out []string
	for k := range mergeKeys(x, y) {
		if k == "version" || k == "valid_from" {
			continue
		}
		if string(x[k]) != string(y[k]) {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out, nil
}

func mergeKeys(a, b map[string]json.RawMessage) map[string]bool {
	out := map[string]bool{}
	for k := range a {
		out[k] = true
	}
	for k := range b {
		out[k] = true
	}
	return out
}

// ReformMember is a general-office staff member who may sit in the reform
// office's review groups (C3), with the groups they belong to.
type ReformMember struct {
	StaffID  int64                 `json:"staff_id"`
	Name     string                `json:"name"`
	BodyID   int64                 `json:"body_id"`
	BodyName string                `json:"body_name"`
	Unit     string                `json:"unit"`
	Groups   []catalog.ReformGroup `json:"groups"`
	Version  int64                 `json:"version"` // of the seats (ReformSeats)
}

// ReformMembers lists the active general-office staff of the bodies in p's
// jurisdiction, by body then staff, each with their review groups: who
// SetReformGroups may be asked about.
func (s *Service) ReformMembers(ctx context.Context, p access.Principal) ([]ReformMember, error) {
	rows, err := s.db.Query(ctx, `SELECT st.id, st.name, b.id, b.name, b.path, COALESCE(u.name, '') FROM staff st
		JOIN bodies b ON b.id = st.body_id LEFT JOIN units u ON u.id = st.unit_id
		WHERE st.active = TRUE AND st.roles LIKE '%general_office%' ORDER BY b.path, st.id`)
	if err != nil {
		return nil, err
	}
	var out []ReformMember
	index := map[int64]int{}
	for rows.Next() {
		var m ReformMember
		var path string
		if err := rows.Scan(&m.StaffID, &m.Name, &m.BodyID, &m.BodyName, &path, &m.Unit); err != nil {
			rows.Close()
			return nil, err
		}
		if p.Covers(path) {
			m.Version = seatsBase
			index[m.StaffID] = len(out)
			out = append(out, m)
		}
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return nil, err
	}
	groups, err := s.db.Query(ctx, `SELECT staff_id, grp, active, version FROM catalog_reform_members ORDER BY staff_id, grp`)
	if err != nil {
		return nil, err
	}
	for groups.Next() {
		var id, version int64
		var g string
		var active bool
		if err := groups.Scan(&id, &g, &active, &version); err != nil {
			groups.Close()
			return nil, err
		}
		if i, ok := index[id]; ok {
			out[i].Groups, out[i].Version = seatRow(out[i].Groups, out[i].Version, g, active, version)
		}
	}
	if err := errors.Join(groups.Err(), groups.Close()); err != nil {
		return nil, err
	}
	return out, nil
}

// ActorNames maps the actors of traces (a login, or staff:N for a staff
// member acting without one, such as a head whose signature the demo
// recorded) to the staff member's name, so pages show people by name. An
// actor that names no one (a deleted account) is left out; the caller
// shows it as recorded.
func (s *Service) ActorNames(ctx context.Context, actors []string) (map[string]string, error) {
	out := map[string]string{}
	for _, a := range actors {
		if _, done := out[a]; done || a == "" {
			continue
		}
		var name string
		var err error
		if n, ok := strings.CutPrefix(a, "staff:"); ok {
			id, perr := strconv.ParseInt(n, 10, 64)
			if perr != nil {
				continue
			}
			err = s.db.QueryRow(ctx, `SELECT name FROM staff WHERE id = ?`, id).Scan(&name)
		} else {
			err = s.db.QueryRow(ctx, `SELECT st.name FROM accounts a JOIN staff st ON st.id = a.staff_id WHERE a.login = ?`,
				strings.ToLower(a)).Scan(&name)
		}
		switch {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return nil, fmt.Errorf("catdb: actor names: %w", err)
		default:
			out[a] = name
		}
	}
	return out, nil
}
