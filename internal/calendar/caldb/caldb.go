// Package caldb is the database side of the working-day calendar (issue #3,
// rules L1–L4, L9–L11, P6): stored calendar years that overlay the embedded
// national data, regional extra holidays for a body's subtree, business hours
// per body (inherited down the tree) for limits in working hours, and persisted
// case clocks whose due dates are derived at read time from the body's
// current calendar. Every change is an audited event through store.DB.Write
// with the row's snapshot as State (docs/ARCHITECTURE.md).
//
// # Freshness
//
// Calendars are cached per process. Every calendar write bumps the single
// row of calendar_version in the same transaction, and every read of a
// calendar first reads that row (one indexed single-row query, joined with
// the body's path and time zone), so a committed change is seen by the next
// read in this and in every other instance sharing the database. There is
// no TTL: the cache is never stale, it only saves rebuilding the day arrays.
package caldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/calendar"
	"github.com/qingdan/qingdan/internal/msg"
	"github.com/qingdan/qingdan/internal/store"
)

// Sources of a year's data.
const (
	SourceEmbedded = "embedded" // shipped with the binary, not stored
	SourceUpload   = "upload"   // a holiday-cn JSON or iCalendar file
	SourceEdit     = "edit"     // entered or edited by hand by an administrator
	// SourceProvisional is a year without a notice, computed from its
	// statutory holidays (L9); never stored.
	SourceProvisional = "provisional"
)

// Service reads and changes the stored calendar. It is safe for concurrent use.
type Service struct {
	db  *store.DB
	now func() time.Time

	mu   sync.Mutex
	snap *snapshot
}

// snapshot is everything read from the calendar tables at one version.
type snapshot struct {
	version  int64
	stored   map[int]storedYear
	embedded map[int]bool
	national *calendar.Calendar // in calendar.DefaultLocation
	regional map[int64][]RegionalDay
	hours    map[int64]storedHours // bodies' own business hours
	// bodies caches the calendar per (time zone, regional days' bodies,
	// business hours' body); bodies sharing all three share one calendar.
	bodies map[string]*calendar.Calendar
}

type storedYear struct {
	year      calendar.Year
	days      string // the stored JSON, exactly (the audited state holds it)
	source    string
	fileName  string
	updatedAt int64
	updatedBy string
	version   int64
}

// New returns the service over db.
func New(db *store.DB) *Service {
	return &Service{db: db, now: time.Now}
}

// SetNow replaces the clock used for updated_at stamps (tests).
func (s *Service) SetNow(now func() time.Time) { s.now = now }

// Calendar returns the calendar a body counts its limits in: the embedded
// national years overlaid with the stored ones, provisional years computed
// from the statutory holidays where neither has a year (L9; up to
// calendar.ProvisionalHorizon years past the last), in the body's time zone, with
// the regional days of the body and of its ancestors (the nearest body wins
// a date named twice) and the business hours of the nearest body that sets
// them (else calendar.DefaultBusinessHours). bodyID 0 is the national
// calendar in Asia/Shanghai with the default hours.
func (s *Service) Calendar(ctx context.Context, bodyID int64) (*calendar.Calendar, error) {
	if bodyID != 0 {
		cal, _, err := s.calendarVersion(ctx, bodyID)
		return cal, err
	}
	v, err := s.version(ctx)
	if err != nil {
		return nil, err
	}
	snap, err := s.snapshotAt(ctx, v)
	if err != nil {
		return nil, err
	}
	return snap.national, nil
}

// calendarVersion is the calendar of body bodyID and the calendar version
// it is of.
func (s *Service) calendarVersion(ctx context.Context, bodyID int64) (*calendar.Calendar, int64, error) {
	var v int64
	var path, tz string
	err := s.db.QueryRow(ctx, `SELECT v.version, b.path, b.time_zone FROM calendar_version v, bodies b
		WHERE v.id = 1 AND b.id = ?`, bodyID).Scan(&v, &path, &tz)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, 0, apperr.NotFoundf("caldb.no_body_with_id", bodyID)
	}
	if err != nil {
		return nil, 0, fmt.Errorf("caldb: calendar of body %d: %w", bodyID, err)
	}
	snap, err := s.snapshotAt(ctx, v)
	if err != nil {
		return nil, 0, err
	}
	cal, err := s.bodyCalendar(snap, path, tz)
	return cal, v, err
}

