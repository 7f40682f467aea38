package catalog

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"time"

	"github.com/qingdan/qingdan/internal/access"
)

// The demo district's list (issue #4 item 10): 青山区 with 青山街道 and
// 溪口镇 (the bodies of org's demo district; the files dongfenglu.json and
// baisha.json keep their first names), written as data. Item versions are stored as the public sees them
// and are replayed through Publish on load, so the demo exercises the same
// publication code as production and every hash is computed, not stored.
//
//go:embed demo/*.json
var demoFS embed.FS

// DemoStaff is a demo account as far as the catalogue needs it.
type DemoStaff struct {
	Login  string        `json:"login"`
	Name   string        `json:"name"`
	Roles  []access.Role `json:"roles"`
	UnitID int64         `json:"unit_id"`
	Head   bool          `json:"head,omitempty"`
	Groups []ReformGroup `json:"groups,omitempty"`
}

// DemoUnit is a demo unit (站所/科室).
type DemoUnit struct {
	ID    int64  `json:"id"`
	Name  string `json:"name"`
	Phone string `json:"phone"`
}

// DemoBody is a demo body; UpperID is 0 for the district.
type DemoBody struct {
	ID              int64       `json:"id"`
	Key             string      `json:"key"`
	Name            string      `json:"name"`
	Level           Level       `json:"level"`
	UpperID         int64       `json:"upper_id,omitempty"`
	CreditCode      string      `json:"credit_code"`
	Address         string      `json:"address"`
	Hours           string      `json:"hours"`
	ComplaintOffice string      `json:"complaint_office"`
	ComplaintPhone  string      `json:"complaint_phone"`
	Units           []DemoUnit  `json:"units"`
	Staff           []DemoStaff `json:"staff"`
}

// Demo is the loaded demo data.
type Demo struct {
	Bodies []DemoBody
	// Lists maps body ID → base code → that item's versions, oldest first.
	Lists map[int64]map[string][]ItemVersion
	// Adjustments are in their demo stages, each with its full trace.
	Adjustments []Adjustment
}

// Actor returns the procedure actor for a demo login.
func (d *Demo) Actor(login string) (Actor, bool) {
	for _, b := range d.Bodies {
		for _, s := range b.Staff {
			if s.Login == login {
				return Actor{Login: s.Login, Roles: s.Roles, BodyID: b.ID, UnitID: s.UnitID, Head: s.Head, Groups: s.Groups}, true
			}
		}
	}
	return Actor{}, false
}

// Current returns the newest published version of every item of a body's
// list (including suspended and cancelled ones), by base code order.
func (d *Demo) Current(bodyID int64) []ItemVersion {
	var out []ItemVersion
	for _, h := range d.Lists[bodyID] {
		if l := latest(h); l != nil {
			out = append(out, *l)
		}
	}
	slices.SortFunc(out, func(a, b ItemVersion) int { return strings.Compare(a.BaseCode, b.BaseCode) })
	return out
}

type demoList struct {
	BodyID   int64         `json:"body_id"`
	Versions []ItemVersion `json:"versions"`
}

type demoAction struct {
	Kind    ActionKind  `json:"kind"`
	Group   ReformGroup `json:"group,omitempty"`
	Comment string      `json:"comment,omitempty"`
	At      time.Time   `json:"at"`
	Actor   string      `json:"actor"`
}

type demoAdjustment struct {
	Adjustment Adjustment   `json:"adjustment"`
	CreatedAt  time.Time    `json:"created_at"`
	Author     string       `json:"author"`
	Actions    []demoAction `json:"actions"`
}

func decodeStrict(name string, v any) error {
	b, err := demoFS.ReadFile(name)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields() // a misspelt element must not vanish silently
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("catalog: demo %s: %w", name, err)
	}
	return nil
}

