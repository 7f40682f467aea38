package catsearch

import (
	"slices"
	"testing"

	"github.com/qingdan/qingdan/internal/store"
	"github.com/qingdan/qingdan/internal/store/storetest"
)

// TestPinyin_tableReadings checks the generated table against readings
// anyone can check, and its bounds.
func TestPinyin_tableReadings(t *testing.T) {
	if len(pinyinTable) != 2*(pinyinLast-pinyinFirst+1) {
		t.Fatalf("table holds %d bytes, want two per character of U+4E00–U+9FFF", len(pinyinTable))
	}
	for r, want := range map[rune]string{'低': "di", '保': "bao", '最': "zui", '障': "zhang", '绿': "lv", '证': "zheng", '一': "yi", '龥': "yu",
		'a': "", '〇': "", 0x4DFF: "", 0xA000: ""} {
		if got := syllable(r); got != want {
			t.Errorf("%q reads %q, want %q", r, got, want)
		}
	}
	full, initials := pinyinForms(Normalize("最低生活保障 X光"))
	if full != "zuidishenghuobaozhang xguang" || initials != "zdshbz xg" {
		t.Errorf("forms %q %q", full, initials)
	}
	if full, initials := pinyinForms("abc 123"); full != "" || initials != "" {
		t.Errorf("no Chinese, yet %q %q", full, initials)
	}
}

// TestSearch_C10_pinyinAndInitialsFindItems (issue #13 item 6): a citizen
// without a Chinese keyboard finds 最低生活保障待遇认定 by full pinyin or by
// initials, of its name or of the short forms it is known by (dibao,
// dbz: 低保证), on both engines; pinyin out of order finds nothing.
func TestSearch_C10_pinyinAndInitialsFindItems(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		index(t, db, demoDocs...)
		cases := []struct {
			q    string
			want []string
		}{
			{"dibao", []string{"0500001000"}},
			{"DiBao", []string{"0500001000"}},
			{"dbz", []string{"0500001000"}},
			{"db", []string{"0500001000"}},
			{"zdshbz", []string{"0500001000"}},
			{"zuidishenghuobaozhang", []string{"0500001000"}},
			{"yancao", []string{"0100003000"}},
			{"cjrz", []string{"0700002000"}},
			{"dibao rending", []string{"0500001000"}},
			{"baodi", nil},
		}
		for _, c := range cases {
			if got := search(t, db, Filter{Query: Parse(c.q)}); !slices.Equal(got, c.want) {
				t.Errorf("%q: got %v, want %v", c.q, got, c.want)
			}
		}
	})
}

// TestSearch_C10_commonNamesFindItems (issue #13 item 6): the names people
// use for an item, not substrings of its official name, find it — in
// characters and in pinyin.
func TestSearch_C10_commonNamesFindItems(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		docs := []Doc{
			{BodyID: 1, ItemID: 11, VersionID: 11, Code: "0700011000", Name: "结婚登记", Category: "confirmation", Unit: "民政股", Standing: "listed"},
			{BodyID: 1, ItemID: 12, VersionID: 12, Code: "0500012000", Name: "公共租赁住房保障", Category: "benefit_payment", Unit: "住房保障股", Standing: "listed"},
			{BodyID: 1, ItemID: 13, VersionID: 13, Code: "0100013000", Name: "再生育审批", Category: "licensing", Unit: "卫健办", Standing: "listed"},
		}
		index(t, db, docs...)
		for q, want := range map[string]string{"结婚证": "0700011000", "jiehunzheng": "0700011000", "公租房": "0500012000",
			"gzf": "0500012000", "准生证": "0100013000", "zhunshengzheng": "0100013000"} {
			if got := search(t, db, Filter{Query: Parse(q)}); !slices.Equal(got, []string{want}) {
				t.Errorf("%q: got %v, want %s", q, got, want)
			}
		}
	})
}

// FuzzPinyinForms: any text gives pinyin of the same runs, initials one
// letter per Chinese character, and nothing Chinese left in either.
func FuzzPinyinForms(f *testing.F) {
	for _, s := range []string{"最低生活保障", "X光 检查", "abc", "", "〇一\x00\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := Normalize(s)
		full, initials := pinyinForms(n)
		if full == "" {
			if initials != "" {
				t.Fatalf("initials %q without pinyin", initials)
			}
			return
		}
		if len(runs(full)) != len(runs(n)) || len(runs(initials)) != len(runs(n)) {
			t.Fatalf("%q: runs %q / %q", n, full, initials)
		}
		for _, r := range full + initials {
			if syllable(r) != "" {
				t.Fatalf("%q: Chinese %q left in %q / %q", n, r, full, initials)
			}
		}
	})
}
