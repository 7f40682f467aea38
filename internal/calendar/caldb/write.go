package caldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/calendar"
	"github.com/qingdan/qingdan/internal/org"
	"github.com/qingdan/qingdan/internal/store"
)

// Object types of the audited calendar tables.
const (
	ObjectYear     = "calendar_year"
	ObjectRegional = "calendar_regional_day"
)

// MaxUpload bounds an uploaded year file; a year's notice is a few KB.
const MaxUpload = 1 << 20

// maxName bounds a holiday's name, as in a year entered by hand.
const maxName = calendar.MaxNameRunes

// yearStateJSON is a calendar_years row as audited State.
type yearStateJSON struct {
	Year      int             `json:"year"`
	Days      json.RawMessage `json:"days"`
	Source    string          `json:"source"`
	FileName  string          `json:"file_name"`
	UpdatedAt int64           `json:"updated_at"`
	UpdatedBy string          `json:"updated_by"`
	Version   int64           `json:"version"`
}

// yearRow is a calendar_years row as stored: the year's notice as JSON
// text (the raw row, not a parsed one, for verify must see what is
// stored), its source and stamp.
type yearRow struct {
	Year, Version    int64
	Days             string
	Source, FileName string
	UpdatedAt        int64
	UpdatedBy        string
}

// The calendar's stored years, regional days and business hours are
// declared aggregates (store.Declare): verify compares each row with the
// State of its object's last event, and a change locks the row first,
// which refuses one changed behind the log's back.
var (
	years = store.Declare(store.Aggregate[yearRow]{
		Table: "calendar_years", ObjectType: ObjectYear, Key: "year",
		Columns: []string{"days", "source", "file_name", "updated_at", "updated_by"},
		Fields: func(r *yearRow) []any {
			return []any{&r.Year, &r.Version, &r.Days, &r.Source, &r.FileName, &r.UpdatedAt, &r.UpdatedBy}
		},
		State: func(r *yearRow) any {
			return yearStateJSON{Year: int(r.Year), Days: json.RawMessage(r.Days), Source: r.Source, FileName: r.FileName,
				UpdatedAt: r.UpdatedAt, UpdatedBy: r.UpdatedBy, Version: r.Version}
		},
		Stale: func(r *yearRow) error {
			return apperr.Stale("caldb.the_holiday_data_of", r.Year)
		},
	})
	regionals = store.Declare(store.Aggregate[regionalRow]{
		Table: "calendar_regional_days", ObjectType: ObjectRegional,
		Columns: []string{"body_id", "date", "name", "is_off_day", "created_at", "created_by", "active"},
		Fields: func(r *regionalRow) []any {
			return []any{&r.ID, &r.Version, &r.BodyID, &r.Date, &r.Name, &r.IsOffDay, &r.CreatedAt, &r.CreatedBy, &r.Active}
		},
		State: func(r *regionalRow) any { return r },
		Stale: func(r *regionalRow) error {
			return apperr.Stale("caldb.the_regional_day_on", r.Date)
		},
	})
)

// VersionedTables are the calendar tables whose rows gained their version
// in migration 0310 (and regional days their active flag), for
// store.AddVersions (run by qingdan migrate).
func VersionedTables() []store.VersionedTable {
	return []store.VersionedTable{
		{ObjectType: ObjectYear, Table: "calendar_years", Key: "year", State: years.StateOf},
		{ObjectType: ObjectRegional, Table: "calendar_regional_days", Key: "id", Added: map[string]any{"active": true}, State: regionals.StateOf},
		{ObjectType: ObjectHours, Table: "calendar_business_hours", Key: "body_id", State: hoursRows.StateOf},
	}
}

// canEditCalendar refuses anyone but an administrator who may write.
func canEditCalendar(p access.Principal) error {
	if !p.Has(access.RoleAdmin) || p.ReadOnly() {
		return apperr.Forbiddenf("caldb.only_an_administrator_may_change_the")
	}
	return nil
}

// errNationalOnly refuses a change of the national calendar to an
// administrator below the root body: every body counts its limits in it, so
// a town's administrator changing it would change the whole district (O1).
var errNationalOnly = apperr.Forbiddenf("caldb.only_the_administrator_of_the_top")