// LoadDemo loads and checks the demo data: every version is replayed through
// Publish (which validates it), the statuses and end dates the files record
// must be what publication produces, and every adjustment is replayed
// through NewAdjustment and Transition by its demo actors; a published one is
// applied to its body's list with ApplyAdjustment.
func LoadDemo() (*Demo, error) {
	d := &Demo{Lists: map[int64]map[string][]ItemVersion{}}
	if err := decodeStrict("demo/bodies.json", &d.Bodies); err != nil {
		return nil, err
	}
	files, err := fs.Glob(demoFS, "demo/*.json")
	if err != nil {
		return nil, err
	}
	for _, name := range files {
		if name == "demo/bodies.json" || name == "demo/adjustments.json" {
			continue
		}
		var l demoList
		if err := decodeStrict(name, &l); err != nil {
			return nil, err
		}
		if err := d.replayList(name, l); err != nil {
			return nil, err
		}
	}
	var adjs []demoAdjustment
	if err := decodeStrict("demo/adjustments.json", &adjs); err != nil {
		return nil, err
	}
	for i, da := range adjs {
		a, err := d.replayAdjustment(da)
		if err != nil {
			return nil, fmt.Errorf("catalog: demo adjustment %d (%s): %w", i, da.Adjustment.Title, err)
		}
		d.Adjustments = append(d.Adjustments, a)
	}
	return d, nil
}

func (d *Demo) replayList(name string, l demoList) error {
	groups := map[string][]ItemVersion{}
	for _, v := range l.Versions {
		groups[v.BaseCode] = append(groups[v.BaseCode], v)
	}
	if d.Lists[l.BodyID] == nil {
		d.Lists[l.BodyID] = map[string][]ItemVersion{}
	}
	for code, vs := range groups {
		if _, dup := d.Lists[l.BodyID][code]; dup {
			return fmt.Errorf("catalog: demo %s: item %s listed twice for body %d", name, code, l.BodyID)
		}
		slices.SortFunc(vs, func(a, b ItemVersion) int { return a.Version - b.Version })
		var h []ItemVersion
		for _, v := range vs {
			if v.PublishedAt == nil {
				return fmt.Errorf("catalog: demo %s: %s v%d has no publication time", name, v.Name, v.Version)
			}
			draft := v.Clone()
			draft.Status, draft.PublishedAt, draft.ValidTo, draft.ContentHash = StatusDraft, nil, nil, ""
			effect := v.Status
			if effect == StatusSuperseded {
				effect = StatusPublished
			}
			var err error
			if h, err = Publish(h, draft, effect, *v.PublishedAt); err != nil {
				return fmt.Errorf("catalog: demo %s: %s v%d: %w", name, v.Name, v.Version, err)
			}
		}
		for i, v := range vs {
			got := h[i]
			if got.Version != v.Version || got.Status != v.Status || !sameTime(got.ValidTo, v.ValidTo) {
				return fmt.Errorf("catalog: demo %s: %s v%d is recorded as %s until %v, publication makes it v%d %s until %v",
					name, v.Name, v.Version, v.Status, v.ValidTo, got.Version, got.Status, got.ValidTo)
			}
		}
		d.Lists[l.BodyID][code] = h
	}
	return nil
}

func sameTime(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Equal(*b)
}

func (d *Demo) replayAdjustment(da demoAdjustment) (Adjustment, error) {
	author, ok := d.Actor(da.Author)
	if !ok {
		return Adjustment{}, fmt.Errorf("unknown author %q", da.Author)
	}
	a, err := NewAdjustment(da.Adjustment, author, da.CreatedAt)
	if err != nil {
		return Adjustment{}, err
	}
	for _, act := range da.Actions {
		actor, ok := d.Actor(act.Actor)
		if !ok {
			return Adjustment{}, fmt.Errorf("unknown actor %q", act.Actor)
		}
		if a, err = Transition(a, Action{Kind: act.Kind, Group: act.Group, Comment: act.Comment, At: act.At}, actor); err != nil {
			return Adjustment{}, fmt.Errorf("%s by %s: %w", act.Kind, act.Actor, err)
		}
	}
	if a.Stage == StagePublished {
		changed, err := ApplyAdjustment(a, d.Lists[a.BodyID], *a.PublishedAt)
		if err != nil {
			return Adjustment{}, err
		}
		for code, h := range changed {
			d.Lists[a.BodyID][code] = h
		}
	}
	return a, nil
}
