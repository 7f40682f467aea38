package supervise

import (
	"cmp"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/calendar"
	"github.com/qingdan/qingdan/internal/flow"
)

// This file reads rule files (docs/SUPERVISION.md): YAML, or JSON, which
// is YAML. Every mistake is named by line, column and key, in Chinese and
// English, and a file with any mistake gives no rule set at all.

// MaxErrors bounds the mistakes listed for one file, as for flows.
const MaxErrors = 100

// MaxRules bounds the rules of one set.
const MaxRules = 500

// maxUnits bounds a limit or threshold, as the calendar does.
const maxUnits = 100000

// Parse reads a rule file (at most 1 MiB, one document, no anchors). On
// any mistake it returns an apperr.List naming each, its Field "line 12,
// column 5: rules[3].level".
func Parse(data []byte) (RuleSet, error) {
	root, err := flow.ReadDocument(data)
	if err != nil {
		return RuleSet{}, err
	}
	return Read(root, "")
}

// Read reads a rule set from a node of a larger document (a scenario's
// rules key, docs/SCENARIOS.md), naming mistakes by path under prefix.
func Read(n *yaml.Node, prefix string) (RuleSet, error) {
	r := &reader{}
	rs := r.set(n, prefix)
	if len(r.errs) > 0 {
		return RuleSet{}, r.list()
	}
	return rs, nil
}

type located struct {
	line, col int
	err       *apperr.Error
}

type reader struct{ errs []located }

func (r *reader) fail(n *yaml.Node, path, zh, en string, args ...any) {
	r.report(n, path, fmt.Sprintf(zh, args...), fmt.Sprintf(en, args...))
}

// report records a mistake whose messages are ready.
func (r *reader) report(n *yaml.Node, path, zh, en string) {
	field := fmt.Sprintf("line %d, column %d", n.Line, n.Column)
	if path != "" {
		field += ": " + path
	}
	r.errs = append(r.errs, located{n.Line, n.Column, apperr.New(apperr.Invalid, field, zh, en)})
}

// list returns the mistakes in file order, at most MaxErrors and one more
// saying the rest are not listed.
func (r *reader) list() apperr.List {
	sort.SliceStable(r.errs, func(i, j int) bool {
		a, b := r.errs[i], r.errs[j]
		return a.line < b.line || a.line == b.line && a.col < b.col
	})
	out := apperr.List{}
	for i, e := range r.errs {
		if i == MaxErrors {
			out = append(out, apperr.New(apperr.Invalid, e.err.Field, fmt.Sprintf("错误超过%d处,其余未列出", MaxErrors),
				fmt.Sprintf("more than %d mistakes; the rest are not listed", MaxErrors)))
			break
		}
		out = append(out, e.err)
	}
	return out
}

// key is one key a mapping may hold and what reads its value (never
// called for null, which counts as absent).
type key struct {
	name     string
	required bool
	read     func(v *yaml.Node, path string)
}

// mapping reads the mapping at n: a value that is no mapping, a key twice,
// an unknown key (naming the known ones) and a required key absent are
// mistakes. It returns the keys given a value.
func (r *reader) mapping(n *yaml.Node, path string, keys ...key) []string {
	if n.Kind != yaml.MappingNode {
		r.wrongType(n, path, "映射(键: 值)", "a mapping (key: value)")
		return nil
	}
	var written, given []string
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		kp := join(path, k.Value)
		j := slices.IndexFunc(keys, func(x key) bool { return x.name == k.Value })
		switch {
		case k.Kind != yaml.ScalarNode:
			r.fail(k, path, "键必须是文字", "a key must be plain text")
		case slices.Contains(written, k.Value):
			r.fail(k, kp, "键“%s”重复", "key %q appears twice", k.Value)
		case j < 0:
			var known []string
			for _, x := range keys {
				known = append(known, x.name)
			}
			r.fail(k, kp, "未知的键“%s”(可用的键:%s)", "unknown key %q (known keys: %s)", k.Value, strings.Join(known, ", "))
		default:
			written = append(written, k.Value)
			if v.ShortTag() != "!!null" {
				given = append(given, k.Value)
				keys[j].read(v, kp)
			}
		}
	}
	for _, k := range keys {
		if k.required && !slices.Contains(given, k.name) {
			r.fail(n, join(path, k.name), "缺少必填的键“%s”", "missing required key %q", k.name)
		}
	}
	return given
}