// NationalScope is the jurisdiction the national calendar belongs to: the
// path covering every body (org.TopPath), which every body counts its
// limits in. It returns that path when p covers it, else a Forbidden that
// says who may change the national calendar; routes changing it use it as
// their scope, and the service checks it again.
func (s *Service) NationalScope(ctx context.Context, p access.Principal) (string, error) {
	top, err := org.TopPath(ctx, s.db)
	if err != nil {
		return "", err
	}
	if !p.Covers(top) {
		return "", errNationalOnly
	}
	return top, nil
}

// canEditNational refuses anyone but an administrator whose jurisdiction
// covers every body.
func (s *Service) canEditNational(ctx context.Context, p access.Principal) error {
	if err := canEditCalendar(p); err != nil {
		return err
	}
	_, err := s.NationalScope(ctx, p)
	return err
}

// CanEditNational reports whether p may change the national calendar, for
// pages that offer its forms only to those who may use them.
func (s *Service) CanEditNational(ctx context.Context, p access.Principal) (bool, error) {
	err := s.canEditNational(ctx, p)
	if apperr.CodeOf(err) == apperr.Forbidden {
		return false, nil
	}
	return err == nil, err
}

// ImportYear reads a year file (holiday-cn JSON, or iCalendar when the name
// ends in .ics) and stores every year in it, replacing stored or embedded
// data of those years. A bad file is the parser's error naming the line or
// field, and nothing is stored.
func (s *Service) ImportYear(ctx context.Context, p access.Principal, data []byte, filename string) ([]YearInfo, error) {
	if err := s.canEditNational(ctx, p); err != nil {
		return nil, err
	}
	if len(data) > MaxUpload {
		return nil, apperr.Invalidf("file", "caldb.the_file_is_too_large_limit", MaxUpload>>10)
	}
	if len(data) == 0 {
		return nil, apperr.Invalidf("file", "caldb.the_file_is_empty")
	}
	ys, err := calendar.Parse(filename, data)
	if err != nil {
		return nil, err
	}
	return s.SaveYears(ctx, p.Login, ys, SourceUpload, baseName(filename))
}

// baseName keeps only a file's own name (browsers may send a path).
func baseName(name string) string {
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	if utf8.RuneCountInString(name) > 200 {
		name = string([]rune(name)[:200])
	}
	return name
}

// SaveYears stores already-parsed years as one audited change each, after
// checking that they make a calendar with the years already there. actor
// is the principal's login ("cli" from the command line). It is what
// ImportYear does after parsing, for callers that parsed themselves.
func (s *Service) SaveYears(ctx context.Context, actor string, ys []calendar.Year, source, fileName string) ([]YearInfo, error) {
	return s.saveYears(ctx, actor, ys, source, fileName, "calendar.year.imported")
}

// EnterYear stores year `year` as an administrator entered it by hand, as
// ranges of days the way the notice words them (calendar.YearOfRanges names
// a bad row). It replaces the year's notice or provisional computation, as
// an upload does, and is audited as calendar.year.entered.
func (s *Service) EnterYear(ctx context.Context, p access.Principal, year int, rows []calendar.Range) (YearInfo, error) {
	if err := s.canEditNational(ctx, p); err != nil {
		return YearInfo{}, err
	}
	y, err := calendar.YearOfRanges(year, rows)
	if err != nil {
		return YearInfo{}, err
	}
	out, err := s.saveYears(ctx, p.Login, []calendar.Year{y}, SourceEdit, "", "calendar.year.entered")
	if err != nil {
		return YearInfo{}, err
	}
	return out[0], nil
}

// Months counts each month of year y as the national calendar would with y
// in place of what it has for that year: the preview of a year entered by
// hand. Nothing is stored.
func (s *Service) Months(ctx context.Context, y calendar.Year) ([]calendar.Month, error) {
	cal, err := s.Calendar(ctx, 0)
	if err != nil {
		return nil, err
	}
	if cal, err = cal.Merge(y); err != nil {
		return nil, err
	}
	return cal.Months(y.Year)
}

