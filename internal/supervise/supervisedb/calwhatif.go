package supervisedb

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/calendar"
	"github.com/qingdan/qingdan/internal/casework"
	"github.com/qingdan/qingdan/internal/supervise"
)

// CalendarProposal is a proposed change of the national calendar: whole
// years as a notice is published (a draft year's holiday-cn JSON or
// iCalendar file, as the calendar administrators upload), single days on
// top of them or of the years in force (an added make-up working day, a
// holiday moved), or both.
type CalendarProposal struct {
	File []byte
	Days []calendar.Day
}

// MaxProposedDays bounds the single days of one proposal.
const MaxProposedDays = 400

// whatIfHorizon is how far past now the proposal's cards are looked for:
// every card an open case can still come to, at its rule's instant.
const whatIfHorizon = 400 * 24 * time.Hour

// DayChange is a date whose standing the proposal changes.
type DayChange struct {
	Date   calendar.Date `json:"date"`
	WasOff bool          `json:"was_off"`
	Off    bool          `json:"off"`
	Name   string        `json:"name,omitempty"`
}

// DeadlineMove is an open case whose due date the proposal moves.
type DeadlineMove struct {
	Case     string        `json:"case"`
	BodyPath string        `json:"body_path"`
	Unit     string        `json:"unit"`
	Was      calendar.Date `json:"was"`
	Due      calendar.Date `json:"due"`
}

// CardMove is a card the proposal moves: its instant in force (Was) and
// under the proposal (the card's At).
type CardMove struct {
	supervise.Card
	Was time.Time `json:"was"`
}

// CalendarWhatIf is what a proposed calendar would change, read-only:
// the days it changes, the open cases whose due dates move, and the
// cards — raised already or still to come at their rules' instants —
// added, removed or moved, per unit and up to MaxReplayCards each.
type CalendarWhatIf struct {
	Years     []int            `json:"years"`
	Days      []DayChange      `json:"days"`
	Cases     int              `json:"cases"`
	Deadlines []DeadlineMove   `json:"deadlines"`
	Units     []ReplayUnit     `json:"units"`
	Added     []supervise.Card `json:"added"`
	Removed   []supervise.Card `json:"removed"`
	Moved     []CardMove       `json:"moved"`
	// Truncated is true when more open cases could move than one what-if
	// judges (MaxReplayCases).
	Truncated bool `json:"truncated"`
}

// ProposedYears are the years of prop as they would stand: the file's
// years, then each single day put into the notice that decides its date
// (the later year when two list it, else the date's own year) as found in
// the file or in base. A day set to its weekday's default is taken off
// the notice's list. Every mistake names its field: file, or days[i].
func ProposedYears(base *calendar.Calendar, prop CalendarProposal) ([]calendar.Year, error) {
	if len(strings.TrimSpace(string(prop.File))) == 0 && len(prop.Days) == 0 {
		return nil, apperr.Invalidf("file", "supervisedb.propose_a_year_or_at_least")
	}
	if len(prop.Days) > MaxProposedDays {
		return nil, apperr.Invalidf("days", "supervisedb.at_most_days_at_once", MaxProposedDays)
	}
	years := map[int]calendar.Year{}
	var order []int
	if len(strings.TrimSpace(string(prop.File))) > 0 {
		ys, err := calendar.Parse("", prop.File)
		if err != nil {
			return nil, fieldOr(err, "file")
		}
		for _, y := range ys {
			if _, dup := years[y.Year]; !dup {
				order = append(order, y.Year)
			}
			years[y.Year] = y
		}
	}
	yearOf := func(n int) (calendar.Year, bool) {
		if y, ok := years[n]; ok {
			return y, true
		}
		if y, ok := base.Year(n); ok {
			return y, true
		}
		if base.IsProvisional(n) { // no notice yet: its statutory holidays (L9)
			if y, err := calendar.ProvisionalYear(n); err == nil {
				return y, true
			}
		}
		return calendar.Year{}, false
	}
	for i, d := range prop.Days {
		f := fmt.Sprintf("days[%d]", i)
		if d.Date == 0 {
			return nil, apperr.Invalidf(f+".date", "supervisedb.give_the_date")
		}
		y, m, _ := d.Date.Civil()
		target := y
		lists := func(n int) bool {
			yr, ok := yearOf(n)
			return ok && slices.ContainsFunc(yr.Days, func(x calendar.Day) bool { return x.Date == d.Date })
		}
		switch {
		case m == time.December && lists(y+1):
			target = y + 1
		case m == time.January && !lists(y) && lists(y-1):
			target = y - 1
		}
		yr, ok := yearOf(target)
		if !ok {
			return nil, apperr.Invalidf(f+".date", "supervisedb.the_calendar_has_no_data_for", target)
		}
		days := slices.DeleteFunc(slices.Clone(yr.Days), func(x calendar.Day) bool { return x.Date == d.Date })
		weekend := d.Date.Weekday() == time.Saturday || d.Date.Weekday() == time.Sunday
		if d.IsOffDay != weekend {
			if strings.TrimSpace(d.Name) == "" {
				return nil, apperr.Invalidf(f+".name", "supervisedb.name_the_day")
			}
			days = append(days, calendar.Day{Name: strings.TrimSpace(d.Name), Date: d.Date, IsOffDay: d.IsOffDay})
			slices.SortFunc(days, func(a, b calendar.Day) int { return int(a.Date - b.Date) })
		}
		yr.Year, yr.Days = target, days
		if _, had := years[target]; !had {
			order = append(order, target)
		}
		years[target] = yr
	}
	out := make([]calendar.Year, 0, len(order))
	for _, n := range order {
		if err := years[n].Validate(); err != nil {
			return nil, fieldOr(err, "file")
		}
		out = append(out, years[n])
	}
	return out, nil
}

