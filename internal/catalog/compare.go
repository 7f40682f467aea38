package catalog

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/msg"
)

// Element is one element of an item (C2) as a person names it: its JSON
// key in a version and its names in Chinese and English.
type Element struct {
	Key, Zh, En string
}

// Elements are an item's elements in the order of the service guide
// (C2, C10). The lifecycle (version, status, dates, hash) is not an element:
// every new version changes it.
var Elements = []Element{
	{"name", "事项名称", "name"}, {"category", "事项类型", "category"}, {"ex_officio", "行使方式", "mode of exercise"},
	{"base_code", "基本编码", "base code"}, {"impl_code", "实施编码", "implementation code"}, {"body", "实施主体", "implementing body"},
	{"legal_bases", "设定依据", "legal bases"}, {"unit", "责任科室", "responsible unit"}, {"conditions", "受理条件", "conditions"},
	{"materials", "申请材料", "materials"}, {"statutory_limit", "法定办结时限", "statutory limit"},
	{"promised_limit", "承诺办结时限", "promised limit"}, {"case_type", "办件类型", "case type"}, {"visits", "到办事现场次数", "visits"},
	{"online", "网办深度", "online services"}, {"fee", "收费", "fees"}, {"steps", "办理流程", "flow"},
	{"consult_phone", "咨询电话", "enquiry phone"}, {"complaint_office", "投诉机构", "complaint office"},
	{"complaint_phone", "投诉电话", "complaint phone"}, {"hours", "办理时间", "hours"}, {"address", "办理地点", "address"},
	{"duties", "责任事项", "duties"}, {"accountability", "追责情形", "accountability"},
}

// ElementNamed returns the element with JSON key k.
func ElementNamed(k string) (Element, bool) {
	for _, e := range Elements {
		if e.Key == k {
			return e, true
		}
	}
	return Element{}, false
}

// ElementChange is one element in which a new version differs from the
// one before it, both sides as lines a reviewer reads.
type ElementChange struct {
	Element
	Old, New []string
}

// Compare lists the elements in which b differs from a, in the guide's
// order, each read in Chinese or (en) English. A zero a (a new item) has
// every element b sets. Elements are compared by their canonical JSON, so a
// difference the text does not show (a fee's amount in fen) still counts.
func Compare(a, b ItemVersion, en bool) ([]ElementChange, error) {
	x, err := elementJSON(a)
	if err != nil {
		return nil, err
	}
	y, err := elementJSON(b)
	if err != nil {
		return nil, err
	}
	var out []ElementChange
	for _, e := range Elements {
		if string(x[e.Key]) == string(y[e.Key]) {
			continue
		}
		c := ElementChange{Element: e, New: b.Text(e.Key, en)}
		if !a.isZero() {
			c.Old = a.Text(e.Key, en)
		}
		out = append(out, c)
	}
	return out, nil
}

func (v ItemVersion) isZero() bool { return v.BaseCode == "" && v.Name == "" }

func elementJSON(v ItemVersion) (map[string]json.RawMessage, error) {
	out := map[string]json.RawMessage{}
	if v.isZero() {
		return out, nil
	}
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("catalog: compare: %w", err)
	}
	if err := json.Unmarshal(raw, &out); err != nil {
		return nil, fmt.Errorf("catalog: compare: %w", err)
	}
	return out, nil
}

// say picks the Chinese or the English of a value given in both (a name,
// a category's words).
func say(en bool, zh, eng string) string {
	if en {
		return eng
	}
	return zh
}

// message is message key with its arguments in Chinese or (en) English.
func message(en bool, key string, args ...any) string {
	if en {
		return msg.Text("en", key, args...)
	}
	return msg.Text("zh", key, args...)
}

