package catdb

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/catalog"
	"github.com/qingdan/qingdan/internal/org"
	"github.com/qingdan/qingdan/internal/store"
)

// AdjustmentInput is what a list liaison proposes: the body and unit default
// to the principal's; the upper body is always the body's parent (or the
// district itself at the top) and is not taken from input.
type AdjustmentInput struct {
	Title   string                  `json:"title"`
	BodyID  int64                   `json:"body_id,omitempty"`
	UnitID  int64                   `json:"unit_id,omitempty"`
	Reason  catalog.Reason          `json:"reason"`
	Bases   []catalog.BasisDocument `json:"bases"`
	Changes []catalog.Change        `json:"changes"`
	// Imported is set by the Excel import alone (never from JSON): its
	// draft may have no changes (catalog.Adjustment.Imported).
	Imported bool `json:"-"`
}

func (in AdjustmentInput) adjustment(p access.Principal) catalog.Adjustment {
	a := catalog.Adjustment{Title: strings.TrimSpace(in.Title), BodyID: in.BodyID, UnitID: in.UnitID,
		Reason: in.Reason, Bases: slices.Clone(in.Bases), Changes: make([]catalog.Change, len(in.Changes)), Imported: in.Imported}
	if a.BodyID == 0 {
		a.BodyID = p.BodyID
	}
	if a.UnitID == 0 {
		a.UnitID = p.UnitID
	}
	for i, c := range in.Changes {
		c.BaseCode = strings.TrimSpace(c.BaseCode)
		if c.Draft != nil {
			d := c.Draft.Clone()
			// A draft's lifecycle is the service's: it becomes a version only
			// when the adjustment is published.
			d.Status, d.PublishedAt, d.ValidTo, d.ContentHash, d.Version = catalog.StatusDraft, nil, nil, "", 0
			if c.BaseCode == "" {
				c.BaseCode = d.BaseCode
			}
			if c.Name == "" {
				c.Name = d.Name
			}
			c.Draft = &d
		}
		a.Changes[i] = c
	}
	return a
}

// CreateAdjustment starts a draft adjustment proposed by p, a list liaison
// of the proposing unit (C3). It is checked in full before anything is
// stored: the proposal's own fields and drafts (catalog.Validate), the
// upper list it derives from (C5, refused with every violation) and the
// standing each change acts on.
func (s *Service) CreateAdjustment(ctx context.Context, p access.Principal, in AdjustmentInput) (Adjustment, error) {
	var out Adjustment
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		now := s.now().UTC()
		a := in.adjustment(p)
		b, err := getBody(ctx, tx, a.BodyID)
		if err != nil {
			return err
		}
		if err := canWrite(p, b); err != nil {
			return err
		}
		a.UpperBodyID = upperOf(b)
		act, err := actor(ctx, tx, p)
		if err != nil {
			return err
		}
		if a, err = catalog.NewAdjustment(a, act, now); err != nil {
			return err
		}
		if err := stampBase(ctx, tx, b, &a); err != nil {
			return err
		}
		if err := s.check(ctx, tx, b, a, now); err != nil {
			return err
		}
		content, err := json.Marshal(a)
		if err != nil {
			return err
		}
		var id int64
		if err := tx.QueryRow(ctx, `INSERT INTO catalog_adjustments (body_id, upper_body_id, unit_id, title, stage, content, created_by, version, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, ?) RETURNING id`, a.BodyID, a.UpperBodyID, a.UnitID, a.Title, string(a.Stage), string(content),
			act.Login, store.Micros(now), store.Micros(now)).Scan(&id); err != nil {
			return err
		}
		if err := emit(ctx, tx, act.Login, b.ID, "catalog.adjustment.drafted", ObjAdjustment, id, "", string(a.Stage), a.Trace[0]); err != nil {
			return err
		}
		out, _, err = s.getAdjustment(ctx, tx, id)
		return err
	})
	return out, err
}

