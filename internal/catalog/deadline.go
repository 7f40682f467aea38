package catalog

import (
	"slices"
	"time"
)

// PublicationDays are the publication deadlines of C8 (seed 000 art. 23), in
// natural days: a convenience-service item within 3 days of its approval, a
// normative document within 20 days of its issue.
const (
	ServiceItemPublicationDays  = 3
	NormativeDocPublicationDays = 20
)

// PublicationDeadline is the end of the n-th natural day after the day of
// start, in start's time zone (L11: the start day is not counted). Pass the
// approval time in the body's zone (Asia/Shanghai by default).
//
// L11 would push a deadline falling on a rest day to the next working day;
// publishing on the portal is possible any day, so the stricter plain count
// is used here. A caller holding the calendar may extend it.
func PublicationDeadline(start time.Time, n int) time.Time {
	y, m, d := start.Date()
	return time.Date(y, m, d+n+1, 0, 0, 0, 0, start.Location())
}

// PublicationLate reports whether something approved (or issued) at start
// with an n-day deadline is late at now: published after the deadline, or
// still unpublished when the deadline has passed. publishedAt is nil while
// unpublished.
func PublicationLate(start time.Time, n int, publishedAt *time.Time, now time.Time) bool {
	dl := PublicationDeadline(start, n)
	if publishedAt != nil {
		return !publishedAt.Before(dl)
	}
	return !now.Before(dl)
}

// AdjustmentPublicationLate applies C8 to an approved adjustment: it is late
// when it concerns at least one government-service item (IsServiceItem)
// and was not published within 3 days of approval. Adjustments touching only
// penalties, levies, coercion or inspections carry no such deadline.
func AdjustmentPublicationLate(adj Adjustment, now time.Time) bool {
	if adj.ApprovedAt == nil || !slices.ContainsFunc(adj.Changes, Change.concernsService) {
		return false
	}
	return PublicationLate(*adj.ApprovedAt, ServiceItemPublicationDays, adj.PublishedAt, now)
}

// concernsService reads the category from the draft, or from the base
// code's category digits when there is no draft (suspend, cancel).
func (c Change) concernsService() bool {
	if c.Draft != nil {
		return c.Draft.IsServiceItem()
	}
	if len(c.BaseCode) < 2 {
		return false
	}
	cat, ok := CategoryByCode(c.BaseCode[:2])
	return ok && cat.IsService()
}

// ReviewDays is how long a unit has to adjust its own list after the upper
// level publishes (C6, seed 002 §三(四)), in working days.
const ReviewDays = 5

// Review is one derived item a lower body must re-examine because the upper
// level published a new version of it.
type Review struct {
	BaseCode string    `json:"base_code"`
	Name     string    `json:"name"`
	Due      time.Time `json:"due"` // end of the 5th working day after publication
	// Violations are the C5 problems the lower item now has against the
	// new upper version (nil when it still derives cleanly but must still be
	// looked at).
	Violations error `json:"-"`
}

// ReviewsDue lists the items of a lower list that need review after the
// upper level published the versions in published (C6): every lower item
// whose base code was republished, plus a note of which now break C5. The
// deadline is counted by the calendar through addWorkingDays so this package
// does not depend on its API.
func ReviewsDue(published []ItemVersion, lower []ItemVersion, addWorkingDays func(time.Time, int) time.Time) []Review {
	var out []Review
	for _, u := range published {
		if u.PublishedAt == nil {
			continue
		}
		for _, l := range lower {
			if l.BaseCode != u.BaseCode {
				continue
			}
			r := Review{BaseCode: l.BaseCode, Name: l.Name, Due: addWorkingDays(*u.PublishedAt, ReviewDays)}
			if u.Status == StatusPublished {
				r.Violations = CheckDerived([]ItemVersion{u}, []ItemVersion{l})
			}
			out = append(out, r)
		}
	}
	return out
}

// ReviewOverdue reports whether a review is overdue at now, given when the
// lower body last adjusted the item (nil: not yet).
func ReviewOverdue(r Review, adjustedAt *time.Time, now time.Time) bool {
	if adjustedAt != nil {
		return adjustedAt.After(r.Due)
	}
	return now.After(r.Due)
}
