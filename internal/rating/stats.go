package rating

// Tally is the published count of one unit's ratings, or of one item's
// of that unit (Item.Code set): counted ratings only (an upheld appeal
// removes one), no personal data.
type Tally struct {
	Unit Unit `json:"unit"`
	Item Item `json:"item"`
	// ByLevel counts the ratings of each level, ByLevel[l-1] for level l.
	ByLevel [5]int `json:"by_level"`
	Total   int    `json:"total"`
	// Bad counts the bad reviews (the last two levels).
	Bad int `json:"bad"`
}

// Add counts one rating of level l.
func (t *Tally) Add(l Level, n int) {
	if !l.Valid() {
		return
	}
	t.ByLevel[l-1] += n
	t.Total += n
	if l.Bad() {
		t.Bad += n
	}
}

// Count is the number of ratings of level l.
func (t Tally) Count(l Level) int {
	if !l.Valid() {
		return 0
	}
	return t.ByLevel[l-1]
}

// SatisfactionRate is the share of ratings that are not bad reviews, in
// per cent with one decimal (满意率: the first three levels over all);
// 0 for no ratings.
func (t Tally) SatisfactionRate() float64 {
	if t.Total == 0 {
		return 0
	}
	permille := ((t.Total-t.Bad)*1000 + t.Total/2) / t.Total
	return float64(permille) / 10
}
