package supervisedb

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/store"
	"github.com/qingdan/qingdan/internal/supervise"
)

// Trend periods.
const (
	Week  = "week"
	Month = "month"
)

// MaxTrendWeeks and MaxTrendMonths bound how far back a trend reaches.
const (
	MaxTrendWeeks  = 104
	MaxTrendMonths = 36
)

// OverdueRule is the rule whose red card says a case went past its limit:
// the trends count a case overdue once, on the day its card's instant falls.
const OverdueRule = "case.red"

// trendZone is the clock the periods are cut in: weeks from Monday 00:00
// and months from the 1st, China Standard Time.
var trendZone = time.FixedZone("CST", 8*3600)

// TrendQuery selects a trend: weekly or monthly periods, the last N of
// them up to now, of a body (its own cards, as the dashboard's body row;
// "" for the reader's whole jurisdiction) and one of its units.
type TrendQuery struct {
	Period   string
	N        int
	BodyPath string
	Unit     string
}

// Trends are yellow and red cards raised and cleared, the cards open at
// the end of each period, cases gone overdue, and supervision orders
// issued and closed, per period; and the same cards per body and unit.
type Trends struct {
	Query   TrendQuery    `json:"query"`
	Periods []TrendPeriod `json:"periods"`
	// Units are per body (Unit "": the body's cards on no unit and its
	// units' together) and per unit, the cards raised in each period.
	Units []TrendUnit `json:"units"`
}

// TrendPeriod is one week or month.
type TrendPeriod struct {
	Start         time.Time `json:"start"`
	End           time.Time `json:"end"`
	Label         string    `json:"label"`
	YellowRaised  int64     `json:"yellow_raised"`
	YellowCleared int64     `json:"yellow_cleared"`
	RedRaised     int64     `json:"red_raised"`
	RedCleared    int64     `json:"red_cleared"`
	// YellowOpen and RedOpen are the cards open at the period's end (now,
	// for the current one): the maintained counts of today, less the
	// cards raised since and plus those cleared since.
	YellowOpen   int64 `json:"yellow_open"`
	RedOpen      int64 `json:"red_open"`
	Overdue      int64 `json:"overdue"`
	OrdersIssued int64 `json:"orders_issued"`
	OrdersClosed int64 `json:"orders_closed"`
}

// TrendUnit is one body's or unit's cards raised per period (index as
// Trends.Periods).
type TrendUnit struct {
	BodyPath string  `json:"body_path"`
	BodyName string  `json:"body_name"`
	Unit     string  `json:"unit,omitempty"`
	UnitName string  `json:"unit_name,omitempty"`
	Yellow   []int64 `json:"yellow"`
	Red      []int64 `json:"red"`
	Overdue  []int64 `json:"overdue"`
}

// periods are the last n weeks or months up to and including now's.
func periods(kind string, n int, now time.Time) []TrendPeriod {
	t := now.In(trendZone)
	var start time.Time
	step := func(t time.Time, k int) time.Time { return t.AddDate(0, k, 0) }
	label := "2006-01"
	if kind == Week {
		day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, trendZone)
		start = day.AddDate(0, 0, -((int(day.Weekday()) + 6) % 7))
		step = func(t time.Time, k int) time.Time { return t.AddDate(0, 0, 7*k) }
		label = "2006-01-02"
	} else {
		start = time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, trendZone)
	}
	out := make([]TrendPeriod, n)
	for i := range n {
		s := step(start, i-n+1)
		out[i] = TrendPeriod{Start: s, End: step(s, 1), Label: s.Format(label)}
	}
	return out
}

const dayMicros = int64(24 * time.Hour / time.Microsecond)

// zoneMicros shifts an instant to the day it falls on in trendZone.
const zoneMicros = int64(8 * time.Hour / time.Microsecond)

// cardDay is the SQL of the trendZone day (days since 1970-01-01) of a
// micros column; constants, so that both engines see one expression in
// SELECT and GROUP BY.
func cardDay(col string) string {
	return fmt.Sprintf("((%s + %d) / %d)", col, zoneMicros, dayMicros)
}

// dayOf is the trendZone day of t, as cardDay counts.
func dayOf(t time.Time) int64 { return (store.Micros(t) + zoneMicros) / dayMicros }