// Text renders element key of v as the lines a person reads (a list
// element one line per entry), in Chinese or (en) English. An unknown key
// has no lines.
func (v ItemVersion) Text(key string, en bool) []string {
	one := func(s string) []string {
		if strings.TrimSpace(s) == "" {
			return []string{message(en, "catalog.empty")}
		}
		return []string{s}
	}
	list := func(xs []string) []string {
		if len(xs) == 0 {
			return []string{message(en, "catalog.none")}
		}
		out := make([]string, len(xs))
		for i, x := range xs {
			out[i] = strconv.Itoa(i+1) + ". " + x
		}
		return out
	}
	switch key {
	case "name":
		return one(v.Name)
	case "category":
		if info, ok := v.Category.Info(); ok {
			return one(say(en, info.Zh, info.En))
		}
		return one(string(v.Category))
	case "ex_officio":
		if v.ExOfficio {
			return one(message(en, "catalog.on_the_body_s_own_motion"))
		}
		return one(message(en, "catalog.on_application"))
	case "base_code":
		return one(v.BaseCode)
	case "impl_code":
		return one(v.ImplCode)
	case "body":
		return one(fmt.Sprintf("%s(%s,%s,%s)", v.Body.Name, v.Body.CreditCode, v.Body.Nature.Text(en), v.Body.Level.Text(en)))
	case "legal_bases":
		var xs []string
		for _, b := range v.LegalBases {
			xs = append(xs, strings.TrimSpace(fmt.Sprintf("《%s》%s %s:%s", b.Law, b.DocNo, b.Article, b.Text)))
		}
		return list(xs)
	case "unit":
		return one(v.Unit)
	case "conditions":
		return list(v.Conditions)
	case "materials":
		var xs []string
		for _, m := range v.Materials {
			xs = append(xs, m.Text(en))
		}
		return list(xs)
	case "statutory_limit":
		if v.StatutoryLimit == nil {
			return one(message(en, "catalog.not_set_by_law"))
		}
		return one(v.StatutoryLimit.Text(en))
	case "promised_limit":
		return one(v.PromisedLimit.Text(en))
	case "case_type":
		return one(v.CaseType.Text(en))
	case "visits":
		return one(message(en, "catalog.visits", v.Visits))
	case "online":
		var xs []string
		for _, c := range OnlineCapabilities {
			if c.Of(&v.Online) {
				xs = append(xs, say(en, c.Zh, c.En))
			}
		}
		return list(xs)
	case "fee":
		if !v.Fee.Charged {
			return one(message(en, "catalog.free_of_charge"))
		}
		var xs []string
		for _, f := range v.Fee.Items {
			x := message(en, "catalog.per_basis", f.Name, f.Standard, f.Per, f.Basis)
			if f.Ranged() {
				x += message(en, "catalog.yuan", Yuan(f.MinFen), Yuan(f.MaxFen))
			}
			if f.Note != "" {
				x += message(en, "catalog.waivers") + f.Note
			}
			xs = append(xs, x)
		}
		return list(xs)
	case "steps":
		var xs []string
		for i, s := range v.Steps {
			head := ""
			if s.Head {
				head = message(en, "catalog.by_the_unit_head")
			}
			xs = append(xs, fmt.Sprintf("%d. %s [%s](%s%s,%s)", i+1, s.Name, s.Key, RoleText(s.Role, en), head, s.Limit.Text(en)))
			for _, r := range s.Risks {
				xs = append(xs, message(en, "catalog.risk_control", r.Level.Text(en), r.Description, r.Control))
			}
			for _, c := range s.Checks {
				xs = append(xs, message(en, "catalog.supervision_point", c.Kind, c.Description))
			}
		}
		if len(xs) == 0 {
			return list(nil)
		}
		return xs
	case "consult_phone":
		return one(v.ConsultPhone)
	case "complaint_office":
		return one(v.ComplaintOffice)
	case "complaint_phone":
		return one(v.ComplaintPhone)
	case "hours":
		return one(v.Hours)
	case "address":
		return one(v.Address)
	case "duties":
		return list(v.Duties)
	case "accountability":
		return list(v.Accountability)
	}
	return nil
}

// Text is one material in a line: its name and every property.
func (m Material) Text(en bool) string {
	x := fmt.Sprintf("%s(%s,%s,%s,%s,%s", m.Name, m.Necessity.Text(en), m.Kind.Text(en),
		message(en, "catalog.copies", m.Count), m.Form.Text(en), m.Source.Text(en))
	if m.SourceNote != "" {
		x += ":" + m.SourceNote
	}
	for _, p := range []struct{ zh, en, v string }{{"样表", "sample", m.SampleForm}, {"空白表格", "blank form", m.BlankForm}, {"填报须知", "notes", m.Note}} {
		if p.v != "" {
			x += say(en, ";"+p.zh+":", "; "+p.en+": ") + p.v
		}
	}
	return x + ")"
}

// Text renders a limit in Chinese or English.
func (l TimeLimit) Text(en bool) string { return l.In(langOf(en)) }

// langOf is the language en stands for.
func langOf(en bool) string { return say(en, "zh", "en") }

// Text names the case type.
func (c CaseType) Text(en bool) string { return msg.Name(langOf(en), "catalog.casetype", string(c)) }

// Text names the nature of a body.
func (n Nature) Text(en bool) string { return msg.Name(langOf(en), "catalog.nature", string(n)) }

// Natures lists the natures of bodies, for forms.
var Natures = []Nature{StatutoryBody, AuthorisedOrg, EntrustedOrg}

// Text names the level.
func (l Level) Text(en bool) string { return msg.Name(langOf(en), "catalog.level", string(l)) }

// Levels lists the levels of exercise, for forms.
var Levels = []Level{LevelCity, LevelDistrict, LevelTown, LevelCommunity}

// Text names the risk level.
func (l RiskLevel) Text(en bool) string { return msg.Name(langOf(en), "catalog.risk", string(l)) }

// RiskLevels lists the risk levels, for forms.
var RiskLevels = []RiskLevel{RiskHigh, RiskMedium, RiskLow}

// CheckKinds lists the supervision checks, for forms.
func CheckKinds() []CheckKind { return append([]CheckKind(nil), checkKinds...) }

