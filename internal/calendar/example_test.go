package calendar_test

import (
	"fmt"
	"time"

	"github.com/qingdan/qingdan/internal/calendar"
)

func ExampleCalendar_AddWorkingDays() {
	cal, _ := calendar.Default()
	start, _ := calendar.ParseDate("from", "2026-02-12")
	due, _ := cal.AddWorkingDays(start, 5) // Spring Festival 15–23 Feb does not count
	fmt.Println(due, cal.End(due).Format(time.RFC3339))
	// Output: 2026-02-26 2026-02-27T00:00:00+08:00
}

func ExampleClock_At() {
	cal, _ := calendar.Default()
	sh := cal.Location()
	clk, _ := calendar.NewClock(calendar.LicensingDecision,
		calendar.Event{Kind: calendar.Start, At: time.Date(2026, 3, 2, 10, 0, 0, 0, sh)},
		calendar.Event{Kind: calendar.Pause, At: time.Date(2026, 3, 4, 15, 0, 0, 0, sh), Reason: calendar.SpecialProcedure},
		calendar.Event{Kind: calendar.Resume, At: time.Date(2026, 3, 11, 9, 0, 0, 0, sh)},
	)
	st, _ := clk.At(cal, time.Date(2026, 3, 12, 9, 0, 0, 0, sh))
	fmt.Println(st.State, st.DueDate, st.Elapsed.Days, st.Remaining.Days)
	// Output: running 2026-04-07 2 18
}