// fieldOr gives an error without a field the field f.
func fieldOr(err error, f string) error {
	if e := apperr.As(err); e != nil && e.Field == "" {
		c := *e
		c.Field = f
		return &c
	}
	return err
}

// WhatIfCalendar judges the open cases of p's jurisdiction whose due
// dates reach the first day the proposal changes, under the calendar in
// force and under the proposal (each case in its own body's calendar,
// regional days kept): read only, nothing is stored, sent or recomputed.
// A supervisor, leader or administrator (a calendar administrator is one)
// may ask.
func (s *Service) WhatIfCalendar(ctx context.Context, p access.Principal, prop CalendarProposal) (CalendarWhatIf, error) {
	out := CalendarWhatIf{Years: []int{}, Days: []DayChange{}, Deadlines: []DeadlineMove{}, Units: []ReplayUnit{},
		Added: []supervise.Card{}, Removed: []supervise.Card{}, Moved: []CardMove{}}
	if !p.HasAny(ruleReaders...) {
		return out, apperr.Forbiddenf("supervisedb.only_supervisors_leaders_and_administrators_try")
	}
	if p.BodyPath == "" {
		return out, errNoJurisdiction()
	}
	base, err := s.cases.Calendar(ctx, p.BodyID)
	if err != nil {
		return out, err
	}
	proposed, err := ProposedYears(base, prop)
	if err != nil {
		return out, err
	}
	tried, err := base.Merge(proposed...)
	if err != nil {
		return out, fieldOr(err, "file")
	}
	// The first day that changes in the national calendar: a body below
	// the reader's may lack a regional day of the reader's that hides it.
	national, err := s.cases.Calendar(ctx, 0)
	if err != nil {
		return out, err
	}
	nationalTried, err := national.Merge(proposed...)
	if err != nil {
		return out, fieldOr(err, "file")
	}
	// The days that change, listed in the reader's own calendar: a notice
	// reaches from December before its year to January after it.
	first := calendar.Date(0)
	for _, y := range proposed {
		for d := calendar.DateOf(y.Year-1, time.December, 1); d < calendar.DateOf(y.Year+1, time.February, 1); d++ {
			was, err := national.IsWorkingDay(d)
			if err != nil {
				return out, err
			}
			now, err := nationalTried.IsWorkingDay(d)
			if err != nil {
				return out, err
			}
			if was != now && (first == 0 || d < first) {
				first = d
			}
		}
	}
	for _, y := range proposed {
		out.Years = append(out.Years, y.Year)
		for d := calendar.DateOf(y.Year-1, time.December, 1); d < calendar.DateOf(y.Year+1, time.February, 1); d++ {
			was, err := base.IsWorkingDay(d)
			if err != nil {
				return out, err
			}
			now, err := tried.IsWorkingDay(d)
			if err != nil {
				return out, err
			}
			if was == now || slices.ContainsFunc(out.Days, func(c DayChange) bool { return c.Date == d }) {
				continue
			}
			c := DayChange{Date: d, WasOff: !was, Off: !now}
			if i := slices.IndexFunc(y.Days, func(x calendar.Day) bool { return x.Date == d }); i >= 0 {
				c.Name = y.Days[i].Name
			}
			out.Days = append(out.Days, c)
			if first == 0 || d < first {
				first = d
			}
		}
	}
	slices.SortFunc(out.Days, func(a, b DayChange) int { return int(a.Date - b.Date) })
	slices.Sort(out.Years)
	if first == 0 {
		return out, nil // the proposal is the calendar in force
	}

	numbers, err := s.caseNumbers(ctx, `SELECT number FROM cases WHERE body_path LIKE ? AND due_on <> '' AND due_on >= ? ORDER BY id LIMIT ?`,
		p.BodyPath+"%", first.String(), MaxReplayCases+1)
	if err != nil {
		return out, fmt.Errorf("supervisedb: calendar what-if: %w", err)
	}
	if len(numbers) > MaxReplayCases {
		numbers, out.Truncated = numbers[:MaxReplayCases], true
	}
	sets, err := s.allSets(ctx)
	if err != nil {
		return out, err
	}
	now := s.now()
	horizon := now.Add(whatIfHorizon)
	units := map[[2]string]*ReplayUnit{}
	unit := func(c supervise.Card) *ReplayUnit {
		k := [2]string{c.BodyPath, c.Unit}
		if units[k] == nil {
			units[k] = &ReplayUnit{BodyPath: c.BodyPath, Unit: c.Unit}
		}
		return units[k]
	}
	for _, n := range numbers {
		sup, err := s.cases.Supervised(ctx, s.db, n)
		if err != nil {
			return out, err
		}
		c := sup.Case
		if c.Ended() {
			continue
		}
		cal, err := sup.Calendar.Merge(proposed...)
		if err != nil {
			return out, fieldOr(err, "file")
		}
		was, ok1, err := c.Due(sup.Calendar, now)
		if err != nil {
			return out, err
		}
		due, ok2, err := c.Due(cal, now)
		if err != nil {
			return out, err
		}
		if ok1 && ok2 && was != due {
			out.Deadlines = append(out.Deadlines, DeadlineMove{Case: c.Number, BodyPath: c.Body.Path, Unit: c.Unit.Code, Was: was, Due: due})
		}
		env := supervise.EventEnv{Flow: sup.Flow, Calendar: sup.Calendar, Standing: casework.Listed, Now: now}
		if len(sup.Events) > 0 {
			if env.Standing, err = s.cases.StandingAt(ctx, c, sup.Events[0].At); err != nil {
				return out, err
			}
		}
		set := chainAt(sets, c.Body.Path, "", supervise.RuleSet{})
		current, err := supervise.CaseCards(set, c, sup.Events, env, horizon)
		if err != nil {
			return out, err
		}
		env.Calendar = cal
		under, err := supervise.CaseCards(set, c, sup.Events, env, horizon)
		if err != nil {
			return out, err
		}
		added, removed, moved := supervise.Compare(current, under)
		for _, x := range added {
			unit(x).Added++
		}
		for _, x := range removed {
			unit(x).Removed++
		}
		for _, x := range moved {
			unit(x).Moved++
			if len(out.Moved) < MaxReplayCards {
				m := CardMove{Card: x}
				if i := slices.IndexFunc(current, func(y supervise.Card) bool { return y.Key == x.Key }); i >= 0 {
					m.Was = current[i].At
				}
				out.Moved = append(out.Moved, m)
			}
		}
		out.Added = appendUpTo(out.Added, added)
		out.Removed = appendUpTo(out.Removed, removed)
		out.Cases++
	}
	for _, u := range units {
		out.Units = append(out.Units, *u)
	}
	slices.SortFunc(out.Units, func(a, b ReplayUnit) int {
		return strings.Compare(a.BodyPath+"|"+a.Unit, b.BodyPath+"|"+b.Unit)
	})
	slices.SortFunc(out.Deadlines, func(a, b DeadlineMove) int { return strings.Compare(a.Case, b.Case) })
	return out, nil
}

// YearInForce is year y as p's body counts it now (its notice, or its
// statutory holidays while it has none, L9): where a proposal starts.
func (s *Service) YearInForce(ctx context.Context, p access.Principal, y int) (calendar.Year, error) {
	if !p.HasAny(ruleReaders...) {
		return calendar.Year{}, apperr.Forbiddenf("supervisedb.only_supervisors_leaders_and_administrators_try")
	}
	if y < calendar.MinYear || y > calendar.MaxYear {
		return calendar.Year{}, apperr.Invalidf("year", "calendar.year_outside", y, calendar.MinYear, calendar.MaxYear)
	}
	base, err := s.cases.Calendar(ctx, p.BodyID)
	if err != nil {
		return calendar.Year{}, err
	}
	if yr, ok := base.Year(y); ok {
		return yr, nil
	}
	if base.IsProvisional(y) {
		return calendar.ProvisionalYear(y)
	}
	return calendar.Year{}, apperr.Invalidf("year", "supervisedb.the_calendar_has_no_data_for", y)
}