func (s *Service) saveYears(ctx context.Context, actor string, ys []calendar.Year, source, fileName, action string) ([]YearInfo, error) {
	if len(ys) == 0 {
		return nil, apperr.Invalidf("file", "caldb.the_file_holds_no_year")
	}
	for _, y := range ys {
		if err := y.Validate(); err != nil {
			return nil, err
		}
	}
	at := store.Micros(s.now())
	var out []YearInfo
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		out = out[:0]
		if err := bumpVersion(ctx, tx); err != nil {
			return err
		}
		stored, err := readStored(ctx, tx)
		if err != nil {
			return err
		}
		old := map[int]storedYear{}
		for _, y := range ys {
			b, err := json.Marshal(y)
			if err != nil {
				return err
			}
			if prev, ok := stored[y.Year]; ok {
				old[y.Year] = prev
			}
			stored[y.Year] = storedYear{year: y, days: string(b), source: source, fileName: fileName, updatedAt: at, updatedBy: actor}
		}
		// A stored year must never make the calendar unbuildable: every
		// read would fail from then on.
		cal, _, err := buildNational(stored)
		if err != nil {
			return err
		}
		for _, y := range ys {
			prev, had := old[y.Year]
			if err := s.putYear(ctx, tx, actor, stored[y.Year], prev, had, action, map[string]any{"file": fileName}); err != nil {
				return err
			}
			data, _ := cal.Year(y.Year)
			off, work := countDays(data)
			out = append(out, YearInfo{Year: y.Year, Source: source, FileName: fileName, UpdatedAt: store.FromMicros(at),
				UpdatedBy: actor, OffDays: off, WorkDays: work})
		}
		first, err := firstDay(ys, old)
		if err != nil {
			return err
		}
		return s.recheckClocks(ctx, tx, "", dayStart(first))
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// putYear stores a year row (had: it was stored, as prev, read in this
// write) at its next version and emits its event; a stored row is locked
// first, which refuses one changed behind the log's back.
func (s *Service) putYear(ctx context.Context, tx *store.Tx, actor string, y, prev storedYear, had bool, action string, payload map[string]any) error {
	off, work := countDays(y.year)
	payload["off_days"], payload["work_days"] = off, work
	pl, err := json.Marshal(payload)
	if err != nil {
		return err
	}
	e := store.Event{Actor: actor, Action: action, To: y.source, Payload: pl}
	r := yearRow{Year: int64(y.year.Year), Days: y.days, Source: y.source, FileName: y.fileName, UpdatedAt: y.updatedAt, UpdatedBy: y.updatedBy}
	if !had {
		return years.Insert(ctx, tx, &r, e)
	}
	locked, err := years.Lock(ctx, tx, r.Year)
	if err != nil {
		return err
	}
	if locked.Version != prev.version {
		return years.Stale(&locked)
	}
	r.Version, e.From = locked.Version, prev.source
	return years.Save(ctx, tx, &r, e)
}

// bumpVersion marks a calendar change for every instance's cache. Writes
// call it first: on PostgreSQL the row lock it takes serialises calendar
// writers across instances, so the years a write then reads (read committed)
// include every earlier committed edit and no edit is lost.
func bumpVersion(ctx context.Context, tx *store.Tx) error {
	if _, err := tx.Exec(ctx, `UPDATE calendar_version SET version = version + 1 WHERE id = 1`); err != nil {
		return fmt.Errorf("caldb: bump calendar version: %w", err)
	}
	return nil
}

// SetDay edits one date of the national calendar: off true makes it a
// holiday, false a working day; name names the holiday or make-up day.
// Setting a date to what its weekday already is (a working Tuesday, a rest
// Sunday) removes it from the notices. The date is edited in the notice that
// decides it (the later year where two name it), else in its own year, which
// must already have data: a single day never invents a year (L9). version
// is the date's version the caller read (Day), 0 from the single-day form,
// which shows no state of the date (not checked).
func (s *Service) SetDay(ctx context.Context, p access.Principal, date calendar.Date, version int64, off bool, name string) (YearInfo, error) {
	if err := s.canEditNational(ctx, p); err != nil {
		return YearInfo{}, err
	}
	name = strings.TrimSpace(name)
	weekend := date.Weekday() == time.Saturday || date.Weekday() == time.Sunday
	listed := off != weekend
	if listed && name == "" {
		return YearInfo{}, apperr.Invalidf("name", "caldb.give_the_holiday_s_or_make")
	}
	if utf8.RuneCountInString(name) > maxName {
		return YearInfo{}, apperr.Invalidf("name", "caldb.the_name_cannot_exceed_characters", maxName)
	}
	emb, err := calendar.Embedded()
	if err != nil {
		return YearInfo{}, err
	}
	embedded := map[int]calendar.Year{}
	for _, y := range emb {
		embedded[y.Year] = y
	}
	at := store.Micros(s.now())
	var out YearInfo
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		if err := bumpVersion(ctx, tx); err != nil {
			return err
		}
		stored, err := readStored(ctx, tx)
		if err != nil {
			return err
		}
		if version != 0 && version != dayVersion(stored, date) {
			return apperr.Stale("caldb.the_calendar_of", date)
		}
		current := func(n int) (calendar.Year, bool) {
			if y, ok := stored[n]; ok {
				return y.year, true
			}
			y, ok := embedded[n]
			return y, ok
		}
		// A date can be named by its own year's notice or a neighbour's.
		var naming []int
		for n := date.Year() - 1; n <= date.Year()+1; n++ {
			if y, ok := current(n); ok && indexOf(y, date) >= 0 {
				naming = append(naming, n)
			}
		}
		target := date.Year()
		if len(naming) > 0 {
			target = naming[len(naming)-1]
		}
		if _, ok := current(target); !ok {
			return &apperr.Error{Code: apperr.Conflict, Field: "date", Key: "caldb.there_is_no_state_council_notice", Args: []any{target, EntryPath(target)}, Err: &calendar.MissingYearError{Year: target}}
		}
		changed := map[int]calendar.Year{}
		for _, n := range naming {
			y, _ := current(n)
			changed[n] = without(y, date)
		}
		if listed {
			y, ok := changed[target]
			if !ok {
				y, _ = current(target)
				y = without(y, date)
			}
			y.Days = append(y.Days, calendar.Day{Name: name, Date: date, IsOffDay: off})
			changed[target] = y
		}
		if len(changed) == 0 {
			// Nothing names the date and it already is what was asked.
			y, _ := current(target)
			out = yearInfoOf(target, stored, y)
			return nil
		}
		old := map[int]storedYear{}
		for n, y := range changed {
			if err := y.Validate(); err != nil {
				return err
			}
			b, err := json.Marshal(y)
			if err != nil {
				return err
			}
			if prev, ok := stored[n]; ok {
				old[n] = prev
			}
			stored[n] = storedYear{year: y, days: string(b), source: SourceEdit, updatedAt: at, updatedBy: p.Login}
		}
		if _, _, err := buildNational(stored); err != nil {
			return err
		}
		for n := date.Year() - 1; n <= date.Year()+1; n++ {
			if _, ok := changed[n]; !ok {
				continue
			}
			prev, had := old[n]
			payload := map[string]any{"date": date.String(), "off": off, "name": name, "listed": listed}
			if err := s.putYear(ctx, tx, p.Login, stored[n], prev, had, "calendar.day.set", payload); err != nil {
				return err
			}
		}
		out = yearInfoOf(target, stored, stored[target].year)
		return s.recheckClocks(ctx, tx, "", dayStart(date))
	})
	if err != nil {
		return YearInfo{}, err
	}
	return out, nil
}

