package catalog

import (
	"strings"
	"testing"
)

func TestStars_C11_computedFromOnlineCapabilities(t *testing.T) {
	base := Online{Guide: true, Forms: true, Consultation: true}
	with := func(f func(*Online)) Online { o := base; f(&o); return o }
	cases := []struct {
		name string
		o    Online
		want int
	}{
		{"nothing online", Online{}, 0},
		{"guide without forms", Online{Guide: true, Consultation: true}, 0},
		{"guide, forms, consultation", base, 1},
		{"+ booking", with(func(o *Online) { o.Booking = true }), 2},
		{"+ partial upload and pre-review", with(func(o *Online) { o.Booking, o.PartialUpload, o.PreReview = true, true, true }), 3},
		{"upload without pre-review stays 2", with(func(o *Online) { o.Booking, o.PartialUpload = true, true }), 2},
		{"+ full online review", with(func(o *Online) {
			o.Booking, o.PartialUpload, o.PreReview, o.FullUpload, o.OnlineReview = true, true, true, true, true
		}), 4},
		{"+ delivery by post", with(func(o *Online) {
			o.Booking, o.PartialUpload, o.PreReview, o.FullUpload, o.OnlineReview, o.PostDelivery = true, true, true, true, true, true
		}), 5},
		// A level builds on the one below: delivery by post alone is no 5 stars.
		{"post without online review", with(func(o *Online) { o.PostDelivery = true }), 1},
		{"full online without booking", with(func(o *Online) { o.FullUpload, o.OnlineReview = true, true }), 1},
	}
	for _, c := range cases {
		if got := Stars(c.o); got != c.want {
			t.Errorf("%s: %d stars, want %d", c.name, got, c.want)
		}
	}
}

func TestStars_C11_visitsConsistentWithStars(t *testing.T) {
	cases := []struct {
		stars, visits int
		ok            bool
	}{
		{5, 0, true}, {5, 1, false},
		{4, 1, true}, {4, 0, false}, {4, 2, false},
		{3, 2, true}, {3, 1, true}, {3, 3, false},
		{2, 2, true}, {2, 5, true}, {2, 0, false},
		{1, 1, true}, {1, 0, false},
	}
	for _, c := range cases {
		if got := VisitsConsistent(c.stars, c.visits); got != c.ok {
			t.Errorf("%d stars, %d visits: consistent=%v, want %v", c.stars, c.visits, got, c.ok)
		}
	}
	v := validItem() // 4 stars
	v.Visits = 0
	if !hasField(t, v.Validate(), "visits") {
		t.Error("zero visits at 4 stars accepted")
	}
	v.Online.PostDelivery = true // now 5 stars: no visit is right
	if err := v.Validate(); err != nil {
		t.Errorf("5 stars, 0 visits rejected: %v", fields(t, err))
	}
	v.Online = Online{}
	v.Visits = 1
	if !hasField(t, v.Validate(), "online") {
		t.Error("an item with no guide online accepted")
	}
}

func TestStars_C11_neverStoredOnlyComputed(t *testing.T) {
	// There is no star field to type into: the JSON of a version carries
	// the capabilities, and the guide's stars follow them.
	v := validItem()
	b, err := CanonicalJSON(v)
	if err != nil {
		t.Fatal(err)
	}
	if containsKey(string(b), "stars") {
		t.Error("stars are stored in the version")
	}
	v.Online.PostDelivery = true
	if v.Guide().Stars != 5 {
		t.Error("guide stars do not follow capabilities")
	}
}

func containsKey(js, key string) bool { return strings.Contains(js, `"`+key+`":`) }
