package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/calendar"
	"github.com/qingdan/qingdan/internal/calendar/caldb"
	"github.com/qingdan/qingdan/internal/store"
)

func init() {
	register(&command{
		name:    "calendar",
		summary: "qingdan.summary.calendar",
		run:     runCalendar,
	})
}

// calendarStore is what the calendar command needs from the database: the
// years an administrator loaded or corrected (merged over the embedded
// data), and saving a file's years as audited events.
type calendarStore interface {
	CalendarYears(ctx context.Context) ([]calendar.Year, error)
	SaveCalendarYears(ctx context.Context, ys []calendar.Year, fileName string) error
	Close() error
}

// openCalendarStore opens the store behind --db (a variable so that a test
// can put a fake in its place).
var openCalendarStore = openCalendarDB

// cliActor is the actor recorded on calendar changes made from the command
// line: the person at the console is not a logged-in account.
const cliActor = "cli"

// calendarDB is the stored calendar (package caldb) over an opened database.
type calendarDB struct {
	db    *store.DB
	svc   *caldb.Service
	signs bool // opened with the signing key
}

// openCalendarDB opens and migrates the database: an administrator may
// import a year into a fresh database before the first `serve`. With a data
// directory (import) it is opened the way serve opens it, with the
// checkpoint signing key there, so the import's events get a signed
// checkpoint at once (SaveCalendarYears) rather than at serve's next tick.
func openCalendarDB(ctx context.Context, cfg *dbConfig) (calendarStore, error) {
	if cfg.DataDir != "" {
		if err := prepareDataDir(cfg); err != nil {
			return nil, err
		}
	}
	db, err := cfg.openMigrated(ctx)
	if err != nil {
		return nil, err
	}
	return &calendarDB{db: db, svc: caldb.New(db), signs: cfg.DataDir != ""}, nil
}

func (c *calendarDB) CalendarYears(ctx context.Context) ([]calendar.Year, error) {
	return c.svc.StoredYears(ctx)
}

func (c *calendarDB) SaveCalendarYears(ctx context.Context, ys []calendar.Year, fileName string) error {
	if _, err := c.svc.SaveYears(ctx, cliActor, ys, caldb.SourceUpload, filepath.Base(fileName)); err != nil {
		return err
	}
	if !c.signs {
		return nil
	}
	if _, err := c.db.LatestCheckpoint(ctx); err != nil {
		return fmt.Errorf("%s: %w", t("qingdan.stored_but_signing_a_checkpoint_failed"), err)
	}
	return nil
}

func (c *calendarDB) Close() error { return c.db.Close() }

func runCalendar(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, t("qingdan.calendar_usage"))
		return usageError{t("qingdan.missing_subcommand_due_is_workday_check")}
	}
	if args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stdout, t("qingdan.calendar_usage"))
		return nil
	}
	sub, args := args[0], args[1:]
	o := &calOpts{}
	fs := flag.NewFlagSet("qingdan calendar "+sub, flag.ContinueOnError)
	fs.StringVar(&o.db, "db", "", "database DSN; without it the embedded data is used (import only validates)")
	if sub == "import" {
		fs.StringVar(&o.dataDir, "data-dir", "./data", t("qingdan.flag.data_dir_2"))
	}
	fs.StringVar(&o.tz, "tz", "Asia/Shanghai", "time zone days are counted in")
	fs.Var(&o.yearFiles, "year-file", "holiday-cn JSON or .ics file merged over the data (repeatable)")
	switch sub {
	case "due":
		fs.StringVar(&o.from, "from", "", "start: YYYY-MM-DD or YYYY-MM-DDTHH:MM (the start day is not counted)")
		fs.StringVar(&o.workingDays, "working-days", "", "limit in working days")
		fs.StringVar(&o.naturalDays, "natural-days", "", "limit in natural days (a last rest day moves to the next working day)")
		fs.StringVar(&o.hours, "hours", "", "limit in hours on the clock")
		fs.StringVar(&o.workingHours, "working-hours", "", "limit in working hours within --business-hours")
		fs.StringVar(&o.businessHours, "business-hours", calendar.DefaultBusinessHours.String(), "business hours for --working-hours")
	case "is-workday", "check", "import", "provisional":
	default:
		fmt.Fprint(stderr, t("qingdan.calendar_usage"))
		return usageError{t("qingdan.unknown_subcommand", sub)}
	}
	pos, err := parseInterspersed(fs, args, stderr)
	if err != nil {
		return err
	}
	loc, err := time.LoadLocation(o.tz)
	if err != nil {
		return usageError{t("qingdan.invalid_time_zone", o.tz)}
	}
	o.loc = loc

	switch sub {
	case "due":
		if len(pos) != 0 {
			return usageError{t("qingdan.unexpected_arguments", pos)}
		}
		return o.due(ctx, stdout)
	case "is-workday":
		if len(pos) != 1 {
			return usageError{t("qingdan.usage_qingdan_calendar_is_workday_yyyy")}
		}
		d, err := calendar.ParseDate("DATE", pos[0])
		if err != nil {
			return usageError{t("qingdan.invalid_date_want_yyyy_mm_dd", pos[0])}
		}
		cal, err := o.calendar(ctx)
		if err != nil {
			return err
		}
		ok, err := cal.IsWorkingDay(d)
		if err != nil {
			return err
		}
		printAnswer(stdout, cal, fmt.Sprint(ok), d, d)
		return nil
	case "check":
		if len(pos) != 1 {
			return usageError{t("qingdan.usage_qingdan_calendar_check_year")}
		}
		y, err := strconv.Atoi(pos[0])
		if err != nil || y < calendar.MinYear || y > calendar.MaxYear {
			return usageError{t("qingdan.invalid_year", pos[0])}
		}
		cal, err := o.calendar(ctx)
		if err != nil {
			return err
		}
		data, ok := cal.Year(y)
		if !ok {
			fmt.Fprintln(stdout, t("qingdan.year_absent", y))
			if !cal.IsProvisional(y) {
				return cal.Check(y)
			}
			if err := printProvisional(stdout, y); err != nil {
				return err
			}
			return &apperr.Error{Code: apperr.NotFound, Field: "year", Err: &calendar.MissingYearError{Year: y}, Key: "qingdan.no_state_council_notice_for_limits", Args: []any{y}}
		}
		off, work := countDays(data)
		fmt.Fprintln(stdout, t("qingdan.year_present", y, off, work))
		return nil
	case "provisional":
		if len(pos) != 1 {
			return usageError{t("qingdan.usage_qingdan_calendar_provisional_year")}
		}
		y, err := strconv.Atoi(pos[0])
		if err != nil {
			return usageError{t("qingdan.invalid_year", pos[0])}
		}
		py, err := calendar.ProvisionalYear(y)
		if err != nil {
			return err
		}
		py.Papers = nil // the notice typed in over it is the paper, not the regulation
		b, err := json.MarshalIndent(py, "", "  ")
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s\n", b)
		return nil
	default: // import
		if len(pos) != 1 {
			return usageError{t("qingdan.usage_qingdan_calendar_import_file")}
		}
		return o.importFile(ctx, pos[0], stdout)
	}
}