// UpdateAdjustment replaces the proposal of a draft or returned adjustment
// (title, reason, bases, changes), read at version: if it has changed
// since, nothing is changed and the error is apperr.Stale. Its stage and
// trace stay. Only a list liaison of the proposing unit may edit it, and
// the same checks as on creation apply.
func (s *Service) UpdateAdjustment(ctx context.Context, p access.Principal, id, version int64, in AdjustmentInput) (Adjustment, error) {
	var out Adjustment
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		now := s.now().UTC()
		cur, path, err := s.getAdjustment(ctx, tx, id)
		if err != nil {
			return err
		}
		if !p.Covers(path) {
			return apperr.NotFoundf("catdb.no_such_adjustment_in_your_jurisdiction")
		}
		act, err := actor(ctx, tx, p)
		if err != nil {
			return err
		}
		if readOnly(act) || !slices.Contains(act.Roles, access.RoleListLiaison) || act.BodyID != cur.BodyID || act.UnitID != cur.UnitID {
			return apperr.Forbiddenf("catdb.only_a_list_liaison_of_the")
		}
		// An edit must name its base (after the permission check: a
		// forbidden edit is refused as such).
		if version <= 0 {
			return apperr.VersionMissing()
		}
		if err := checkBase(cur, version); err != nil {
			return err
		}
		if cur.Stage != catalog.StageDrafting && cur.Stage != catalog.StageReturned {
			return apperr.New(apperr.Conflict, "stage", "catdb.the_adjustment_is_and_can_no", cur.Stage,
				string(cur.Stage))
		}
		in.BodyID, in.UnitID = cur.BodyID, cur.UnitID
		a := in.adjustment(p)
		next := cur.Adjustment
		next.Title, next.Reason, next.Bases, next.Changes = a.Title, a.Reason, a.Bases, a.Changes
		b, err := getBody(ctx, tx, cur.BodyID)
		if err != nil {
			return err
		}
		if err := stampBase(ctx, tx, b, &next); err != nil {
			return err
		}
		if err := s.check(ctx, tx, b, next, now); err != nil {
			return err
		}
		if err := s.saveAdjustment(ctx, tx, cur, next, now); err != nil {
			return err
		}
		if err := emit(ctx, tx, act.Login, b.ID, "catalog.adjustment.edited", ObjAdjustment, id, string(cur.Stage), string(next.Stage), nil); err != nil {
			return err
		}
		out, _, err = s.getAdjustment(ctx, tx, id)
		return err
	})
	return out, err
}

// ReadOnly reports whether the actor holds no role at all (an external
// supervisor's roles are dropped by actor).
func readOnly(a catalog.Actor) bool { return len(a.Roles) == 0 }

// Act takes one step of the procedure (C3): sign, office approve or return,
// group approve, reform return, publish or withdraw, by the role entitled to
// it (catalog.Transition decides), traced with its comment and time.
// Publishing applies the adjustment (add, change, suspend, re-enable,
// cancel) in the same transaction, indexes the new versions and opens the
// derived bodies' review tasks (C6). version is the adjustment's version
// the actor decided on (a page shows it), 0 when not given: a step on an
// adjustment that changed since is refused as stale.
func (s *Service) Act(ctx context.Context, p access.Principal, id, version int64, action catalog.Action) (Adjustment, error) {
	var out Adjustment
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		now := s.now().UTC()
		action.At = now
		action.Comment = strings.TrimSpace(action.Comment)
		cur, path, err := s.getAdjustment(ctx, tx, id)
		if err != nil {
			return err
		}
		if !p.Covers(path) {
			return apperr.NotFoundf("catdb.no_such_adjustment_in_your_jurisdiction")
		}
		if version != 0 {
			if err := checkBase(cur, version); err != nil {
				return err
			}
		}
		act, err := actor(ctx, tx, p)
		if err != nil {
			return err
		}
		b, err := getBody(ctx, tx, cur.BodyID)
		if err != nil {
			return err
		}
		if action.Kind == catalog.ActSign || action.Kind == catalog.ActPublish {
			// The upper list may have changed since drafting (C5, C6).
			if err := s.checkUpper(ctx, tx, b, cur.Adjustment); err != nil {
				return err
			}
		}
		next, err := catalog.Transition(cur.Adjustment, action, act)
		if err != nil {
			return err
		}
		if action.Kind == catalog.ActPublish {
			if err := s.applyAdjustment(ctx, tx, act.Login, b, id, next, now); err != nil {
				return err
			}
		}
		if err := s.saveAdjustment(ctx, tx, cur, next, now); err != nil {
			return err
		}
		step := next.Trace[len(next.Trace)-1]
		if err := emit(ctx, tx, act.Login, b.ID, "catalog.adjustment."+string(action.Kind), ObjAdjustment, id,
			string(cur.Stage), string(next.Stage), step); err != nil {
			return err
		}
		out, _, err = s.getAdjustment(ctx, tx, id)
		return err
	})
	if err == nil && action.Kind == catalog.ActPublish {
		s.notifyPublished()
	}
	return out, err
}