// bodyCalendar builds or reuses the calendar for a body's path and zone.
func (s *Service) bodyCalendar(snap *snapshot, path, tz string) (*calendar.Calendar, error) {
	chain := ancestors(path)
	var with []string
	for _, id := range chain {
		if len(snap.regional[id]) > 0 {
			with = append(with, strconv.FormatInt(id, 10))
		}
	}
	from := hoursSource(snap, chain)
	key := tz + "|" + strings.Join(with, ",") + "|" + strconv.FormatInt(from, 10)
	s.mu.Lock()
	cal, ok := snap.bodies[key]
	s.mu.Unlock()
	if ok {
		return cal, nil
	}
	cal = snap.national
	if tz != calendar.DefaultLocation.String() {
		loc, err := time.LoadLocation(tz)
		if err != nil {
			return nil, fmt.Errorf("caldb: body time zone %q: %w", tz, err)
		}
		cal = cal.WithLocation(loc)
	}
	if len(with) > 0 {
		// Deepest body first, so its day wins over an ancestor's on the same date.
		seen := map[calendar.Date]bool{}
		var days []calendar.Day
		for i := len(chain) - 1; i >= 0; i-- {
			for _, d := range snap.regional[chain[i]] {
				if !seen[d.Date] {
					seen[d.Date] = true
					days = append(days, calendar.Day{Name: d.Name, Date: d.Date, IsOffDay: d.IsOffDay})
				}
			}
		}
		var err error
		if cal, err = cal.WithRegional(days); err != nil {
			return nil, err
		}
	}
	if from != 0 {
		cal = cal.WithBusinessHours(snap.hours[from].hours)
	}
	s.mu.Lock()
	snap.bodies[key] = cal
	s.mu.Unlock()
	return cal, nil
}

// ancestors parses a materialised path "/1/4/9/" into [1 4 9], root first.
func ancestors(path string) []int64 {
	var out []int64
	for _, part := range strings.Split(strings.Trim(path, "/"), "/") {
		if id, err := strconv.ParseInt(part, 10, 64); err == nil {
			out = append(out, id)
		}
	}
	return out
}

func (s *Service) version(ctx context.Context) (int64, error) {
	var v int64
	if err := s.db.QueryRow(ctx, `SELECT version FROM calendar_version WHERE id = 1`).Scan(&v); err != nil {
		return 0, fmt.Errorf("caldb: calendar version: %w", err)
	}
	return v, nil
}

// snapshotAt returns the cached snapshot if it is of version v, else reloads.
// The version is read before the data, so a snapshot is never labelled newer
// than what it holds; a write in between only causes one extra reload.
func (s *Service) snapshotAt(ctx context.Context, v int64) (*snapshot, error) {
	s.mu.Lock()
	snap := s.snap
	s.mu.Unlock()
	if snap != nil && snap.version == v {
		return snap, nil
	}
	snap, err := s.load(ctx, s.db, v)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	if s.snap == nil || s.snap.version <= v {
		s.snap = snap
	}
	s.mu.Unlock()
	return snap, nil
}

// load reads the calendar tables and builds the national calendar.
func (s *Service) load(ctx context.Context, q store.Querier, v int64) (*snapshot, error) {
	stored, err := readStored(ctx, q)
	if err != nil {
		return nil, err
	}
	national, embedded, err := buildNational(stored)
	if err != nil {
		return nil, err
	}
	regional, err := readRegional(ctx, q)
	if err != nil {
		return nil, err
	}
	hours, err := readHours(ctx, q)
	if err != nil {
		return nil, err
	}
	return &snapshot{version: v, stored: stored, embedded: embedded, national: national,
		regional: regional, hours: hours, bodies: map[string]*calendar.Calendar{}}, nil
}

// buildNational overlays the stored years on the embedded ones and fills the
// years without either provisionally. A stored year replaces a provisional
// one as soon as it is read: every write bumps the version.
func buildNational(stored map[int]storedYear) (*calendar.Calendar, map[int]bool, error) {
	emb, err := calendar.Embedded()
	if err != nil {
		return nil, nil, err
	}
	embedded := map[int]bool{}
	for _, y := range emb {
		embedded[y.Year] = true
	}
	top := make([]calendar.Year, 0, len(stored))
	for _, y := range stored {
		top = append(top, y.year)
	}
	slices.SortFunc(top, func(a, b calendar.Year) int { return a.Year - b.Year })
	cal, err := calendar.New(calendar.Overlay(emb, top), calendar.Options{ProvisionalYears: calendar.ProvisionalHorizon})
	if err != nil {
		return nil, nil, err
	}
	return cal, embedded, nil
}

