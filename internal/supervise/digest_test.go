package supervise

import (
	"errors"
	"fmt"
	"testing"
)

// Issue #16 item 7: a sweep's cards and order notices reach each person
// once, in one digest, however many cards name them and however many
// audiences lead to them.
func TestDigest_S4_onePerPersonPerSweep(t *testing.T) {
	set := defaults(t)
	var notices []Notice
	// 150 cases of one unit go red in one sweep.
	for i := range 150 {
		s := started(Object{ObjectCase, fmt.Sprintf("330199-2026-%06d", i)}, WatchCase, wd(1), "2026-03-05T10:00", "")
		s.Person = window1.Staff
		res, err := Evaluate(set, s, newWorld(t).cal, at("2026-03-07T09:00"), nil)
		if err != nil || len(res.Raise) != 2 {
			t.Fatalf("%d: %+v %v", i, res, err)
		}
		for _, c := range res.Raise {
			notices = append(notices, c.Notices()...)
		}
	}
	o := issued(t)
	_, ch, err := o.Answer("已整改", nil, orderEnv(t, "2026-09-25T10:00", unit1))
	if err != nil {
		t.Fatal(err)
	}
	notices = append(notices, ch.Notices...)
	// The unit's staff: window1 (also the responsible person) and unit1;
	// its head: the leader; supervision: super1.
	resolve := func(r Recipient) ([]int64, error) {
		switch r.Audience {
		case ToUnit:
			return []int64{window1.ID, unit1.ID}, nil
		case ToUnitHead:
			return []int64{leader1.ID}, nil
		case ToSupervision:
			return []int64{super1.ID}, nil
		}
		return nil, fmt.Errorf("unexpected %+v", r)
	}
	bundles, err := Digest(notices, resolve)
	if err != nil {
		t.Fatal(err)
	}
	got := map[int64]int{}
	for _, b := range bundles {
		if _, twice := got[b.Staff]; twice {
			t.Errorf("two bundles for %d", b.Staff)
		}
		got[b.Staff] = len(b.Notices)
	}
	// window1: 150 yellow + 150 red, once each though reached as
	// responsible and as the unit; unit1 the same; the leader only red
	// (unit_head) 150; super1 150 red + the order's answer.
	want := map[int64]int{window1.ID: 300, unit1.ID: 300, leader1.ID: 150, super1.ID: 151}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("got %v, want %v", got, want)
	}
	msgs := Messages(bundles, "zh", "/supervise")
	perPerson := map[string]int{}
	for _, m := range msgs {
		m.BodyID = 1 // storage sets the body the sweep ran for
		if _, err := m.Validate(); err != nil {
			t.Fatalf("message to %s: %v", m.Recipient, err)
		}
		perPerson[m.Recipient]++
	}
	if len(perPerson) != 4 || len(msgs) > 4*((300+99)/100) {
		t.Errorf("%d messages for %v", len(msgs), perPerson)
	}
	if _, err := Digest(notices, func(Recipient) ([]int64, error) { return nil, errors.New("down") }); err == nil {
		t.Error("a resolver's failure is not reported")
	}
}
