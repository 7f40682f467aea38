package catalog

import "testing"

func TestCategories_C1_elevenWithUniqueCodesAndNames(t *testing.T) {
	if len(Categories) != 11 {
		t.Fatalf("got %d categories, want 11", len(Categories))
	}
	seen := map[string]bool{}
	for _, c := range Categories {
		for _, k := range []string{string(c.Category), c.Code, c.Abbr, c.Zh, c.En} {
			if k == "" || seen[k] {
				t.Errorf("category %s: empty or duplicate name/code %q", c.Category, k)
			}
			seen[k] = true
		}
		for _, s := range []string{string(c.Category), c.Code, c.Abbr, c.Zh} {
			if got, ok := ParseCategory(s); !ok || got != c.Category {
				t.Errorf("ParseCategory(%q) = %v, %v", s, got, ok)
			}
		}
		if got, ok := CategoryByCode(c.Code); !ok || got != c.Category {
			t.Errorf("CategoryByCode(%q) = %v", c.Code, got)
		}
	}
	// The seed's eleven, by their Chinese names (seed 000 art. 3).
	for _, zh := range []string{"行政许可", "行政处罚", "行政征收", "行政给付", "行政奖励", "行政强制", "行政确认", "行政裁决", "行政检查", "基本公共服务", "其他行政权力"} {
		if _, ok := ParseCategory(zh); !ok {
			t.Errorf("category %s missing", zh)
		}
	}
	if _, ok := ParseCategory("行政备案"); ok {
		t.Error("a twelfth category was accepted")
	}
}

func TestCategories_C1_baseCodeMustMatchCategory(t *testing.T) {
	v := validItem()
	v.Category = Penalty // the base code starts with 01 (licensing)
	if !hasField(t, v.Validate(), "base_code") {
		t.Error("a base code of another category was accepted")
	}
	v = validItem()
	v.Category = "permit"
	if !hasField(t, v.Validate(), "category") {
		t.Error("an unknown category was accepted")
	}
}