const yearCols = `year, days, source, file_name, updated_at, updated_by, version`

func readStored(ctx context.Context, q store.Querier) (map[int]storedYear, error) {
	rows, err := q.Query(ctx, `SELECT `+yearCols+` FROM calendar_years ORDER BY year`)
	if err != nil {
		return nil, fmt.Errorf("caldb: calendar years: %w", err)
	}
	defer rows.Close()
	out := map[int]storedYear{}
	for rows.Next() {
		y, err := scanYear(rows)
		if err != nil {
			return nil, err
		}
		out[y.year.Year] = y
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("caldb: calendar years: %w", err)
	}
	return out, nil
}

func scanYear(sc interface{ Scan(...any) error }) (storedYear, error) {
	var y storedYear
	var n int
	if err := sc.Scan(&n, &y.days, &y.source, &y.fileName, &y.updatedAt, &y.updatedBy, &y.version); err != nil {
		return y, fmt.Errorf("caldb: calendar year: %w", err)
	}
	parsed, err := calendar.ParseJSON([]byte(y.days))
	if err != nil {
		// Only this package writes the table, after the same check.
		return y, fmt.Errorf("caldb: stored calendar year %d is unreadable: %w", n, err)
	}
	if parsed.Year != n {
		return y, fmt.Errorf("caldb: stored calendar year %d holds data of %d", n, parsed.Year)
	}
	y.year = parsed
	return y, nil
}

// YearInfo describes one year of the calendar for the admin pages.
type YearInfo struct {
	Year int `json:"year"`
	// Source is embedded, upload or edit.
	Source    string    `json:"source"`
	FileName  string    `json:"file_name,omitempty"`
	UpdatedAt time.Time `json:"updated_at,omitzero"`
	UpdatedBy string    `json:"updated_by,omitempty"`
	// OffDays and WorkDays count the holidays and make-up working days listed.
	OffDays  int `json:"off_days"`
	WorkDays int `json:"work_days"`
	// Embedded is true when the binary ships data for the year (a stored
	// year replaces it).
	Embedded bool `json:"embedded"`
	// Provisional is true for a year without a notice, answered from its
	// statutory holidays (Source provisional, L9).
	Provisional bool `json:"provisional,omitempty"`
}

// Years lists every year the calendar answers for, ascending: those with a
// notice, and the provisional ones.
func (s *Service) Years(ctx context.Context) ([]YearInfo, error) {
	v, err := s.version(ctx)
	if err != nil {
		return nil, err
	}
	snap, err := s.snapshotAt(ctx, v)
	if err != nil {
		return nil, err
	}
	var out []YearInfo
	for _, n := range snap.national.Years() {
		y, _ := snap.national.Year(n)
		info := YearInfo{Year: n, Source: SourceEmbedded, Embedded: snap.embedded[n]}
		if st, ok := snap.stored[n]; ok {
			info.Source, info.FileName, info.UpdatedBy = st.source, st.fileName, st.updatedBy
			info.UpdatedAt = store.FromMicros(st.updatedAt)
		}
		info.OffDays, info.WorkDays = countDays(y)
		out = append(out, info)
	}
	for _, n := range snap.national.ProvisionalYears() {
		info, err := provisionalInfo(n)
		if err != nil {
			return nil, err
		}
		out = append(out, info)
	}
	slices.SortFunc(out, func(a, b YearInfo) int { return a.Year - b.Year })
	return out, nil
}

func provisionalInfo(n int) (YearInfo, error) {
	y, err := calendar.ProvisionalYear(n)
	if err != nil {
		return YearInfo{}, err
	}
	info := YearInfo{Year: n, Source: SourceProvisional, Provisional: true}
	info.OffDays, info.WorkDays = countDays(y)
	return info, nil
}

// StoredYears returns the years imported or edited (not the embedded ones),
// ascending: what overlays the embedded data.
func (s *Service) StoredYears(ctx context.Context) ([]calendar.Year, error) {
	stored, err := readStored(ctx, s.db)
	if err != nil {
		return nil, err
	}
	out := make([]calendar.Year, 0, len(stored))
	for _, y := range stored {
		out = append(out, y.year)
	}
	slices.SortFunc(out, func(a, b calendar.Year) int { return a.Year - b.Year })
	return out, nil
}