// dayVersion is the version of one date of the national calendar: 1 plus
// the versions of the stored years whose notice may name it (its own and
// both neighbours', as SetDay edits). Stored years only grow in version
// and are never deleted, so any change that could touch the date makes it
// grow.
func dayVersion(stored map[int]storedYear, d calendar.Date) int64 {
	v := int64(1)
	for n := d.Year() - 1; n <= d.Year()+1; n++ {
		v += stored[n].version
	}
	return v
}

// DayInfo is one date of the national calendar, as SetDay edits it.
type DayInfo struct {
	Date    string `json:"date"` // YYYY-MM-DD
	Working bool   `json:"working"`
	// Name and Year are the holiday's or make-up day's name and the year
	// whose notice names the date, when one does.
	Name string `json:"name,omitempty"`
	Year int    `json:"year,omitempty"`
	// Version is the date's version (dayVersion): SetDay's base.
	Version int64 `json:"version"`
}

// Day reads one date of the national calendar; a date of a year without
// data is the missing-year error (L9).
func (s *Service) Day(ctx context.Context, date calendar.Date) (DayInfo, error) {
	v, err := s.version(ctx)
	if err != nil {
		return DayInfo{}, err
	}
	snap, err := s.snapshotAt(ctx, v)
	if err != nil {
		return DayInfo{}, err
	}
	working, err := snap.national.IsWorkingDay(date)
	if err != nil {
		return DayInfo{}, err
	}
	out := DayInfo{Date: date.String(), Working: working, Version: dayVersion(snap.stored, date)}
	for n := date.Year() - 1; n <= date.Year()+1; n++ { // the later notice decides
		if y, ok := snap.national.Year(n); ok {
			if i := indexOf(y, date); i >= 0 {
				out.Name, out.Year = y.Days[i].Name, n
			}
		}
	}
	return out, nil
}

