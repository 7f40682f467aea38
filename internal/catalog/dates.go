package catalog

import (
	"fmt"
	"time"
)

// Dates a list can hold (issue #11 item 10): nothing in a power list
// predates the People's Republic, a basis document is issued before it is
// cited (a year's grace for one announced ahead), and a version's validity
// begins or ends within ten years from now. A date outside these is a
// typing error (1800, 9999), refused where it is entered.
var EarliestDate = time.Date(1949, 10, 1, 0, 0, 0, 0, time.FixedZone("CST", 8*3600))

const (
	issuedYearsAhead   = 1
	validityYearsAhead = 10
)

// CheckDates refuses the adjustment's dates that lie outside what a list
// can hold at now: its basis documents' dates of issue and its drafts'
// validity. Missing dates are Validate's to report.
func (a Adjustment) CheckDates(now time.Time) error {
	var p problems
	for i, b := range a.Bases {
		p.date(fmt.Sprintf("bases[%d].issued", i), b.Issued, now, issuedYearsAhead)
	}
	for i, c := range a.Changes {
		if c.Draft == nil {
			continue
		}
		f := fmt.Sprintf("changes[%d].draft.", i)
		p.date(f+"valid_from", c.Draft.ValidFrom, now, validityYearsAhead)
		if c.Draft.ValidTo != nil {
			p.date(f+"valid_to", *c.Draft.ValidTo, now, validityYearsAhead)
		}
	}
	return p.err()
}

// date records a date before EarliestDate or more than years after now.
func (p *problems) date(field string, d, now time.Time, years int) {
	latest := now.AddDate(years, 0, 0)
	switch {
	case d.IsZero():
	case d.Before(EarliestDate):
		p.add(field, "catalog.the_date_is_before", d.Format(time.DateOnly), EarliestDate.Format(time.DateOnly))
	case d.After(latest):
		p.add(field, "catalog.the_date_is_after_at_most", d.Format(time.DateOnly), latest.Format(time.DateOnly), years)
	}
}
