package catalog

import (
	"testing"
	"time"
)

func TestPublication_C8_serviceItemLateWhenNotPublishedWithinThreeDays(t *testing.T) {
	approved := time.Date(2026, 11, 18, 16, 30, 0, 0, shanghai)
	// The approval day is not counted (L11): the deadline is the end of 21 Nov.
	if got, want := PublicationDeadline(approved, ServiceItemPublicationDays), time.Date(2026, 11, 22, 0, 0, 0, 0, shanghai); !got.Equal(want) {
		t.Fatalf("deadline %v, want %v", got, want)
	}
	a := proposal(addChange()) // a licensing item on application: a service item
	a.Stage = StageApproved
	a.ApprovedAt = &approved
	if AdjustmentPublicationLate(a, time.Date(2026, 11, 21, 23, 59, 0, 0, shanghai)) {
		t.Error("late on the last day")
	}
	if !AdjustmentPublicationLate(a, time.Date(2026, 11, 22, 0, 0, 0, 0, shanghai)) {
		t.Error("not late after three days unpublished")
	}
	inTime := time.Date(2026, 11, 21, 10, 0, 0, 0, shanghai)
	a.PublishedAt = &inTime
	if AdjustmentPublicationLate(a, time.Date(2026, 12, 30, 0, 0, 0, 0, shanghai)) {
		t.Error("published in time but shown late")
	}
	tooLate := time.Date(2026, 11, 23, 10, 0, 0, 0, shanghai)
	a.PublishedAt = &tooLate
	if !AdjustmentPublicationLate(a, tooLate) {
		t.Error("published on day 5 but not shown late")
	}
	// Not yet approved: no clock runs.
	b := proposal(addChange())
	if AdjustmentPublicationLate(b, time.Date(2027, 1, 1, 0, 0, 0, 0, shanghai)) {
		t.Error("an unapproved adjustment is late")
	}
}

func TestPublication_C8_onlyServiceItemsCarryTheThreeDayDeadline(t *testing.T) {
	approved := day(2026, 11, 2)
	pen := validItem()
	pen.Category, pen.BaseCode, pen.ExOfficio = Penalty, "0200001000", true
	a := proposal(Change{Kind: AddItem, BaseCode: pen.BaseCode, Draft: &pen})
	a.ApprovedAt = &approved
	if AdjustmentPublicationLate(a, day(2026, 12, 1)) {
		t.Error("a penalty-only adjustment has the service deadline")
	}
	// Without a draft (suspend, cancel) the category comes from the base code.
	a.Changes = []Change{{Kind: SuspendItem, BaseCode: "0500001000", Note: "x"}} // 05: benefit payment
	if !AdjustmentPublicationLate(a, day(2026, 12, 1)) {
		t.Error("a benefit suspension has no deadline")
	}
	a.Changes = []Change{{Kind: SuspendItem, BaseCode: "0600001000", Note: "x"}} // 06: inspection
	if AdjustmentPublicationLate(a, day(2026, 12, 1)) {
		t.Error("an inspection suspension has the service deadline")
	}
}

func TestPublication_C8_normativeDocumentsWithinTwentyDays(t *testing.T) {
	issued := day(2026, 3, 1)
	if PublicationLate(issued, NormativeDocPublicationDays, nil, day(2026, 3, 21)) {
		t.Error("late on day 20")
	}
	if !PublicationLate(issued, NormativeDocPublicationDays, nil, day(2026, 3, 22)) {
		t.Error("not late on day 21")
	}
}
