package catalog

// Stars computes the online-service star level (C11, seed 003 §三(二)1) from
// what the item can do online. Each level builds on the one below, so a
// capability without its predecessors does not raise the level:
//
//	1 guide, forms and consultation online
//	2 + online booking
//	3 + part of the materials uploaded and pre-reviewed online
//	4 + all materials uploaded and reviewed online (one visit: hand in paper, collect result)
//	5 + result delivered by post (no visit)
//
// 0 means the item does not even have its guide online, which Validate refuses.
func Stars(o Online) int {
	steps := []bool{
		o.Guide && o.Forms && o.Consultation,
		o.Booking,
		o.PartialUpload && o.PreReview,
		o.FullUpload && o.OnlineReview,
		o.PostDelivery,
	}
	n := 0
	for _, ok := range steps {
		if !ok {
			break
		}
		n++
	}
	return n
}

// Stars returns v's star level.
func (v ItemVersion) Stars() int { return Stars(v.Online) }

// MaxVisits is the most visits an applicant may be asked to make at star
// level s (C11): 5 stars none, 4 one, 3 two; below that the seed sets no
// ceiling (2 stars means "two or more"), reported as -1.
func MaxVisits(s int) int {
	switch {
	case s >= 5:
		return 0
	case s == 4:
		return 1
	case s == 3:
		return 2
	}
	return -1
}

// VisitsConsistent reports whether visits agrees with the star level: no more
// than the level allows, and zero visits only when the level is 5 (without
// full online handling and postal delivery someone must come to a window).
func VisitsConsistent(stars, visits int) bool {
	if visits < 0 {
		return false
	}
	if visits == 0 {
		return stars >= 5
	}
	if m := MaxVisits(stars); m >= 0 && visits > m {
		return false
	}
	return true
}