func yearInfoOf(n int, stored map[int]storedYear, y calendar.Year) YearInfo {
	info := YearInfo{Year: n, Source: SourceEmbedded}
	if st, ok := stored[n]; ok {
		info.Source, info.FileName, info.UpdatedBy = st.source, st.fileName, st.updatedBy
		info.UpdatedAt = store.FromMicros(st.updatedAt)
	}
	info.OffDays, info.WorkDays = countDays(y)
	return info
}

func indexOf(y calendar.Year, d calendar.Date) int {
	for i, day := range y.Days {
		if day.Date == d {
			return i
		}
	}
	return -1
}

// without returns y without date d (a copy; y's slice is shared with the
// embedded data and must not change).
func without(y calendar.Year, d calendar.Date) calendar.Year {
	days := make([]calendar.Day, 0, len(y.Days))
	for _, day := range y.Days {
		if day.Date != d {
			days = append(days, day)
		}
	}
	y.Days = days
	return y
}

// RegionalDay is a region's own holiday (or working day), applying to the
// body and every body below it. A removed day keeps its row, inactive, so
// its version goes on growing if the date is added again.
type RegionalDay struct {
	ID        int64         `json:"id"`
	BodyID    int64         `json:"body_id"`
	Date      calendar.Date `json:"date"`
	Name      string        `json:"name"`
	IsOffDay  bool          `json:"is_off_day"`
	CreatedAt int64         `json:"created_at"`
	CreatedBy string        `json:"created_by"`
	Active    bool          `json:"active"`
	Version   int64         `json:"version"`
}

// regionalRow is a calendar_regional_days row as stored, and its State
// (the JSON of a RegionalDay).
type regionalRow struct {
	ID        int64  `json:"id"`
	BodyID    int64  `json:"body_id"`
	Date      string `json:"date"`
	Name      string `json:"name"`
	IsOffDay  bool   `json:"is_off_day"`
	CreatedAt int64  `json:"created_at"`
	CreatedBy string `json:"created_by"`
	Active    bool   `json:"active"`
	Version   int64  `json:"version"`
}

func (r *regionalRow) day() (RegionalDay, error) {
	d := RegionalDay{ID: r.ID, BodyID: r.BodyID, Name: r.Name, IsOffDay: r.IsOffDay, CreatedAt: r.CreatedAt,
		CreatedBy: r.CreatedBy, Active: r.Active, Version: r.Version}
	var err error
	if d.Date, err = calendar.ParseDate("date", r.Date); err != nil {
		return d, fmt.Errorf("caldb: regional day %d: %w", d.ID, err)
	}
	return d, nil
}

func (d RegionalDay) row() regionalRow {
	return regionalRow{ID: d.ID, BodyID: d.BodyID, Date: d.Date.String(), Name: d.Name, IsOffDay: d.IsOffDay,
		CreatedAt: d.CreatedAt, CreatedBy: d.CreatedBy, Active: d.Active, Version: d.Version}
}

// regionalCols are the columns of regionals' Fields, for the list reads.
const regionalCols = `id, version, body_id, date, name, is_off_day, created_at, created_by, active`

func scanRegional(sc interface{ Scan(...any) error }) (RegionalDay, error) {
	var r regionalRow
	if err := sc.Scan(regionals.Fields(&r)...); err != nil {
		return RegionalDay{}, fmt.Errorf("caldb: regional day: %w", err)
	}
	return r.day()
}