func join(path, k string) string {
	if path == "" {
		return k
	}
	return path + "." + k
}

func last(path string) string { return path[strings.LastIndexAny(path, ".]")+1:] }

func (r *reader) wrongType(n *yaml.Node, path, zh, en string) {
	if path == "" {
		r.report(n, path, "文件内容应为"+zh, "the file must be "+en)
		return
	}
	k := last(path)
	r.fail(n, path, "“%s”的值应为"+zh, "the value of %q must be "+en, k)
}

func (r *reader) text(n *yaml.Node, path string) string {
	if n.Kind != yaml.ScalarNode {
		r.wrongType(n, path, "文字", "text")
		return ""
	}
	s := strings.TrimSpace(n.Value)
	if s == "" {
		r.fail(n, path, "“%s”不能为空", "%q must not be blank", last(path))
	}
	return s
}

func (r *reader) number(n *yaml.Node, path string, lo, hi int) int {
	var v int
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!int" || n.Decode(&v) != nil {
		r.wrongType(n, path, "整数", "a whole number")
		return 0
	}
	if v < lo || v > hi {
		r.fail(n, path, "数值须在%d–%d之间,而不是%d", "the number must be %d–%d, not %d", lo, hi, v)
	}
	return v
}

func (r *reader) boolean(n *yaml.Node, path string) bool {
	var v bool
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!bool" || n.Decode(&v) != nil {
		r.wrongType(n, path, "true 或 false", "true or false")
	}
	return v
}

func oneOf[T ~string](r *reader, n *yaml.Node, path, whatZh, whatEn string, known []T) T {
	v := T(r.text(n, path))
	if v != "" && !slices.Contains(known, v) {
		var list []string
		for _, k := range known {
			list = append(list, string(k))
		}
		r.fail(n, path, "未知的"+whatZh+"“%s”(可用:%s)", "unknown "+whatEn+" %q (known: %s)", v, strings.Join(list, ", "))
	}
	return v
}

var (
	ruleID     = regexp.MustCompile(`^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$`)
	regionCode = regexp.MustCompile(`^([0-9]{6}|[0-9]{9}|[0-9]{12})$`)
)

// publicationKinds are what C8 times: normative documents (20 days from
// issue) and convenience service items (3 days from approval).
var publicationKinds = []string{"normative_document", "service_item"}

// thresholdUnits are the units a threshold or rule limit may count in.
var thresholdUnits = []calendar.Unit{calendar.WorkingDays, calendar.NaturalDays, calendar.Hours}

func (r *reader) set(n *yaml.Node, prefix string) RuleSet {
	var rs RuleSet
	var rules *yaml.Node
	r.mapping(n, prefix,
		key{"region", false, func(v *yaml.Node, p string) {
			if rs.Region = r.text(v, p); rs.Region != "" && !regionCode.MatchString(rs.Region) {
				r.fail(v, p, "区划代码“%s”应为6、9或12位数字", "region %q must be a division code of 6, 9 or 12 digits", rs.Region)
			}
		}},
		key{"version", true, func(v *yaml.Node, p string) { rs.Version = r.number(v, p, 1, 1<<30) }},
		key{"rules", true, func(v *yaml.Node, _ string) { rules = v }},
	)
	if rules == nil {
		return rs
	}
	path := join(prefix, "rules")
	if rules.Kind != yaml.SequenceNode {
		r.wrongType(rules, path, "列表", "a list")
		return rs
	}
	if len(rules.Content) > MaxRules {
		r.fail(rules, path, "规则超过%d条", "more than %d rules", MaxRules)
		return rs
	}
	seen := map[string]int{}
	for i, rn := range rules.Content {
		p := fmt.Sprintf("%s[%d]", path, i)
		rule := r.rule(rn, p)
		if rule.ID == "" {
			continue
		}
		if line, dup := seen[rule.ID]; dup {
			r.fail(rn, join(p, "id"), "规则“%s”重复(第%d行已定义)", "rule %q appears twice (first on line %d)", rule.ID, line)
			continue
		}
		seen[rule.ID] = rn.Line
		rs.Rules = append(rs.Rules, rule)
	}
	return rs
}