// saveAdjustment stores a as the next version of cur, which this write
// read: should another instance have changed the row since, the write
// fails as stale and changes nothing.
func (s *Service) saveAdjustment(ctx context.Context, tx *store.Tx, cur Adjustment, a catalog.Adjustment, now time.Time) error {
	content, err := json.Marshal(a)
	if err != nil {
		return err
	}
	if err := lock(ctx, tx, ObjAdjustment, cur.ID); err != nil {
		return err
	}
	tx.QueueExpect(ctx, 1, staleAdjustment(cur), `UPDATE catalog_adjustments SET title = ?, stage = ?, content = ?, approved_at = ?, published_at = ?, updated_at = ?,
		version = version + 1 WHERE id = ? AND version = ?`,
		a.Title, string(a.Stage), string(content), microsOrNil(a.ApprovedAt), microsOrNil(a.PublishedAt), store.Micros(now), cur.ID, cur.Version)
	return nil
}

// checkBase refuses an edit or step based on another version of the
// adjustment than the one stored.
func checkBase(cur Adjustment, version int64) error {
	if cur.Version != version {
		return staleAdjustment(cur)
	}
	return nil
}

func staleAdjustment(a Adjustment) error {
	return apperr.Stale("catdb.adjustment", a.Title)
}

func microsOrNil(t *time.Time) any {
	if t == nil {
		return nil
	}
	return store.Micros(*t)
}

// check runs every check a proposal gets before it is stored: its own
// fields, the upper list (C5) and the standings its changes act on.
func (s *Service) check(ctx context.Context, q store.Querier, b body, a catalog.Adjustment, now time.Time) error {
	if err := a.Validate(); err != nil {
		return err
	}
	if err := a.CheckDates(now); err != nil {
		return err
	}
	if err := s.checkUpper(ctx, q, b, a); err != nil {
		return err
	}
	for i, c := range a.Changes {
		if c.Draft != nil && c.Draft.Body.Name == "" {
			return apperr.Invalidf(fmt.Sprintf("changes[%d].draft.body.name", i), "catdb.the_implementing_body_is_required")
		}
	}
	hs, err := loadHistories(ctx, q, b.ID, codes(a))
	if err != nil {
		return err
	}
	// A dry run of publication now tells the proposer at once when a change
	// does not fit the item's standing (add a listed item, re-enable a listed one …).
	trial := a
	trial.Stage = catalog.StageApproved
	_, err = catalog.ApplyAdjustment(trial, plain(hs), now)
	return err
}

// checkUpper refuses a lower body's drafts that break the upper list (C5),
// with every violation named.
func (s *Service) checkUpper(ctx context.Context, q store.Querier, b body, a catalog.Adjustment) error {
	if b.ParentID == 0 {
		return nil
	}
	upper, err := currentList(ctx, q, b.ParentID, true)
	if err != nil {
		return err
	}
	return a.CheckAgainstUpper(pure(upper))
}

// stampBase records in each draft's Version the item's version it was
// written against (0 for a new item), so publication can refuse a draft
// overtaken by another publication. The caller's value is not trusted.
func stampBase(ctx context.Context, q store.Querier, b body, a *catalog.Adjustment) error {
	hs, err := loadHistories(ctx, q, b.ID, codes(*a))
	if err != nil {
		return err
	}
	for i, c := range a.Changes {
		if c.Draft != nil {
			d := c.Draft.Clone()
			d.Version = latestNumber(hs[c.BaseCode])
			a.Changes[i].Draft = &d
		}
	}
	return nil
}

// latestNumber is the number of the newest stored version (0: none).
func latestNumber(h *history) int {
	n := 0
	if h != nil {
		for _, v := range h.versions {
			n = max(n, v.Version)
		}
	}
	return n
}

func codes(a catalog.Adjustment) []string {
	out := make([]string, 0, len(a.Changes))
	for _, c := range a.Changes {
		out = append(out, c.BaseCode)
	}
	return out
}

func plain(hs map[string]*history) map[string][]catalog.ItemVersion {
	out := make(map[string][]catalog.ItemVersion, len(hs))
	for code, h := range hs {
		out[code] = h.versions
	}
	return out
}

// upperOf is where the reform office reviewing b's list sits.
func upperOf(b body) int64 {
	if b.ParentID != 0 {
		return b.ParentID
	}
	return b.ID
}

