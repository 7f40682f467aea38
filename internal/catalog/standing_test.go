package catalog

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/qingdan/qingdan/internal/apperr"
)

// nextDraft turns the newest version of h into a draft for the next one.
func nextDraft(h []ItemVersion) ItemVersion {
	d := latest(h).Clone()
	d.Status, d.PublishedAt, d.ValidTo, d.ContentHash, d.ValidFrom = StatusDraft, nil, nil, "", time.Time{}
	return d
}

func mustPublish(t *testing.T, h []ItemVersion, d ItemVersion, effect VersionStatus, at time.Time) []ItemVersion {
	t.Helper()
	out, err := Publish(h, d, effect, at)
	if err != nil {
		t.Fatalf("publish %s at %v: %v", effect, at, err)
	}
	return out
}

// history: listed from 1 Jan, changed 1 Mar, suspended 1 May, re-enabled
// 1 Jul, cancelled 1 Sep 2026.
func history(t *testing.T) []ItemVersion {
	h := mustPublish(t, nil, validItem(), StatusPublished, day(2026, 1, 1))
	d := nextDraft(h)
	d.PromisedLimit.Value = 8
	d.Steps[1].Limit.Value = 5
	h = mustPublish(t, h, d, StatusPublished, day(2026, 3, 1))
	h = mustPublish(t, h, nextDraft(h), StatusSuspended, day(2026, 5, 1))
	h = mustPublish(t, h, nextDraft(h), StatusPublished, day(2026, 7, 1))
	return mustPublish(t, h, nextDraft(h), StatusCancelled, day(2026, 9, 1))
}

func TestStanding_C4_listedSuspendedCancelledUnknownWithVersionInForce(t *testing.T) {
	h := history(t)
	cases := []struct {
		at      time.Time
		want    Standing
		version int
	}{
		{day(2025, 12, 31), Unknown, 0},
		{day(2026, 1, 1), Listed, 1},
		{day(2026, 2, 28), Listed, 1},
		{day(2026, 3, 2), Listed, 2},
		{day(2026, 5, 2), Suspended, 3},
		{day(2026, 7, 2), Listed, 4},
		{day(2026, 9, 2), Cancelled, 5},
		{day(2030, 1, 1), Cancelled, 5},
	}
	for _, c := range cases {
		got, v := StandingAt(h, c.at)
		if got != c.want {
			t.Errorf("%v: %s, want %s", c.at, got, c.want)
		}
		if c.version == 0 && v != nil || c.version != 0 && (v == nil || v.Version != c.version) {
			t.Errorf("%v: version in force %v, want v%d", c.at, v, c.version)
		}
		if got.MayOpenCase() != (c.want == Listed) {
			t.Errorf("%v: MayOpenCase wrong for %s", c.at, got)
		}
	}
	if got, _ := StandingAt(nil, day(2026, 1, 1)); got != Unknown {
		t.Error("an item never listed is not unknown")
	}
}

func TestStanding_C4_draftsAndLaterPublicationsDoNotCount(t *testing.T) {
	h := mustPublish(t, nil, validItem(), StatusPublished, day(2026, 1, 1))
	// A back-dated version published on 1 March, valid from 1 February, must
	// not change what the list said on 15 February.
	d := nextDraft(h)
	d.ValidFrom = day(2026, 2, 1)
	h = mustPublish(t, h, d, StatusSuspended, day(2026, 3, 1))
	if got, v := StandingAt(h, day(2026, 2, 15)); got != Listed || v.Version != 1 {
		t.Errorf("15 Feb: %s v%d, want listed v1", got, v.Version)
	}
	if got, _ := StandingAt(h, day(2026, 3, 2)); got != Suspended {
		t.Errorf("after publication: %s, want suspended", got)
	}
	draftOnly := []ItemVersion{validItem()}
	if got, _ := StandingAt(draftOnly, day(2026, 3, 2)); got != Unknown {
		t.Errorf("a draft made the item %s", got)
	}
}