func (r *reader) rule(n *yaml.Node, path string) Rule {
	var (
		ru                 Rule
		limitN, beforeN    *yaml.Node
		afterN, shareN     *yaml.Node
		roundsN, ofN, offN *yaml.Node
		levelN, idN        *yaml.Node
	)
	given := r.mapping(n, path,
		key{"id", true, func(v *yaml.Node, p string) {
			idN = v
			if ru.ID = r.text(v, p); ru.ID != "" && (!ruleID.MatchString(ru.ID) || len(ru.ID) > 64) {
				r.fail(v, p, "规则编号“%s”无效:用小写字母、数字、下划线和点,以字母开头,不超过64个字符",
					"rule id %q is invalid: lower-case letters, digits, _ and ., starting with a letter, at most 64 characters", ru.ID)
			}
		}},
		key{"name", false, func(v *yaml.Node, p string) { ru.Name = r.name(v, p) }},
		key{"watch", false, func(v *yaml.Node, p string) {
			ru.Watch = oneOf(r, v, p, "监察对象", "watch", Watches())
		}},
		key{"of", false, func(v *yaml.Node, p string) { ofN, ru.Of = v, oneOf(r, v, p, "发布类型", "kind", publicationKinds) }},
		key{"level", false, func(v *yaml.Node, p string) { levelN, ru.Level = v, oneOf(r, v, p, "级别", "level", levels) }},
		key{"limit", false, func(v *yaml.Node, p string) { limitN, ru.Limit = v, r.budget(v, p, 1) }},
		key{"before", false, func(v *yaml.Node, p string) { beforeN, ru.When.Before = v, ptr(r.budget(v, p, 1)) }},
		key{"after", false, func(v *yaml.Node, p string) { afterN, ru.When.After = v, ptr(r.budget(v, p, 0)) }},
		key{"share", false, func(v *yaml.Node, p string) { shareN, ru.When.Share = v, r.share(v, p) }},
		key{"rounds", false, func(v *yaml.Node, p string) { roundsN, ru.Rounds = v, r.number(v, p, 1, 100) }},
		key{"notify", false, func(v *yaml.Node, p string) { ru.Notify = r.audiences(v, p) }},
		key{"off", false, func(v *yaml.Node, p string) { offN, ru.Off = v, r.boolean(v, p) }},
	)
	if n.Kind != yaml.MappingNode {
		return ru
	}
	if ru.Off {
		// A rule switched off says only which.
		for _, k := range given {
			if k != "id" && k != "off" {
				r.fail(n, join(path, k), "关闭的规则只写 id 和 off,不写“%s”", "a rule switched off has only id and off, not %q", k)
			}
		}
		return ru
	}
	if offN != nil && idN != nil && len(given) == 2 {
		// off: false and nothing else: not a rule.
		r.fail(n, path, "规则缺少 watch、level 和 notify", "the rule lacks watch, level and notify")
		return ru
	}
	for _, k := range []string{"watch", "level", "notify"} {
		if !slices.Contains(given, k) {
			r.fail(n, join(path, k), "缺少必填的键“%s”", "missing required key %q", k)
		}
	}
	info, known := watches[ru.Watch]
	if !known {
		return ru
	}
	at := func(v *yaml.Node) *yaml.Node {
		if v != nil {
			return v
		}
		return n
	}
	// The limit: the rule's own for watches without one, none for the rest.
	needsLimit := info.time && !info.ownLimit || ru.Watch == WatchTransfer
	switch {
	case needsLimit && limitN == nil:
		r.fail(n, join(path, "limit"), "监察对象“%s”须写 limit(时限)", "watch %q needs a limit", ru.Watch)
	case !needsLimit && limitN != nil && info.ownLimit:
		r.fail(limitN, join(path, "limit"), "监察对象“%s”的时限取自对象本身,不写 limit", "watch %q takes its limit from the object: no limit here", ru.Watch)
	case !needsLimit && limitN != nil:
		r.fail(limitN, join(path, "limit"), "监察对象“%s”不写 limit", "watch %q takes no limit", ru.Watch)
	}
	// The threshold: exactly one form for a time watch, none for an event.
	forms, first := 0, (*yaml.Node)(nil)
	for _, f := range []*yaml.Node{beforeN, afterN, shareN} {
		if f != nil {
			forms++
			first = cmp.Or(first, f)
		}
	}
	switch {
	case info.time && forms == 0:
		r.fail(n, path, "时限规则须写 before、after 或 share 之一(何时亮牌)", "a time rule needs one of before, after or share (when it fires)")
	case info.time && forms > 1:
		r.fail(at(shareN), path, "before、after、share 只能写一个", "only one of before, after and share")
	case !info.time && forms > 0:
		r.fail(at(first), path, "监察对象“%s”按事件判断,不写 before、after、share", "watch %q is judged on events: no before, after or share", ru.Watch)
	}
	if ru.Watch == WatchSupplement && roundsN == nil {
		r.fail(n, join(path, "rounds"), "监察对象 supplement_rounds 须写 rounds(第几轮亮牌)", "watch supplement_rounds needs rounds (the round that fires)")
	}
	if ru.Watch != WatchSupplement && roundsN != nil {
		r.fail(roundsN, join(path, "rounds"), "只有 supplement_rounds 写 rounds", "only supplement_rounds takes rounds")
	}
	if ofN != nil && ru.Watch != WatchPublication {
		r.fail(ofN, join(path, "of"), "只有 publication 写 of", "only publication takes of")
	}
	if ru.Level == Reminder && !info.time && levelN != nil {
		r.fail(levelN, join(path, "level"), "按事件判断的规则级别为 yellow 或 red", "an event rule's level is yellow or red")
	}
	return ru
}

