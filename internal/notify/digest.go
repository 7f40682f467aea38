package notify

import "slices"

// Digest groups items per staff member, so that a job which finds many
// things for one person (a supervision sweep's cards) sends that person
// one in-app message listing them, not one message each:
//
//	var d notify.Digest
//	for _, c := range cards {
//		d.Add(c.ResponsibleStaff, notify.Item{Text: c.Summary, Link: c.URL})
//	}
//	for i, m := range d.InApp("新的督办提醒", "/supervise/cards") {
//		m.BodyID, m.Cause, m.DedupKey = body, "supervise.swept", fmt.Sprintf("%s:%d", sweepKey, i)
//		if err := notifydb.Enqueue(ctx, tx, m); err != nil { … }
//	}
type Digest struct {
	items map[int64][]Item
	order []int64
}

// Add puts item into staffID's digest.
func (d *Digest) Add(staffID int64, item Item) {
	if d.items == nil {
		d.items = map[int64][]Item{}
	}
	if _, ok := d.items[staffID]; !ok {
		d.order = append(d.order, staffID)
	}
	d.items[staffID] = append(d.items[staffID], item)
}

// Len is the number of people with items.
func (d *Digest) Len() int { return len(d.order) }

// InApp makes one in-app message per person, in the order they were first
// added, titled title, leading to link, listing that person's items (a
// person with more than MaxItems gets several messages).
func (d *Digest) InApp(title, link string) []Message {
	var out []Message
	for _, staff := range d.order {
		for part := range slices.Chunk(d.items[staff], MaxItems) {
			m := Inbox(staff, title, "", link)
			m.Items = part
			out = append(out, m)
		}
	}
	return out
}
