package catalog

import (
	"fmt"
	"slices"
	"time"

	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/msg"
)

// Standing is what the list says about an item at an instant (C4).
type Standing string

const (
	Listed    Standing = "listed"    // 在清单内,可依此办件
	Suspended Standing = "suspended" // 已暂停
	Cancelled Standing = "cancelled" // 已取消
	Unknown   Standing = "unknown"   // 未列入清单 (never published, or not yet at that instant)
)

// MayOpenCase reports whether a case may be opened under an item in this
// standing: only listed items (C4; anything else is an S5 alarm).
func (s Standing) MayOpenCase() bool { return s == Listed }

// In names the standing in lang; anything but listed, suspended and
// cancelled is unknown (未列入清单).
func (s Standing) In(lang string) string {
	switch s {
	case Listed, Suspended, Cancelled:
	default:
		s = Unknown
	}
	return msg.Name(lang, "catalog.standing", string(s))
}

// StandingAt says whether an item is listed, suspended, cancelled or unknown
// at instant at, and which version was in force then (nil for Unknown). This
// is the one check case handling calls before opening a case (C4).
//
// versions are all versions of one item at one body, in any order. The
// version in force is the newest one that had been published by at and
// whose validity had begun by at. Published-by-at matters: a version
// published later with a back-dated start must not rewrite what the list
// said at that moment. Drafts never count.
func StandingAt(versions []ItemVersion, at time.Time) (Standing, *ItemVersion) {
	var in *ItemVersion
	for i := range versions {
		v := &versions[i]
		if !v.Status.IsPublic() || v.PublishedAt == nil || v.PublishedAt.After(at) || v.ValidFrom.After(at) {
			continue
		}
		if in == nil || v.Version > in.Version {
			in = v
		}
	}
	if in == nil {
		return Unknown, nil
	}
	switch in.Status {
	case StatusSuspended:
		return Suspended, in
	case StatusCancelled:
		return Cancelled, in
	}
	return Listed, in
}

// latest returns the newest published version in history (nil if none).
func latest(history []ItemVersion) *ItemVersion {
	var l *ItemVersion
	for i := range history {
		if history[i].Status.IsPublic() && (l == nil || history[i].Version > l.Version) {
			l = &history[i]
		}
	}
	return l
}

// currentStanding is the standing the newest published version gives,
// regardless of start dates: what an adjustment builds on.
func currentStanding(history []ItemVersion) Standing {
	l := latest(history)
	if l == nil {
		return Unknown
	}
	switch l.Status {
	case StatusSuspended:
		return Suspended
	case StatusCancelled:
		return Cancelled
	}
	return Listed
}

// Publish appends next as the newest published version of an item (C9): the
// old versions stay, the previous one is closed at next's start and, if it
// listed the item, marked superseded; next gets its number, publication time
// and content hash. effect is what next records: StatusPublished (listed),
// StatusSuspended or StatusCancelled. history is not modified.
func Publish(history []ItemVersion, next ItemVersion, effect VersionStatus, at time.Time) ([]ItemVersion, error) {
	if next.Status != StatusDraft {
		return nil, apperr.Conflictf("catalog.only_a_draft_can_be_published", next.Status)
	}
	if effect != StatusPublished && effect != StatusSuspended && effect != StatusCancelled {
		return nil, apperr.Invalidf("effect", "catalog.publication_effect_is_invalid", effect)
	}
	from := currentStanding(history)
	allowed := map[VersionStatus][]Standing{
		StatusPublished: {Unknown, Listed, Suspended, Cancelled},
		StatusSuspended: {Listed},
		StatusCancelled: {Listed, Suspended},
	}[effect]
	if !slices.Contains(allowed, from) {
		return nil, apperr.New(apperr.Conflict, "", "catalog.the_item_is_it_cannot_be", from, effect,
			string(from))
	}
	out := make([]ItemVersion, len(history))
	for i := range history {
		out[i] = history[i].Clone()
	}
	next = next.Clone()
	if next.ValidFrom.IsZero() {
		next.ValidFrom = at
	}
	next.Version = 1
	prev := latest(out)
	if prev != nil {
		if prev.BaseCode != next.BaseCode || prev.ImplCode != next.ImplCode {
			return nil, apperr.Invalidf("impl_code", "catalog.a_new_version_must_keep_the", prev.ImplCode)
		}
		if !next.ValidFrom.After(prev.ValidFrom) {
			return nil, apperr.Invalidf("valid_from", "catalog.a_new_version_must_take_effect", prev.ValidFrom.Format(time.DateOnly))
		}
		for _, v := range out {
			next.Version = max(next.Version, v.Version+1)
		}
		// The previous version stays visible as history, closed where the new
		// one starts. Only its lifecycle fields change, not its hash (C9).
		prev.ValidTo = new(next.ValidFrom)
		if prev.Status == StatusPublished {
			prev.Status = StatusSuperseded
		}
	}
	next.Status = effect
	next.PublishedAt = new(at)
	next.ValidTo = nil
	h, err := ContentHash(next)
	if err != nil {
		return nil, fmt.Errorf("catalog: hash version: %w", err)
	}
	next.ContentHash = h
	if err := next.Validate(); err != nil {
		return nil, err
	}
	return append(out, next), nil
}