// Trends reads q's periods for p, an overseer, from the cards' own history
// (their instants and clearing instants, per day) and the maintained counts
// of open cards — never a recount of cases. A unit's own staff who are not
// overseers are refused by the route; the service asks the same roles.
func (s *Service) Trends(ctx context.Context, p access.Principal, q TrendQuery) (Trends, error) {
	out := Trends{Query: q, Periods: []TrendPeriod{}, Units: []TrendUnit{}}
	if !p.HasAny(trendReaders...) {
		return out, apperr.Forbiddenf("supervisedb.only_overseers_read_the_trends")
	}
	if p.BodyPath == "" {
		return out, errNoJurisdiction()
	}
	switch q.Period {
	case "":
		q.Period = Week
	case Week, Month:
	default:
		return out, apperr.Invalidf("period", "supervisedb.the_period_must_be_week_or")
	}
	maxN := MaxTrendWeeks
	if q.Period == Month {
		maxN = MaxTrendMonths
	}
	if q.N == 0 {
		q.N = 12
	}
	if q.N < 1 || q.N > maxN {
		return out, apperr.Invalidf("n", "supervisedb.the_number_of_periods_must_be", maxN)
	}
	if q.BodyPath != "" && !p.Covers(q.BodyPath) {
		return out, apperr.Forbiddenf("supervisedb.that_body_is_outside_your_jurisdiction")
	}
	if q.Unit != "" && q.BodyPath == "" {
		return out, apperr.Invalidf("body", "supervisedb.a_unit_is_chosen_within_a")
	}
	out.Query = q
	now := s.now()
	ps := periods(q.Period, q.N, now)
	from := ps[0].Start
	firstDay := dayOf(from)
	// The period of each day from the first on (the last period ends after
	// today: nothing is later).
	days := int(dayOf(ps[len(ps)-1].End) - firstDay)
	periodOf := make([]int, days)
	for i, pr := range ps {
		for d := dayOf(pr.Start); d < dayOf(pr.End); d++ {
			periodOf[d-firstDay] = i
		}
	}
	at := func(day int64) (int, bool) {
		i := day - firstDay
		if i < 0 || i >= int64(len(periodOf)) {
			return 0, false
		}
		return periodOf[i], true
	}

	scope, args := `body_path LIKE ?`, []any{p.BodyPath + "%"}
	if q.BodyPath != "" {
		scope, args = `body_path = ?`, []any{q.BodyPath}
	}
	if q.Unit != "" {
		scope, args = scope+` AND unit = ?`, append(args, q.Unit)
	}

	// Open now: the maintained counts (a body's row, unit '', holds its
	// units' cards too).
	open := map[supervise.Level]int64{}
	cscope, cargs := `body_path LIKE ?`, []any{p.BodyPath + "%"}
	if q.BodyPath != "" {
		cscope, cargs = `body_path = ?`, []any{q.BodyPath}
	}
	rows, err := s.db.Query(ctx, `SELECT level, SUM(n) FROM supervise_counts WHERE `+cscope+` AND unit = ? GROUP BY level`,
		append(cargs, q.Unit)...)
	if err != nil {
		return out, fmt.Errorf("supervisedb: trends: %w", err)
	}
	for rows.Next() {
		var l string
		var n int64
		if err := rows.Scan(&l, &n); err != nil {
			rows.Close()
			return out, fmt.Errorf("supervisedb: trends: %w", err)
		}
		open[supervise.Level(l)] = n
	}
	if err := rows.Close(); err != nil {
		return out, fmt.Errorf("supervisedb: trends: %w", err)
	}

	// Raised per day, body, unit, level; overdue apart.
	type unitKey struct{ body, unit string }
	units := map[unitKey]*TrendUnit{}
	unitOf := func(body, unit string) *TrendUnit {
		k := unitKey{body, unit}
		if units[k] == nil {
			units[k] = &TrendUnit{BodyPath: body, Unit: unit, Yellow: make([]int64, len(ps)), Red: make([]int64, len(ps)), Overdue: make([]int64, len(ps))}
		}
		return units[k]
	}
	// A card raised at or after the first period's start moves the open
	// count of every period that ended before its instant.
	raisedAfter := map[supervise.Level][]int64{supervise.Yellow: make([]int64, len(ps)+1), supervise.Red: make([]int64, len(ps)+1)}
	clearedAfter := map[supervise.Level][]int64{supervise.Yellow: make([]int64, len(ps)+1), supervise.Red: make([]int64, len(ps)+1)}
	day := cardDay("at")
	// The rule is a constant in the text, as the day is: PostgreSQL
	// matches GROUP BY expressions by text, parameters never match.
	overdue := `CASE WHEN rule = '` + OverdueRule + `' THEN 1 ELSE 0 END`
	rows, err = s.db.Query(ctx, `SELECT body_path, unit, level, `+overdue+`, `+day+`, COUNT(*)
		FROM supervise_cards WHERE `+scope+` AND level IN ('yellow', 'red') AND at >= ?
		GROUP BY body_path, unit, level, `+overdue+`, `+day,
		append(args, store.Micros(from))...)
	if err != nil {
		return out, fmt.Errorf("supervisedb: trends: %w", err)
	}
	for rows.Next() {
		var body, unit, level string
		var overdue, d, n int64
		if err := rows.Scan(&body, &unit, &level, &overdue, &d, &n); err != nil {
			rows.Close()
			return out, fmt.Errorf("supervisedb: trends: %w", err)
		}
		i, ok := at(d)
		if !ok {
			continue
		}
		u := unitOf(body, unit)
		pr := &ps[i]
		if level == string(supervise.Yellow) {
			pr.YellowRaised += n
			u.Yellow[i] += n
		} else {
			pr.RedRaised += n
			u.Red[i] += n
		}
		if overdue == 1 {
			pr.Overdue += n
			u.Overdue[i] += n
		}
		raisedAfter[supervise.Level(level)][i] += n
	}
	if err := rows.Close(); err != nil {
		return out, fmt.Errorf("supervisedb: trends: %w", err)
	}

	day = cardDay("cleared_at")
	rows, err = s.db.Query(ctx, `SELECT level, `+day+`, COUNT(*) FROM supervise_cards
		WHERE `+scope+` AND level IN ('yellow', 'red') AND cleared_at >= ? GROUP BY level, `+day,
		append(args, store.Micros(from))...)
	if err != nil {
		return out, fmt.Errorf("supervisedb: trends: %w", err)
	}
	for rows.Next() {
		var level string
		var d, n int64
		if err := rows.Scan(&level, &d, &n); err != nil {
			rows.Close()
			return out, fmt.Errorf("supervisedb: trends: %w", err)
		}
		i, ok := at(d)
		if !ok {
			continue
		}
		if level == string(supervise.Yellow) {
			ps[i].YellowCleared += n
		} else {
			ps[i].RedCleared += n
		}
		clearedAfter[supervise.Level(level)][i] += n
	}
	if err := rows.Close(); err != nil {
		return out, fmt.Errorf("supervisedb: trends: %w", err)
	}
	// Open at the end of period i: open now, less what was raised in the
	// periods after i, plus what was cleared in them.
	for _, l := range []supervise.Level{supervise.Yellow, supervise.Red} {
		n := open[l]
		for i := len(ps) - 1; i >= 0; i-- {
			if l == supervise.Yellow {
				ps[i].YellowOpen = n
			} else {
				ps[i].RedOpen = n
			}
			n += clearedAfter[l][i] - raisedAfter[l][i]
		}
	}

	if err := s.orderTrend(ctx, p, q, ps, at); err != nil {
		return out, err
	}

	// Names, and each body's row: its units' cards and its own.
	bodies, err := s.names(ctx, `SELECT path, name FROM bodies WHERE path LIKE ?`, p.BodyPath+"%")
	if err != nil {
		return out, err
	}
	unitNames, err := s.names(ctx, `SELECT b.path || '|' || u.code, u.name FROM units u JOIN bodies b ON b.id = u.body_id WHERE b.path LIKE ?`, p.BodyPath+"%")
	if err != nil {
		return out, err
	}
	for k, u := range units {
		if k.unit == "" {
			continue
		}
		b := unitOf(k.body, "")
		for i := range ps {
			b.Yellow[i] += u.Yellow[i]
			b.Red[i] += u.Red[i]
			b.Overdue[i] += u.Overdue[i]
		}
	}
	for _, u := range units {
		u.BodyName, u.UnitName = bodies[u.BodyPath], unitNames[u.BodyPath+"|"+u.Unit]
		out.Units = append(out.Units, *u)
	}
	slices.SortFunc(out.Units, func(a, b TrendUnit) int {
		if c := strings.Compare(a.BodyPath, b.BodyPath); c != 0 {
			return c
		}
		return strings.Compare(a.Unit, b.Unit)
	})
	out.Periods = ps
	return out, nil
}

