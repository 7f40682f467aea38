package supervise

import (
	"fmt"
	"slices"

	"github.com/qingdan/qingdan/internal/msg"
	"github.com/qingdan/qingdan/internal/notify"
)

// Notices are whom card c tells, by its rule's audiences: the
// responsible person (the unit when the card names nobody), the unit, its
// head, the body's supervision office or leaders.
func (c Card) Notices() []Notice {
	var out []Notice
	title := Text{Zh: fmt.Sprintf("%s:%s", c.Level.In("zh"), c.Name.In("zh")), En: fmt.Sprintf("%s: %s", c.Level.In("en"), c.Name.In("en"))}
	add := func(r Recipient) {
		n := Notice{To: r, Action: "card.raised", Object: c.Object, Level: c.Level, Title: title, At: c.At}
		if !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	for _, a := range c.Notify {
		switch {
		case a == ToResponsible && !c.Person.IsZero():
			add(Recipient{Staff: c.Person})
		case a == ToResponsible:
			add(Recipient{Audience: ToUnit, BodyPath: c.BodyPath, Unit: c.Unit})
		case a == ToSupervision || a == ToLeader:
			add(Recipient{Audience: a, BodyPath: c.BodyPath})
		default:
			add(Recipient{Audience: a, BodyPath: c.BodyPath, Unit: c.Unit})
		}
	}
	return out
}

// In names the level in lang (提醒, 黄牌, 红牌).
func (l Level) In(lang string) string { return msg.Name(lang, "supervise.cardlevel", string(l)) }

// Resolver turns a recipient into the staff members it means (storage:
// the unit's staff, its head, the body's supervisors …); a named staff
// member is themselves.
type Resolver func(Recipient) ([]int64, error)

// Bundle is what one person is told after one sweep: each notice once,
// in the order first found.
type Bundle struct {
	Staff   int64
	Notices []Notice
}

// Digest groups a sweep's notices into one bundle per person (issue #16
// item 7: one digest per person per sweep, never hundreds of messages at
// once). A person reached twice for one thing (responsible and unit head)
// is told it once. Bundles come in the order their people were first
// reached.
func Digest(notices []Notice, resolve Resolver) ([]Bundle, error) {
	var out []Bundle
	at := map[int64]int{}
	type seenKey struct {
		staff  int64
		action string
		object Object
		level  Level
	}
	seen := map[seenKey]bool{}
	for _, n := range notices {
		ids := []int64{n.To.Staff.ID}
		if n.To.Staff.IsZero() {
			var err error
			if ids, err = resolve(n.To); err != nil {
				return nil, err
			}
		}
		for _, id := range ids {
			k := seenKey{id, n.Action, n.Object, n.Level}
			if seen[k] {
				continue
			}
			seen[k] = true
			i, ok := at[id]
			if !ok {
				i = len(out)
				at[id] = i
				out = append(out, Bundle{Staff: id})
			}
			out[i].Notices = append(out[i].Notices, n)
		}
	}
	return out, nil
}

// Messages are the bundles as in-app messages for the outbox, one per
// person (more when a person has more than notify.MaxItems), titled in
// lang, each notice an item linking to link (e.g. "/supervise").
func Messages(bundles []Bundle, lang, link string) []notify.Message {
	var d notify.Digest
	for _, b := range bundles {
		for _, n := range b.Notices {
			d.Add(b.Staff, notify.Item{Text: n.Title.In(lang) + " · " + n.Object.ID, Link: link})
		}
	}
	title := "电子监察提醒"
	if lang == "en" {
		title = "E-supervision notices"
	}
	return d.InApp(title, link)
}