// canWrite refuses a read-only principal and a body outside p's jurisdiction.
func canWrite(p access.Principal, b body) error {
	if p.ReadOnly() {
		return apperr.Forbiddenf("catdb.external_supervisors_may_only_read")
	}
	return canRead(p, b)
}

// applyAdjustment publishes an approved adjustment's changes (C3, C7, C9).
func (s *Service) applyAdjustment(ctx context.Context, tx *store.Tx, who string, b body, adjID int64, a catalog.Adjustment, at time.Time) error {
	hs, err := loadHistories(ctx, tx, b.ID, codes(a))
	if err != nil {
		return err
	}
	// A draft written against version N must not silently undo version N+1
	// published meanwhile by another adjustment (a lost update).
	var stale apperr.List
	for i, c := range a.Changes {
		if c.Draft == nil {
			continue
		}
		if now := latestNumber(hs[c.BaseCode]); now != c.Draft.Version {
			stale = append(stale, apperr.New(apperr.Conflict, fmt.Sprintf("changes[%d].draft.version", i), "catdb.item_has_had_version_published_since", c.Name, now))
		}
	}
	if len(stale) > 0 {
		return stale
	}
	changed, err := catalog.ApplyAdjustment(a, plain(hs), at)
	if err != nil {
		return err
	}
	published, err := s.store(ctx, tx, who, b, &adjID, changed, hs, at)
	if err != nil {
		return err
	}
	if err := s.closeOwnReviews(ctx, tx, who, b, a, adjID, at); err != nil {
		return err
	}
	return s.openReviews(ctx, tx, who, b, published, at)
}