// Text names the necessity.
func (n Necessity) Text(en bool) string { return msg.Name(langOf(en), "catalog.necessity", string(n)) }

// Text names the material kind.
func (k MaterialKind) Text(en bool) string { return msg.Name(langOf(en), "catalog.matkind", string(k)) }

// Text names the material form.
func (f MaterialForm) Text(en bool) string { return msg.Name(langOf(en), "catalog.matform", string(f)) }

// Text names the source.
func (s Source) Text(en bool) string { return msg.Name(langOf(en), "catalog.source", string(s)) }

// RoleText names a step's acting role.
func RoleText(r access.Role, en bool) string { return msg.Name(langOf(en), "catalog.role", string(r)) }

// OnlineCapability is one of 网办深度's capabilities (C11).
type OnlineCapability struct {
	Key, Zh, En string
	// Of addresses the capability's flag in an Online.
	Of func(*Online) bool
	// set turns it on.
	set func(*Online)
}

// Set turns the capability on in o.
func (c OnlineCapability) Set(o *Online) { c.set(o) }

// OnlineCapabilities are the capabilities in the order of the stars.
var OnlineCapabilities = []OnlineCapability{
	{"guide", "办事指南在线公开", "guide online", func(o *Online) bool { return o.Guide }, func(o *Online) { o.Guide = true }},
	{"forms", "表格下载", "forms to download", func(o *Online) bool { return o.Forms }, func(o *Online) { o.Forms = true }},
	{"consultation", "在线咨询", "online enquiries", func(o *Online) bool { return o.Consultation }, func(o *Online) { o.Consultation = true }},
	{"booking", "网上预约", "online booking", func(o *Online) bool { return o.Booking }, func(o *Online) { o.Booking = true }},
	{"partial_upload", "部分材料电子化上传", "part of the materials uploaded", func(o *Online) bool { return o.PartialUpload }, func(o *Online) { o.PartialUpload = true }},
	{"pre_review", "网上预审", "online pre-review", func(o *Online) bool { return o.PreReview }, func(o *Online) { o.PreReview = true }},
	{"full_upload", "全部材料电子化上传", "all materials uploaded", func(o *Online) bool { return o.FullUpload }, func(o *Online) { o.FullUpload = true }},
	{"online_review", "网上审核、全流程网办", "reviewed and handled wholly online", func(o *Online) bool { return o.OnlineReview }, func(o *Online) { o.OnlineReview = true }},
	{"post_delivery", "结果邮寄送达", "result delivered by post", func(o *Online) bool { return o.PostDelivery }, func(o *Online) { o.PostDelivery = true }},
}

// Yuan writes an amount in fen as yuan: 1250 → "12.50", 300 → "3".
func Yuan(fen int64) string {
	sign := ""
	if fen < 0 {
		sign, fen = "-", -fen
	}
	if fen%100 == 0 {
		return sign + strconv.FormatInt(fen/100, 10)
	}
	return fmt.Sprintf("%s%d.%02d", sign, fen/100, fen%100)
}

// ParseYuan reads an amount of yuan with at most two decimals ("12",
// "12.5", "12.50") as fen. An empty string is zero.
func ParseYuan(s string) (int64, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, true
	}
	whole, frac, dot := strings.Cut(s, ".")
	if whole == "" || len(whole) > 12 || strings.Trim(whole, "0123456789") != "" ||
		(dot && (frac == "" || len(frac) > 2 || strings.Trim(frac, "0123456789") != "")) {
		return 0, false
	}
	n, err := strconv.ParseInt(whole, 10, 64)
	if err != nil {
		return 0, false
	}
	f := int64(0)
	if frac != "" {
		if f, err = strconv.ParseInt(frac, 10, 64); err != nil {
			return 0, false
		}
		if len(frac) == 1 {
			f *= 10
		}
	}
	return n*100 + f, true
}

// Line is one line of a compared element, Changed when the other side
// lacks it.
type Line struct {
	Text    string
	Changed bool
}

// Marked is the change's two sides with each line marked that the other
// side lacks (C3: a reviewer sees what changed, C9: so does the public).
// Entries are compared without their numbers, so an entry inserted in a
// list does not mark every one after it.
func (c ElementChange) Marked() (old, now []Line) {
	return marked(c.Old, c.New), marked(c.New, c.Old)
}

// marked marks the lines of a not in b.
func marked(a, b []string) []Line {
	in := map[string]bool{}
	for _, x := range b {
		in[unnumbered(x)] = true
	}
	out := make([]Line, len(a))
	for i, x := range a {
		out[i] = Line{Text: x, Changed: !in[unnumbered(x)]}
	}
	return out
}

// unnumbered is a line without the "3. " its list gave it.
func unnumbered(s string) string {
	t := strings.TrimLeft(s, " ")
	digits := strings.TrimLeft(t, "0123456789")
	if rest, ok := strings.CutPrefix(digits, ". "); ok && len(digits) < len(t) {
		return rest
	}
	return s
}