// trendReaders may read the trends: the dashboard's readers.
var trendReaders = []access.Role{access.RoleSupervisor, access.RoleLeader, access.RoleGeneralOffice, access.RoleAdmin, access.RoleExternalSupervisor}

// orderTrend counts the supervision orders to units in q's scope issued
// and closed in each period. Orders are issued by hand (a supervisor's
// act, not a sweep's), so the scope's orders are read whole.
func (s *Service) orderTrend(ctx context.Context, p access.Principal, q TrendQuery, ps []TrendPeriod, at func(int64) (int, bool)) error {
	scope, args := `unit_body LIKE ?`, []any{p.BodyPath + "%"}
	if q.BodyPath != "" {
		scope, args = `unit_body = ?`, []any{q.BodyPath}
	}
	if q.Unit != "" {
		scope, args = scope+` AND unit = ?`, append(args, q.Unit)
	}
	rows, err := s.db.Query(ctx, `SELECT data FROM supervise_orders WHERE `+scope, args...)
	if err != nil {
		return fmt.Errorf("supervisedb: order trend: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var data string
		if err := rows.Scan(&data); err != nil {
			return fmt.Errorf("supervisedb: order trend: %w", err)
		}
		var o struct {
			IssuedAt time.Time `json:"issued_at"`
			ClosedAt time.Time `json:"closed_at"`
		}
		if err := json.Unmarshal([]byte(data), &o); err != nil {
			return fmt.Errorf("supervisedb: order trend: %w", err)
		}
		if i, ok := at(dayOf(o.IssuedAt)); ok && !o.IssuedAt.IsZero() {
			ps[i].OrdersIssued++
		}
		if i, ok := at(dayOf(o.ClosedAt)); ok && !o.ClosedAt.IsZero() {
			ps[i].OrdersClosed++
		}
	}
	return rows.Err()
}