// store writes the histories an adjustment or a demo replay produced: new
// versions are inserted (catalog.version.published, with the canonical
// content and its hash as Payload: the audit leaf that proves the version,
// C9), earlier ones only get their status and end (catalog.version.closed),
// and the item row follows its newest version.
func (s *Service) store(ctx context.Context, tx *store.Tx, who string, b body, adjID *int64,
	changed map[string][]catalog.ItemVersion, hs map[string]*history, at time.Time) ([]Version, error) {
	keys := make([]string, 0, len(changed))
	for k := range changed {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var published []Version
	for _, code := range keys {
		nh := changed[code]
		h := hs[code]
		if h == nil {
			h = &history{ids: map[int]int64{}}
		}
		newest := nh[0]
		for _, v := range nh {
			if v.Version > newest.Version {
				newest = v
			}
		}
		st := standingOf(newest.Status)
		now := store.Micros(at)
		if h.itemID == 0 {
			if err := tx.QueryRow(ctx, `INSERT INTO catalog_items (body_id, base_code, impl_code, name, category, unit, standing, version, created_at, updated_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, b.ID, code, newest.ImplCode, newest.Name, string(newest.Category),
				newest.Unit, string(st), newest.Version, now, now).Scan(&h.itemID); err != nil {
				if store.IsUniqueViolation(err) {
					return nil, apperr.Conflictf("catdb.item_is_already_on_the_list", code)
				}
				return nil, err
			}
			if err := emit(ctx, tx, who, b.ID, "catalog.item.created", ObjItem, h.itemID, "", string(st), nil); err != nil {
				return nil, err
			}
		} else {
			if err := lock(ctx, tx, ObjItem, h.itemID); err != nil {
				return nil, err
			}
			if _, err := tx.Exec(ctx, `UPDATE catalog_items SET impl_code = ?, name = ?, category = ?, unit = ?, standing = ?, version = ?, updated_at = ? WHERE id = ?`,
				newest.ImplCode, newest.Name, string(newest.Category), newest.Unit, string(st), newest.Version, now, h.itemID); err != nil {
				return nil, err
			}
			if err := emit(ctx, tx, who, b.ID, "catalog.item.updated", ObjItem, h.itemID, h.item.Standing, string(st), nil); err != nil {
				return nil, err
			}
		}
		old := map[int]catalog.ItemVersion{}
		for _, v := range h.versions {
			old[v.Version] = v
		}
		for _, v := range nh {
			if id, ok := h.ids[v.Version]; ok {
				o := old[v.Version]
				if o.Status == v.Status && sameTime(o.ValidTo, v.ValidTo) {
					continue
				}
				if err := lock(ctx, tx, ObjVersion, id); err != nil {
					return nil, err
				}
				if _, err := tx.Exec(ctx, `UPDATE catalog_versions SET status = ?, valid_to = ? WHERE id = ?`,
					string(v.Status), microsOrNil(v.ValidTo), id); err != nil {
					return nil, err
				}
				if err := emit(ctx, tx, who, b.ID, "catalog.version.closed", ObjVersion, id, string(o.Status), string(v.Status), nil); err != nil {
					return nil, err
				}
				continue
			}
			nv, err := insertVersion(ctx, tx, who, b, h.itemID, adjID, v)
			if err != nil {
				return nil, err
			}
			h.ids[v.Version] = nv.ID
			if s.index != nil {
				if err := s.index(ctx, tx, nv); err != nil {
					return nil, fmt.Errorf("catdb: index version %d: %w", nv.ID, err)
				}
			}
			published = append(published, nv)
		}
		h.versions = nh
		h.item.Standing = string(st)
		hs[code] = h
	}
	return published, nil
}

// Publication is the Payload of catalog.version.published: the version's
// canonical content and its SHA-256, so the audit leaf alone proves what
// was published (C9).
type Publication struct {
	BodyID      int64           `json:"body_id"`
	BaseCode    string          `json:"base_code"`
	ImplCode    string          `json:"impl_code"`
	Version     int             `json:"version"`
	Status      string          `json:"status"`
	PublishedAt time.Time       `json:"published_at"`
	Content     json.RawMessage `json:"content"`
	ContentHash string          `json:"content_hash"`
}

func insertVersion(ctx context.Context, tx *store.Tx, who string, b body, itemID int64, adjID *int64, v catalog.ItemVersion) (Version, error) {
	content, err := catalog.CanonicalJSON(v)
	if err != nil {
		return Version{}, err
	}
	hash, err := catalog.ContentHash(v)
	if err != nil {
		return Version{}, err
	}
	if hash != v.ContentHash {
		return Version{}, fmt.Errorf("catdb: version %s v%d: hash %s differs from publication's %s", v.BaseCode, v.Version, hash, v.ContentHash)
	}
	var adj any
	if adjID != nil {
		adj = *adjID
	}
	var id int64
	if err := tx.QueryRow(ctx, `INSERT INTO catalog_versions (item_id, body_id, version, status, valid_from, valid_to, published_at, adjustment_id, content, content_hash)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, itemID, b.ID, v.Version, string(v.Status), store.Micros(v.ValidFrom),
		microsOrNil(v.ValidTo), store.Micros(*v.PublishedAt), adj, string(content), hash).Scan(&id); err != nil {
		return Version{}, err
	}
	pub := Publication{BodyID: b.ID, BaseCode: v.BaseCode, ImplCode: v.ImplCode, Version: v.Version, Status: string(v.Status),
		PublishedAt: v.PublishedAt.UTC(), Content: content, ContentHash: hash}
	if err := emit(ctx, tx, who, b.ID, "catalog.version.published", ObjVersion, id, "", string(v.Status), pub); err != nil {
		return Version{}, err
	}
	out := Version{ID: id, ItemID: itemID, BodyID: b.ID, ItemVersion: v.Clone()}
	if adjID != nil {
		out.AdjustmentID = *adjID
	}
	return out, nil
}

func standingOf(s catalog.VersionStatus) catalog.Standing {
	switch s {
	case catalog.StatusSuspended:
		return catalog.Suspended
	case catalog.StatusCancelled:
		return catalog.Cancelled
	case catalog.StatusPublished, catalog.StatusSuperseded:
		return catalog.Listed
	}
	return catalog.Unknown
}

func sameTime(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Equal(*b)
}

// openReviews gives every derived body (the children of b) a review task for
// each of its items that b just republished, due in 5 working days by the
// derived body's calendar (C6).
func (s *Service) openReviews(ctx context.Context, tx *store.Tx, who string, b body, published []Version, at time.Time) error {
	if len(published) == 0 {
		return nil
	}
	rows, err := tx.Query(ctx, `SELECT id FROM bodies WHERE parent_id = ? AND active = TRUE ORDER BY id`, b.ID)
	if err != nil {
		return err
	}
	var children []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return err
		}
		children = append(children, id)
	}
	if err := rows.Close(); err != nil {
		return err
	}
	versionID := map[string]int64{}
	for _, v := range published {
		versionID[v.BaseCode] = v.ID
	}
	for _, cid := range children {
		child, err := getBody(ctx, tx, cid)
		if err != nil {
			return err
		}
		lower, err := currentList(ctx, tx, cid, false)
		if err != nil {
			return err
		}
		lower = slices.DeleteFunc(lower, func(v Version) bool { return v.Status == catalog.StatusCancelled })
		if len(lower) == 0 {
			continue
		}
		cal, err := s.calendarFor(ctx, child)
		if err != nil {
			return err
		}
		var calErr error
		due := func(t time.Time, n int) time.Time {
			d, err := cal.DueWorkingDays(t, n)
			if err != nil && calErr == nil {
				calErr = err
			}
			return d
		}
		reviews := catalog.ReviewsDue(pure(published), pure(lower), due)
		if calErr != nil {
			return fmt.Errorf("catdb: review deadline for body %d: %w", cid, calErr)
		}
		for _, r := range reviews {
			viol := ""
			if r.Violations != nil {
				viol = violationText(r.Violations)
			}
			// One open task per body and item: the newer upper version is
			// what the body must now review, so an older open task is
			// closed as superseded rather than listed twice.
			if err := s.closeReviews(ctx, tx, who, cid, `base_code = ?`, []any{r.BaseCode},
				"由上级新公布的版本取代 / superseded by the upper level's newer version", at); err != nil {
				return err
			}
			now := store.Micros(at)
			var id int64
			if err := tx.QueryRow(ctx, `INSERT INTO catalog_reviews (body_id, upper_body_id, upper_version_id, base_code, name, due, status, violations, created_at, updated_at, version)
				VALUES (?, ?, ?, ?, ?, ?, 'open', ?, ?, ?, 1) RETURNING id`, cid, b.ID, versionID[r.BaseCode], r.BaseCode, r.Name,
				store.Micros(r.Due), viol, now, now).Scan(&id); err != nil {
				return err
			}
			if err := emit(ctx, tx, who, cid, "catalog.review.opened", ObjReview, id, "", ReviewOpen, nil); err != nil {
				return err
			}
		}
	}
	return nil
}

// closeOwnReviews marks b's open review tasks for the items the adjustment
// touches as done: publishing the adjustment is the review's outcome.
func (s *Service) closeOwnReviews(ctx context.Context, tx *store.Tx, who string, b body, a catalog.Adjustment, adjID int64, at time.Time) error {
	for _, code := range codes(a) {
		if err := s.closeReviews(ctx, tx, who, b.ID, `base_code = ?`, []any{code},
			fmt.Sprintf("adjustment %d", adjID), at); err != nil {
			return err
		}
	}
	return nil
}

func (s *Service) closeReviews(ctx context.Context, tx *store.Tx, who string, bodyID int64, cond string, args []any, note string, at time.Time) error {
	rows, err := tx.Query(ctx, `SELECT id FROM catalog_reviews WHERE body_id = ? AND status = 'open' AND `+cond, append([]any{bodyID}, args...)...)
	if err != nil {
		return err
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return err
		}
		ids = append(ids, id)
	}
	if err := rows.Close(); err != nil {
		return err
	}
	for _, id := range ids {
		if err := lock(ctx, tx, ObjReview, id); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE catalog_reviews SET status = 'done', note = ?, done_by = ?, done_at = ?, updated_at = ?, version = version + 1 WHERE id = ?`,
			note, who, store.Micros(at), store.Micros(at), id); err != nil {
			return err
		}
		if err := emit(ctx, tx, who, bodyID, "catalog.review.done", ObjReview, id, ReviewOpen, ReviewDone, nil); err != nil {
			return err
		}
	}
	return nil
}

// CompleteReview records that a derived body reviewed an item and needs no
// adjustment (C6), with a note. A list liaison or the general office of the
// body may do it.
func (s *Service) CompleteReview(ctx context.Context, p access.Principal, id int64, note string) (Review, error) {
	var out Review
	note = strings.TrimSpace(note)
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		r, err := scanReviewRow(tx.QueryRow(ctx, `SELECT `+reviewCols+` FROM catalog_reviews WHERE id = ?`, id))
		if err != nil {
			return notFound(err, "review")
		}
		b, err := getBody(ctx, tx, r.BodyID)
		if err != nil {
			return err
		}
		if err := canWrite(p, b); err != nil {
			return err
		}
		if !p.HasAny(access.RoleListLiaison, access.RoleGeneralOffice) || p.BodyID != r.BodyID {
			return apperr.Forbiddenf("catdb.only_a_list_liaison_or_the")
		}
		if r.Status != ReviewOpen {
			return apperr.Conflictf("catdb.this_review_is_already_done")
		}
		if note == "" {
			return apperr.Invalidf("note", "catdb.conclusion_required")
		}
		if len(reviewProblems(r.Violations)) > 0 {
			// C5: the item lacks what the upper list requires; leaving it
			// so needs the upper level's approval (RequestExemption).
			return apperr.New(apperr.Conflict, "note", "catdb.the_item_conflicts_with_the_upper")
		}
		if err := s.closeReviews(ctx, tx, login(p), r.BodyID, `id = ?`, []any{id}, note, s.now().UTC()); err != nil {
			return err
		}
		r, err = scanReviewRow(tx.QueryRow(ctx, `SELECT `+reviewCols+` FROM catalog_reviews WHERE id = ?`, id))
		out = reviewFromRow(r, s.now())
		return err
	})
	return out, err
}

// ReformSeats are the review groups of the reform office (C3) a
// general-office staff member sits in. Version names this state of them:
// 1 plus the versions of the member's membership rows, which are 1 when
// inserted, grow by one with every change and are never deleted, so it
// grows with every change of the seats.
type ReformSeats struct {
	StaffID int64                 `json:"staff_id"`
	Groups  []catalog.ReformGroup `json:"groups"`
	Version int64                 `json:"version"`
}

// ReformSeats reads a staff member's seats; p must cover their body.
func (s *Service) ReformSeats(ctx context.Context, p access.Principal, staffID int64) (ReformSeats, error) {
	var bodyID int64
	if err := s.db.QueryRow(ctx, `SELECT body_id FROM staff WHERE id = ?`, staffID).Scan(&bodyID); err != nil {
		return ReformSeats{}, notFound(err, "staff_id")
	}
	b, err := getBody(ctx, s.db, bodyID)
	if err != nil {
		return ReformSeats{}, err
	}
	if err := canRead(p, b); err != nil {
		return ReformSeats{}, err
	}
	seats, _, err := reformSeats(ctx, s.db, staffID)
	return seats, err
}

// seatsBase is the version of seats without any membership row.
const seatsBase = 1

// seatRow adds one membership row to seats being read (groups, version).
func seatRow(groups []catalog.ReformGroup, version int64, grp string, active bool, rowVersion int64) ([]catalog.ReformGroup, int64) {
	if active {
		groups = append(groups, catalog.ReformGroup(grp))
	}
	return groups, version + rowVersion
}

// reformSeats reads a member's seats and their membership rows by group.
func reformSeats(ctx context.Context, q store.Querier, staffID int64) (ReformSeats, map[catalog.ReformGroup]memberRow, error) {
	rows, err := q.Query(ctx, `SELECT `+memberCols+` FROM catalog_reform_members WHERE staff_id = ? ORDER BY grp`, staffID)
	if err != nil {
		return ReformSeats{}, nil, err
	}
	defer rows.Close()
	out, byGroup := ReformSeats{StaffID: staffID, Groups: []catalog.ReformGroup{}, Version: seatsBase}, map[catalog.ReformGroup]memberRow{}
	for rows.Next() {
		r, err := scanMemberRow(rows)
		if err != nil {
			return ReformSeats{}, nil, err
		}
		byGroup[catalog.ReformGroup(r.Group)] = r
		out.Groups, out.Version = seatRow(out.Groups, out.Version, r.Group, r.Active, r.Version)
	}
	return out, byGroup, rows.Err()
}

// SetReformGroups sets which review groups of the reform office (C3) a
// general-office staff member belongs to, as seen at version (see
// ReformSeats): if the seats changed since, nothing is changed and the
// error is apperr.Stale. An administrator or the general office of the
// staff member's body, in jurisdiction, may set them.
func (s *Service) SetReformGroups(ctx context.Context, p access.Principal, staffID, version int64, groups []catalog.ReformGroup) (ReformSeats, error) {
	for i, g := range groups {
		if g != catalog.PowerListGroup && g != catalog.DutyListGroup {
			return ReformSeats{}, apperr.Invalidf(fmt.Sprintf("groups[%d]", i), "catdb.review_group_is_invalid", g)
		}
	}
	var out ReformSeats
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		var err error
		out, err = setReformGroups(ctx, tx, p, staffID, version, groups, s.now().UTC())
		return err
	})
	return out, err
}

func setReformGroups(ctx context.Context, tx *store.Tx, p access.Principal, staffID, version int64, groups []catalog.ReformGroup, now time.Time) (ReformSeats, error) {
	if err := refuseSelfSeat(ctx, tx, p, staffID, groups); err != nil {
		return ReformSeats{}, err
	}
	var bodyID int64
	var roles, name string
	if err := tx.QueryRow(ctx, `SELECT body_id, roles, name FROM staff WHERE id = ? AND active = TRUE`, staffID).Scan(&bodyID, &roles, &name); err != nil {
		return ReformSeats{}, notFound(err, "staff_id")
	}
	b, err := getBody(ctx, tx, bodyID)
	if err != nil {
		return ReformSeats{}, err
	}
	if err := canWrite(p, b); err != nil {
		return ReformSeats{}, err
	}
	if !p.HasAny(access.RoleAdmin, access.RoleGeneralOffice) {
		return ReformSeats{}, apperr.Forbiddenf("catdb.only_an_administrator_or_the_general")
	}
	if len(groups) > 0 && !strings.Contains(roles, string(access.RoleGeneralOffice)) {
		return ReformSeats{}, apperr.Invalidf("staff_id", "catdb.review_group_members_must_be_general")
	}
	// The staff row's lock serialises seat changes of one member across
	// instances: the seats read below are then the last committed, rows
	// that do not exist yet included.
	if _, err := org.LockStaff(ctx, tx, staffID); err != nil {
		return ReformSeats{}, err
	}
	seats, rows, err := reformSeats(ctx, tx, staffID)
	if err != nil {
		return ReformSeats{}, err
	}
	if version <= 0 { // after the permission checks: a forbidden change is refused as such
		return ReformSeats{}, apperr.VersionMissing()
	}
	stale := apperr.Stale("catdb.the_review_groups_of", name)
	if seats.Version != version {
		return ReformSeats{}, stale
	}
	for _, g := range []catalog.ReformGroup{catalog.PowerListGroup, catalog.DutyListGroup} {
		want := slices.Contains(groups, g)
		r, exists := rows[g]
		switch {
		case !exists && want:
			var id int64
			if err := tx.QueryRow(ctx, `INSERT INTO catalog_reform_members (body_id, staff_id, grp, active, version, created_at, updated_at) VALUES (?, ?, ?, TRUE, 1, ?, ?) RETURNING id`,
				bodyID, staffID, string(g), store.Micros(now), store.Micros(now)).Scan(&id); err != nil {
				return ReformSeats{}, err
			}
			if err := emit(ctx, tx, login(p), bodyID, "catalog.reform_group.joined", ObjReformGroup, id, "", string(g), nil); err != nil {
				return ReformSeats{}, err
			}
		case exists && r.Active != want:
			if err := lock(ctx, tx, ObjReformGroup, r.ID); err != nil {
				return ReformSeats{}, err
			}
			tx.QueueExpect(ctx, 1, stale, `UPDATE catalog_reform_members SET active = ?, updated_at = ?, version = version + 1 WHERE id = ? AND version = ?`,
				want, store.Micros(now), r.ID, r.Version)
			action := "catalog.reform_group.left"
			if want {
				action = "catalog.reform_group.joined"
			}
			if err := emit(ctx, tx, login(p), bodyID, action, ObjReformGroup, r.ID, "", string(g), nil); err != nil {
				return ReformSeats{}, err
			}
		}
	}
	seats, _, err = reformSeats(ctx, tx, staffID)
	return seats, err
}

// refuseSelfSeat: nobody puts themselves into a review group (O3); leaving
// one, or saving one's groups unchanged, is allowed.
func refuseSelfSeat(ctx context.Context, tx *store.Tx, p access.Principal, staffID int64, groups []catalog.ReformGroup) error {
	if p.StaffID == 0 || p.StaffID != staffID {
		return nil
	}
	for _, g := range groups {
		var n int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM catalog_reform_members WHERE staff_id = ? AND grp = ? AND active = TRUE`,
			staffID, string(g)).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return apperr.Forbiddenf("catdb.you_cannot_put_yourself_into_a")
		}
	}
	return nil
}

// ReformGroups returns the groups a staff member belongs to.
func (s *Service) ReformGroups(ctx context.Context, staffID int64) ([]catalog.ReformGroup, error) {
	a, err := actor(ctx, s.db, access.Principal{StaffID: staffID, Roles: []access.Role{access.RoleGeneralOffice}})
	if err != nil {
		return nil, err
	}
	return a.Groups, nil
}