func readRegional(ctx context.Context, q store.Querier) (map[int64][]RegionalDay, error) {
	rows, err := q.Query(ctx, `SELECT `+regionalCols+` FROM calendar_regional_days WHERE active = TRUE ORDER BY body_id, date`)
	if err != nil {
		return nil, fmt.Errorf("caldb: regional days: %w", err)
	}
	defer rows.Close()
	out := map[int64][]RegionalDay{}
	for rows.Next() {
		d, err := scanRegional(rows)
		if err != nil {
			return nil, err
		}
		out[d.BodyID] = append(out[d.BodyID], d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("caldb: regional days: %w", err)
	}
	return out, nil
}

// bodyPath reads a body's materialised path.
func bodyPath(ctx context.Context, q store.Querier, bodyID int64) (string, error) {
	var path string
	err := q.QueryRow(ctx, `SELECT path FROM bodies WHERE id = ?`, bodyID).Scan(&path)
	if errors.Is(err, sql.ErrNoRows) {
		return "", apperr.NotFoundf("caldb.no_body_with_id", bodyID)
	}
	if err != nil {
		return "", fmt.Errorf("caldb: body %d: %w", bodyID, err)
	}
	return path, nil
}

// canEditRegion refuses anyone but an administrator covering the body (O1).
func canEditRegion(ctx context.Context, q store.Querier, p access.Principal, bodyID int64) error {
	if err := canEditCalendar(p); err != nil {
		return err
	}
	path, err := bodyPath(ctx, q, bodyID)
	if err != nil {
		return err
	}
	if !p.Covers(path) {
		return apperr.Forbiddenf("caldb.that_body_is_outside_your_jurisdiction")
	}
	return nil
}

// AddRegionalHoliday adds a region's own day for the body's subtree: off
// true a holiday (e.g. an autonomous region's festival), false a working
// day. Its year must have national data.
func (s *Service) AddRegionalHoliday(ctx context.Context, p access.Principal, bodyID int64, date calendar.Date, name string, off bool) (RegionalDay, error) {
	if err := canEditRegion(ctx, s.db, p, bodyID); err != nil {
		return RegionalDay{}, err
	}
	name = strings.TrimSpace(name)
	if name == "" {
		return RegionalDay{}, apperr.Invalidf("name", "caldb.give_the_holiday_s_name")
	}
	if utf8.RuneCountInString(name) > maxName {
		return RegionalDay{}, apperr.Invalidf("name", "caldb.the_name_cannot_exceed_characters", maxName)
	}
	cal, err := s.Calendar(ctx, 0)
	if err != nil {
		return RegionalDay{}, err
	}
	// Years are never removed, so a year covered now stays covered.
	if err := cal.Check(date.Year()); err != nil {
		return RegionalDay{}, err
	}
	added := RegionalDay{BodyID: bodyID, Date: date, Name: name, IsOffDay: off, CreatedAt: store.Micros(s.now()), CreatedBy: p.Login, Active: true, Version: 1}
	var d RegionalDay
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		d = added
		// First: concurrent calendar writers serialise on its row lock.
		if err := bumpVersion(ctx, tx); err != nil {
			return err
		}
		prev, had, err := regionalOn(ctx, tx, bodyID, date)
		if err != nil {
			return err
		}
		if had && prev.Active {
			return &apperr.Error{Code: apperr.Conflict, Field: "date", Key: "caldb.the_body_already_has_a_regional", Args: []any{date}}
		}
		e := store.Event{Actor: p.Login, Action: "calendar.regional.added", BodyID: bodyID, To: "present"}
		r := d.row()
		if !had {
			r.ID = 0
			if err := regionals.Insert(ctx, tx, &r, e); err != nil {
				return fmt.Errorf("caldb: add regional day: %w", err)
			}
			d.ID, d.Version = r.ID, r.Version
			return s.recheckRegion(ctx, tx, bodyID, date)
		}
		// Added again: the removed day's row comes back at its next version.
		locked, err := regionals.Lock(ctx, tx, prev.ID)
		if err != nil {
			return err
		}
		r.ID, r.Version = locked.ID, locked.Version
		if err := regionals.Save(ctx, tx, &r, e); err != nil {
			return err
		}
		d.ID, d.Version = r.ID, r.Version
		return s.recheckRegion(ctx, tx, bodyID, date)
	})
	if err != nil {
		return RegionalDay{}, err
	}
	return d, nil
}

// regionalOn reads the body's row for date, active or removed.
func regionalOn(ctx context.Context, q store.Querier, bodyID int64, date calendar.Date) (RegionalDay, bool, error) {
	d, err := scanRegional(q.QueryRow(ctx, `SELECT `+regionalCols+` FROM calendar_regional_days WHERE body_id = ? AND date = ?`, bodyID, date.String()))
	if errors.Is(err, sql.ErrNoRows) {
		return RegionalDay{}, false, nil
	}
	return d, err == nil, err
}

func staleRegional(d RegionalDay) error {
	r := d.row()
	return regionals.Stale(&r)
}

