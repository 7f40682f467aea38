package supervise

// CountKey is one count the dashboards read (issue #16 item 2): the open
// cards of a level for a unit of a body, or for the body as a whole (Unit
// ""). Storage keeps the counts in a table changed in the same write as
// the cards, so a dashboard reads counts, never recounts cards.
type CountKey struct {
	BodyPath string `json:"body_path"`
	Unit     string `json:"unit"`
	Level    Level  `json:"level"`
}

// Counts are open cards by CountKey.
type Counts map[CountKey]int

// Deltas are the changes to the counts when cards are raised and open
// cards cleared: +1 for a card raised open, −1 for one cleared, each for
// its unit and for its body. A card raised already cleared (a late look
// at a finished clock) changes nothing.
func Deltas(raised, cleared []Card) Counts {
	d := Counts{}
	add := func(c Card, n int) {
		d[CountKey{c.BodyPath, c.Unit, c.Level}] += n
		if c.Unit != "" {
			d[CountKey{c.BodyPath, "", c.Level}] += n
		}
	}
	for _, c := range raised {
		if c.Open() {
			add(c, 1)
		}
	}
	for _, c := range cleared {
		add(c, -1)
	}
	for k, n := range d {
		if n == 0 {
			delete(d, k)
		}
	}
	return d
}

// Apply adds deltas to the counts.
func (c Counts) Apply(d Counts) {
	for k, n := range d {
		if c[k] += n; c[k] == 0 {
			delete(c, k)
		}
	}
}

// Recount counts the open cards from scratch: what the maintained counts
// are checked against.
func Recount(cards []Card) Counts { return Deltas(cards, nil) }