// Year returns one year's data — its notice, or for a provisional year its
// statutory holidays — or the missing-year error.
func (s *Service) Year(ctx context.Context, y int) (calendar.Year, YearInfo, error) {
	years, err := s.Years(ctx)
	if err != nil {
		return calendar.Year{}, YearInfo{}, err
	}
	cal, err := s.Calendar(ctx, 0)
	if err != nil {
		return calendar.Year{}, YearInfo{}, err
	}
	if cal.IsProvisional(y) {
		data, err := calendar.ProvisionalYear(y)
		if err != nil {
			return calendar.Year{}, YearInfo{}, err
		}
		info, err := provisionalInfo(y)
		return data, info, err
	}
	data, ok := cal.Year(y)
	if !ok {
		return calendar.Year{}, YearInfo{}, cal.Check(y)
	}
	for _, info := range years {
		if info.Year == y {
			return data, info, nil
		}
	}
	return data, YearInfo{Year: y}, nil
}

func countDays(y calendar.Year) (off, work int) {
	for _, d := range y.Days {
		if d.IsOffDay {
			off++
		} else {
			work++
		}
	}
	return off, work
}

// MissingYears lists the years a calendar question may soon need but whose
// notice is not loaded (L9): the current year always, and from 1 November
// the next year too, since the State Council's notice for it is due then.
// Until it is, such a year is answered provisionally. Days are counted in
// Asia/Shanghai, the zone of the notices.
func (s *Service) MissingYears(ctx context.Context, now time.Time) ([]int, error) {
	cal, err := s.Calendar(ctx, 0)
	if err != nil {
		return nil, err
	}
	return missingYears(cal, now), nil
}

func missingYears(cal *calendar.Calendar, now time.Time) []int {
	t := now.In(calendar.DefaultLocation)
	var out []int
	if !cal.Covers(t.Year()) {
		out = append(out, t.Year())
	}
	if t.Month() >= time.November && !cal.Covers(t.Year()+1) {
		out = append(out, t.Year()+1)
	}
	return out
}

// Notice is a message for the layout's banner.
type Notice struct {
	Text msg.Message
	// Link is the page where the administrator acts on it, and Do the
	// words of the link (none when its ID is empty).
	Link string
	Do   msg.Message
}

// Message returns the notice in lang ("en" or Chinese).
func (n Notice) Message(lang string) string { return n.Text.In(lang) }

// Action returns the words of the notice's link in lang, if any.
func (n Notice) Action(lang string) string {
	if n.Do.ID == "" {
		return ""
	}
	return n.Do.In(lang)
}

// AdminPath is the admin page of the calendar.
const AdminPath = "/admin/calendar"

// EntryPath is the admin page where year y is entered by hand.
func EntryPath(y int) string { return fmt.Sprintf("%s/years/%d/edit", AdminPath, y) }

// Notices are the banners the layout shows p at now: to administrators,
// one per missing year (L9); nothing to anyone else. Meant for a layout
// notice hook of the web server.
func (s *Service) Notices(ctx context.Context, p access.Principal, now time.Time) ([]Notice, error) {
	if !p.Has(access.RoleAdmin) {
		return nil, nil
	}
	cal, err := s.Calendar(ctx, 0)
	if err != nil {
		return nil, err
	}
	years := missingYears(cal, now)
	if len(years) == 0 {
		return nil, nil
	}
	national, err := s.CanEditNational(ctx, p)
	if err != nil {
		return nil, err
	}
	// Only the top-level administrator can load a year; the others are
	// told whom to ask rather than to do what they may not.
	do := msg.M("caldb.notice.enter_or_import")
	if !national {
		do = msg.M("caldb.notice.ask_the_top_level_administrator")
	}
	var out []Notice
	for _, y := range years {
		text := msg.M("caldb.notice.year_missing_provisional", y, do)
		if !cal.IsProvisional(y) {
			text = msg.M("caldb.notice.year_missing", y, do)
		}
		n := Notice{Text: text, Link: AdminPath}
		if national {
			n.Link, n.Do = EntryPath(y), msg.M("caldb.notice.enter_the_notice")
		}
		out = append(out, n)
	}
	return out, nil
}