func TestPublish_C4_itemMustBeListedBeforeItCanBeSuspendedOrChanged(t *testing.T) {
	if _, err := Publish(nil, validItem(), StatusSuspended, day(2026, 1, 1)); apperr.CodeOf(err) != apperr.Conflict {
		t.Errorf("suspending an unlisted item: %v", err)
	}
	h := history(t) // cancelled
	if _, err := Publish(h, nextDraft(h), StatusSuspended, day(2026, 10, 1)); apperr.CodeOf(err) != apperr.Conflict {
		t.Errorf("suspending a cancelled item: %v", err)
	}
	// Re-adding a cancelled item is an add: a new listed version.
	h = mustPublish(t, h, nextDraft(h), StatusPublished, day(2026, 10, 1))
	if got, _ := StandingAt(h, day(2026, 10, 2)); got != Listed {
		t.Errorf("re-added item is %s", got)
	}
}

func TestVersions_C9_publishedVersionsNeverAlteredAndOldOnesStayVisible(t *testing.T) {
	h := history(t)
	if len(h) != 5 {
		t.Fatalf("%d versions, want 5 (old versions must stay)", len(h))
	}
	for i, v := range h {
		if v.Version != i+1 || v.PublishedAt == nil || v.ContentHash == "" {
			t.Errorf("v%d: number/publication/hash missing: %+v", i+1, v)
		}
		if !Unchanged(v) {
			t.Errorf("v%d: hash does not match after later publications", v.Version)
		}
		if i < 4 && (v.ValidTo == nil || !v.ValidTo.Equal(h[i+1].ValidFrom)) {
			t.Errorf("v%d not closed where v%d starts", v.Version, i+2)
		}
	}
	if h[0].Status != StatusSuperseded || h[2].Status != StatusSuspended || h[4].Status != StatusCancelled {
		t.Errorf("statuses %s %s %s", h[0].Status, h[2].Status, h[4].Status)
	}
	// Tampering with a published version is detected.
	bad := h[1].Clone()
	bad.Fee.Items[0].MaxFen = 99900
	if Unchanged(bad) {
		t.Error("altered fee not detected")
	}
	if !hasField(t, bad.Validate(), "content_hash") {
		t.Error("Validate accepts an altered published version")
	}
	// Publishing is only ever of a draft: a published version cannot be
	// republished in place.
	if _, err := Publish(h, h[4], StatusPublished, day(2026, 12, 1)); apperr.CodeOf(err) != apperr.Conflict {
		t.Errorf("republishing a published version: %v", err)
	}
	// A new version must start after the one before.
	d := nextDraft(h)
	d.ValidFrom = day(2026, 8, 1)
	if _, err := Publish(h, d, StatusPublished, day(2026, 12, 1)); !hasField(t, err, "valid_from") {
		t.Errorf("back-dated before the previous version: %v", err)
	}
}

func TestVersions_C9_hashSurvivesStorageRoundTrip(t *testing.T) {
	h := history(t)
	v := h[1]
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var back ItemVersion
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	// The store keeps unix microseconds in UTC.
	back.ValidFrom = time.UnixMicro(back.ValidFrom.UnixMicro()).UTC()
	back.Materials = append([]Material{}, back.Materials...)
	if !Unchanged(back) {
		t.Error("hash changed through JSON and microsecond storage")
	}
	// Nil and empty slices are the same content.
	e := validItem()
	e.Steps[0].Risks = []RiskPoint{}
	a, _ := ContentHash(validItem())
	b2, _ := ContentHash(e)
	if a != b2 {
		t.Error("nil and empty slices hash differently")
	}
	c, _ := CanonicalJSON(v)
	if string(c) == "" || c[0] != '{' || stringsIndex(string(c), "\n") >= 0 || stringsIndex(string(c), `"status"`) >= 0 {
		t.Errorf("canonical JSON has whitespace or lifecycle fields: %.200s", c)
	}
}

func stringsIndex(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return i
		}
	}
	return -1
}