// printAnswer prints an answer that looked at the days from..to, followed
// by "provisional" (暂定) and why when one of them lies in a year known only
// from its statutory holidays (L9).
func printAnswer(w io.Writer, cal *calendar.Calendar, answer string, from, to calendar.Date) {
	if !cal.ProvisionalBetween(from, to) {
		fmt.Fprintln(w, answer)
		return
	}
	fmt.Fprintln(w, answer+" "+t("qingdan.provisional"))
	for _, y := range cal.ProvisionalYearsBetween(from, to) {
		r, err := calendar.RegulationFor(y)
		if err != nil {
			continue // a provisional year always has one
		}
		title := r.Title
		if lang == "en" {
			title = r.TitleEn
		}
		fmt.Fprintln(w, "  "+t("qingdan.notice_not_loaded", y, title))
	}
}

// printProvisional lists the statutory holidays a provisional year is
// counted on.
func printProvisional(w io.Writer, y int) error {
	py, err := calendar.ProvisionalYear(y)
	if err != nil {
		return err
	}
	fmt.Fprintln(w, t("qingdan.provisional_from_the_statutory_holidays", y, strings.Join(py.Papers, "; ")))
	for _, r := range calendar.Ranges(py) {
		if r.From == r.To {
			fmt.Fprintf(w, "  %s %s\n", r.From, r.Name)
		} else {
			fmt.Fprintf(w, "  %s – %s %s\n", r.From, r.To, r.Name)
		}
	}
	return nil
}

type calOpts struct {
	db, dataDir, tz, from           string
	workingDays, naturalDays, hours string
	workingHours, businessHours     string
	yearFiles                       stringList
	loc                             *time.Location
}

type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