// OwnRegionalDay reads the body's own regional day on date, removed or
// not (its Active says which); p must cover the body.
func (s *Service) OwnRegionalDay(ctx context.Context, p access.Principal, bodyID int64, date calendar.Date) (RegionalDay, error) {
	path, err := bodyPath(ctx, s.db, bodyID)
	if err != nil {
		return RegionalDay{}, err
	}
	if !p.Covers(path) {
		return RegionalDay{}, apperr.Forbiddenf("caldb.that_body_is_outside_your_jurisdiction")
	}
	d, had, err := regionalOn(ctx, s.db, bodyID, date)
	if err == nil && !had {
		err = apperr.NotFoundf("caldb.the_body_has_no_regional_day", date)
	}
	return d, err
}

// RemoveRegionalHoliday removes the body's own regional day on date, as
// read at version (0: not checked); a day changed since is refused as
// stale. The row stays, inactive.
func (s *Service) RemoveRegionalHoliday(ctx context.Context, p access.Principal, bodyID int64, date calendar.Date, version int64) error {
	if err := canEditRegion(ctx, s.db, p, bodyID); err != nil {
		return err
	}
	return s.db.Write(ctx, func(tx *store.Tx) error {
		if err := bumpVersion(ctx, tx); err != nil {
			return err
		}
		d, had, err := regionalOn(ctx, tx, bodyID, date)
		if err != nil {
			return err
		}
		if version != 0 && had && d.Version != version {
			return staleRegional(d)
		}
		if !had || !d.Active {
			return apperr.NotFoundf("caldb.the_body_has_no_regional_day", date)
		}
		r, err := regionals.Lock(ctx, tx, d.ID)
		if err != nil {
			return err
		}
		pl, err := json.Marshal(r)
		if err != nil {
			return err
		}
		r.Active = false
		if err := regionals.Save(ctx, tx, &r, store.Event{Actor: p.Login, Action: "calendar.regional.removed", BodyID: bodyID,
			From: "present", To: "removed", Payload: pl}); err != nil {
			return err
		}
		return s.recheckRegion(ctx, tx, bodyID, date)
	})
}

// RegionalHolidays lists the regional days that apply to a body: its own and
// its ancestors', nearest body first. p must cover the body.
func (s *Service) RegionalHolidays(ctx context.Context, p access.Principal, bodyID int64) ([]RegionalDay, error) {
	path, err := bodyPath(ctx, s.db, bodyID)
	if err != nil {
		return nil, err
	}
	if !p.Covers(path) {
		return nil, apperr.Forbiddenf("caldb.that_body_is_outside_your_jurisdiction")
	}
	v, err := s.version(ctx)
	if err != nil {
		return nil, err
	}
	snap, err := s.snapshotAt(ctx, v)
	if err != nil {
		return nil, err
	}
	chain := ancestors(path)
	var out []RegionalDay
	for i := len(chain) - 1; i >= 0; i-- {
		out = append(out, snap.regional[chain[i]]...)
	}
	return out, nil
}

// BodyPath is the materialised path of a body (for a route's jurisdiction
// scope), or NotFound.
func (s *Service) BodyPath(ctx context.Context, bodyID int64) (string, error) {
	return bodyPath(ctx, s.db, bodyID)
}

// BodyRef is a body as the calendar pages list it.
type BodyRef struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
	Path string `json:"path"`
}

// Bodies lists the active bodies in p's jurisdiction, tree order, for
// choosing where a regional day applies.
func (s *Service) Bodies(ctx context.Context, p access.Principal) ([]BodyRef, error) {
	if p.BodyPath == "" {
		return nil, nil
	}
	rows, err := s.db.Query(ctx, `SELECT id, name, path FROM bodies WHERE active AND path LIKE ? ORDER BY path`,
		likePrefix(p.BodyPath))
	if err != nil {
		return nil, fmt.Errorf("caldb: bodies: %w", err)
	}
	defer rows.Close()
	var out []BodyRef
	for rows.Next() {
		var b BodyRef
		if err := rows.Scan(&b.ID, &b.Name, &b.Path); err != nil {
			return nil, fmt.Errorf("caldb: bodies: %w", err)
		}
		// LIKE is only a prefilter; Covers is the rule (O1).
		if p.Covers(b.Path) {
			out = append(out, b)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("caldb: bodies: %w", err)
	}
	return out, nil
}

// likePrefix is a LIKE pattern for paths starting with prefix (paths hold
// only digits and slashes, so no escaping is needed).
func likePrefix(prefix string) string { return prefix + "%" }