func ptr[T any](v T) *T { return &v }

// name reads {zh, en}, or one text for Chinese.
func (r *reader) name(n *yaml.Node, path string) Text {
	if n.Kind == yaml.ScalarNode {
		return Text{Zh: r.text(n, path)}
	}
	var t Text
	r.mapping(n, path,
		key{"zh", true, func(v *yaml.Node, p string) { t.Zh = r.text(v, p) }},
		key{"en", false, func(v *yaml.Node, p string) { t.En = r.text(v, p) }},
	)
	return t
}

// budget reads {n, unit} with n at least lo.
func (r *reader) budget(n *yaml.Node, path string, lo int) calendar.Budget {
	var b calendar.Budget
	r.mapping(n, path,
		key{"n", true, func(v *yaml.Node, p string) { b.N = r.number(v, p, lo, maxUnits) }},
		key{"unit", true, func(v *yaml.Node, p string) { b.Unit = oneOf(r, v, p, "时间单位", "unit", thresholdUnits) }},
	)
	return b
}

// share reads a share of the time elapsed: a number above 0, at most 1
// (0.8, or 80%).
func (r *reader) share(n *yaml.Node, path string) float64 {
	s := ""
	if n.Kind == yaml.ScalarNode {
		s = strings.TrimSpace(n.Value)
	}
	pct := strings.HasSuffix(s, "%")
	v, err := strconv.ParseFloat(strings.TrimSuffix(s, "%"), 64)
	if pct {
		v /= 100
	}
	if n.Kind != yaml.ScalarNode || err != nil || (!pct && n.ShortTag() != "!!float" && n.ShortTag() != "!!int") || !(v > 0 && v <= 1) {
		r.fail(n, path, "比例“%s”无效:写作大于0、不超过1的小数(如0.8)或百分数(如80%%)", "share %q is invalid: a number above 0 and at most 1 (like 0.8) or a percentage (like 80%%)", s)
		return 0
	}
	return v
}

// audiences reads the list of whom a rule tells, each once, at least one.
func (r *reader) audiences(n *yaml.Node, path string) []Audience {
	items := []*yaml.Node{n}
	if n.Kind == yaml.SequenceNode {
		items = n.Content
		if len(items) == 0 {
			r.fail(n, path, "至少通知一方", "at least one audience")
		}
	}
	var out []Audience
	for i, c := range items {
		p := path
		if n.Kind == yaml.SequenceNode {
			p = fmt.Sprintf("%s[%d]", path, i)
		}
		a := oneOf(r, c, p, "通知对象", "audience", audiences)
		if a != "" && slices.Contains(out, a) {
			r.fail(c, p, "通知对象“%s”重复", "audience %q appears twice", a)
			continue
		}
		out = append(out, a)
	}
	return out
}
