package catsearch

import "strings"

// aliases maps a phrase found in an item's name to the short forms people
// search for that are not substrings of it (低保 is not in 最低生活保障).
// Keep it small and obvious: every entry is a widely used official or
// colloquial abbreviation. Items get these as derived keywords at indexing.
var aliases = []struct {
	phrase string
	short  []string
}{
	{"最低生活保障", []string{"低保", "低保证"}},
	{"特困人员", []string{"五保", "特困"}},
	{"残疾人证", []string{"残疾证"}},
	{"农村村民住宅用地", []string{"宅基地"}},
	{"烟草专卖零售许可", []string{"烟草证", "烟草零售"}},
	{"食品经营许可", []string{"食品经营证"}},
	{"营业执照", []string{"执照"}},
	{"城乡居民基本养老保险", []string{"城乡居保", "养老保险"}},
	{"基本医疗保险", []string{"医保"}},
	{"城乡居民基本医疗保险", []string{"居民医保"}},
	{"临时救助", []string{"救助"}},
	{"独生子女父母光荣证", []string{"独生子女证"}},
	{"计划生育", []string{"计生"}},
	{"建设工程规划许可", []string{"规划许可证"}},
	{"公共场所卫生许可", []string{"卫生许可证"}},
	{"退役军人", []string{"退伍军人"}},
	{"结婚登记", []string{"结婚证", "领证"}},
	{"离婚登记", []string{"离婚证"}},
	{"公共租赁住房", []string{"公租房"}},
	{"老年人优待证", []string{"老年证"}},
	{"失业保险金", []string{"失业金"}},
	{"残疾人就业保障金", []string{"残保金"}},
	{"再生育", []string{"准生证", "二孩"}},
}

// derivedKeywords returns the aliases whose phrase occurs in name (both
// normalised), not already in have.
func derivedKeywords(name string, have []string) []string {
	var out []string
	for _, a := range aliases {
		if !strings.Contains(name, a.phrase) {
			continue
		}
	next:
		for _, s := range a.short {
			for _, h := range have {
				if h == s {
					continue next
				}
			}
			for _, o := range out {
				if o == s {
					continue next
				}
			}
			out = append(out, s)
		}
	}
	return out
}