// parseInterspersed lets flags come after positional arguments too
// ("import FILE --db …"), which flag.Parse alone does not.
func parseInterspersed(fs *flag.FlagSet, args []string, stderr io.Writer) ([]string, error) {
	var pos []string
	for {
		if err := parseFlags(fs, args, stderr); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if rest[0] == "--" {
			return append(pos, rest[1:]...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// calendar builds the calendar to answer with: embedded data, then the
// database's years, then --year-file files, later ones winning.
func (o *calOpts) calendar(ctx context.Context) (*calendar.Calendar, error) {
	years, err := calendar.Embedded()
	if err != nil {
		return nil, err
	}
	if o.db != "" {
		st, err := o.store(ctx)
		if err != nil {
			return nil, err
		}
		stored, err := st.CalendarYears(ctx)
		if cerr := st.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return nil, err
		}
		years = calendar.Overlay(years, stored)
	}
	for _, f := range o.yearFiles {
		ys, err := readYearFile(f)
		if err != nil {
			return nil, err
		}
		years = calendar.Overlay(years, ys)
	}
	return calendar.New(years, calendar.Options{Location: o.loc, ProvisionalYears: calendar.ProvisionalHorizon})
}

// store opens --db; import also names the data directory (--data-dir), the
// reads do not need the signing key.
func (o *calOpts) store(ctx context.Context) (calendarStore, error) {
	return openCalendarStore(ctx, &dbConfig{DSN: o.db, DataDir: o.dataDir})
}

func readYearFile(name string) ([]calendar.Year, error) {
	b, err := os.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", t("qingdan.cannot_read", name), err)
	}
	ys, err := calendar.Parse(name, b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return ys, nil
}

func (o *calOpts) due(ctx context.Context, stdout io.Writer) error {
	type limit struct {
		name, val string
	}
	var given []limit
	for _, l := range []limit{{"working-days", o.workingDays}, {"natural-days", o.naturalDays}, {"hours", o.hours}, {"working-hours", o.workingHours}} {
		if l.val != "" {
			given = append(given, l)
		}
	}
	if len(given) != 1 {
		return usageError{t("qingdan.give_exactly_one_limit_working_days")}
	}
	l := given[0]
	n, err := strconv.Atoi(l.val)
	// The cap keeps hours far from time.Duration overflow; it is centuries.
	if err != nil || n < 0 || n > 1000000 {
		return usageError{t("qingdan.must_be_a_whole_number", l.name, l.val)}
	}
	if o.from == "" {
		return usageError{t("qingdan.from_the_start_is_missing")}
	}
	from, err := parseFrom(o.from, o.loc)
	if err != nil {
		return usageError{t("qingdan.invalid_from", o.from)}
	}
	if l.name == "hours" {
		// Hours on the clock need no holiday data (L11).
		fmt.Fprintln(stdout, from.Add(time.Duration(n)*time.Hour).In(o.loc).Format("2006-01-02T15:04"))
		return nil
	}
	cal, err := o.calendar(ctx)
	if err != nil {
		return err
	}
	start := cal.Date(from)
	switch l.name {
	case "working-days":
		d, err := cal.AddWorkingDays(start, n)
		if err != nil {
			return err
		}
		printAnswer(stdout, cal, d.String(), start, d)
	case "natural-days":
		d, err := cal.AddNaturalDays(start, n)
		if err != nil {
			return err
		}
		printAnswer(stdout, cal, d.String(), start, d)
	default: // working-hours
		bh, err := calendar.ParseBusinessHours(o.businessHours)
		if err != nil {
			return usageError{t("qingdan.invalid_business_hours", o.businessHours)}
		}
		t, err := cal.WithBusinessHours(bh).AddWorkingHours(from, time.Duration(n)*time.Hour)
		if err != nil {
			return err
		}
		printAnswer(stdout, cal, t.In(o.loc).Format("2006-01-02T15:04"), start, cal.Date(t))
	}
	return nil
}

// parseFrom reads a date (00:00 that day) or a local date and time.
func parseFrom(s string, loc *time.Location) (time.Time, error) {
	if len(s) == len("2006-01-02") {
		d, err := calendar.ParseDate("from", s)
		if err != nil {
			return time.Time{}, err
		}
		return d.Start(loc), nil
	}
	return time.ParseInLocation("2006-01-02T15:04", s, loc)
}

func (o *calOpts) importFile(ctx context.Context, name string, stdout io.Writer) error {
	ys, err := readYearFile(name)
	if err != nil {
		return err
	}
	// The years must also make a calendar together with what is there now.
	current, err := o.calendar(ctx)
	if err != nil {
		return err
	}
	if _, err := current.Merge(ys...); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	for _, y := range ys {
		off, work := countDays(y)
		what := t("qingdan.import.new_year")
		if current.IsProvisional(y.Year) {
			what = t("qingdan.import.replaces_the_provisional_year")
		}
		if old, ok := current.Year(y.Year); ok {
			what = t("qingdan.import.replaces_present_data", diffDays(old, y))
		}
		fmt.Fprintln(stdout, t("qingdan.import.valid", y.Year, off, work, what))
	}
	if o.db == "" {
		fmt.Fprintln(stdout, t("qingdan.import.validated_only"))
		return nil
	}
	st, err := o.store(ctx)
	if err != nil {
		return err
	}
	// All the file's years in one go: either every one is stored or none.
	err = st.SaveCalendarYears(ctx, ys, name)
	if cerr := st.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	for _, y := range ys {
		fmt.Fprintln(stdout, t("qingdan.import.stored", y.Year))
	}
	return nil
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

// diffDays counts dates whose kind differs or that only one side lists.
func diffDays(a, b calendar.Year) int {
	m := map[calendar.Date]bool{}
	for _, d := range a.Days {
		m[d.Date] = d.IsOffDay
	}
	n := 0
	for _, d := range b.Days {
		if off, ok := m[d.Date]; !ok || off != d.IsOffDay {
			n++
		}
		delete(m, d.Date)
	}
	return n + len(m)
}
