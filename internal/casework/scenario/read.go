package scenario

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/casework"
	"github.com/qingdan/qingdan/internal/flow"
	"github.com/qingdan/qingdan/internal/rating"
	"github.com/qingdan/qingdan/internal/supervise"
)

// Options are what a scenario is checked against besides its format.
type Options struct {
	// Categories are the Chinese names of the eleven categories (C1:
	// catalog's Categories), which an item's category must be one of.
	Categories []string
}

// MaxErrors bounds the mistakes listed for one file, as for flows.
const MaxErrors = 100

// Parse reads a scenario file (YAML, or JSON, which is YAML; at most 1 MiB,
// one document, no anchors) and checks it against docs/SCENARIOS.md. On any
// mistake it returns nil and an apperr.List naming every mistake, each with
// Field "line 12, column 5: steps[3].do" and a message in Chinese and
// English.
func Parse(data []byte, opt Options) (*Scenario, error) {
	root, err := flow.ReadDocument(data)
	if err != nil {
		return nil, err
	}
	r := &reader{opt: opt}
	s := r.scenario(root)
	if len(r.errs) > 0 {
		return nil, r.list()
	}
	return s, nil
}

// action is what one `do` takes besides at, as, do and case: the keys it
// reads and those of them it cannot do without.
type action struct {
	do    string
	keys  []string
	needs []string
}

// actions are the known actions, in the order of issue #14 item 8. Later
// issues add theirs (complain, accept_complaint …) here, with their keys.
var actions = []action{
	{do: "apply", keys: []string{"item", "applicant", "materials", "delivery", "assisted"}, needs: []string{"item", "applicant"}},
	{do: "accept"},
	{do: "request_supplement", keys: []string{"missing"}},
	{do: "supplement", keys: []string{"materials", "assisted"}},
	{do: "refuse", keys: []string{"reason", "basis"}},
	{do: "transfer", keys: []string{"unit"}},
	{do: "hand_over"},
	{do: "receive"},
	{do: "pause", keys: []string{"reason", "kind", "days"}},
	{do: "resume", keys: []string{"opinion"}},
	{do: "extend", keys: []string{"days", "reason"}},
	{do: "decide", keys: []string{"outcome", "opinion"}},
	{do: "hand_back"},
	{do: "complete", keys: []string{"certificate", "delivery"}},
	{do: "notify"},
	{do: "withdraw", keys: []string{"reason", "assisted"}},
	// issue #17 item 6: the applicant's rating of a completed case (L8).
	{do: "rate", keys: []string{"level", "comment"}, needs: []string{"level"}},
}

// Actions lists the known values of `do`, in the order of the table.
func Actions() []string {
	out := make([]string, len(actions))
	for i, a := range actions {
		out[i] = a.do
	}
	return out
}

func actionOf(do string) (action, bool) {
	i := slices.IndexFunc(actions, func(a action) bool { return a.do == do })
	if i < 0 {
		return action{}, false
	}
	return actions[i], true
}

type located struct {
	line, col int
	err       *apperr.Error
}

type reader struct {
	opt  Options
	errs []located
}

// fail records a mistake about path at node n (zh and en: formats for args).
func (r *reader) fail(n *yaml.Node, path, zh, en string, args ...any) {
	r.report(n, path, fmt.Sprintf(zh, args...), fmt.Sprintf(en, args...))
}

// report records a mistake whose messages are ready.
func (r *reader) report(n *yaml.Node, path, zh, en string) {
	if len(r.errs) > MaxErrors {
		return
	}
	field := fmt.Sprintf("line %d, column %d", n.Line, n.Column)
	if path != "" {
		field += ": " + path
	}
	r.errs = append(r.errs, located{n.Line, n.Column, apperr.New(apperr.Invalid, field, zh, en)})
}

// list returns the mistakes in file order, at most MaxErrors and a last
// one saying the rest are not listed.
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

// key is one key a mapping may hold: its name, whether it must be there,
// and what reads its value (never called for an absent or null value).
type key struct {
	name     string
	required bool
	read     func(v *yaml.Node, path string)
}

// mapping reads the mapping at n key by key. It reports a value that is no
// mapping, a duplicate key, a key not among keys (naming the known ones)
// and a required key that is absent or null (null is absent), and returns
// the keys written.
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
			r.fail(k, kp, "未知的键“%s”(可用的键:%s)", "unknown key %q (known keys: %s)", k.Value, names(keys))
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
	return written
}

// given reports whether the mapping n holds name with a value that is not
// null.
func given(n *yaml.Node, name string) bool {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == name {
			return n.Content[i+1].ShortTag() != "!!null"
		}
	}
	return false
}

func names(keys []key) string {
	var out []string
	for _, k := range keys {
		out = append(out, k.name)
	}
	return strings.Join(out, ", ")
}

func join(path, k string) string {
	if path == "" {
		return k
	}
	return path + "." + k
}

func (r *reader) wrongType(n *yaml.Node, path, zh, en string) {
	if path == "" {
		r.report(n, path, "文件内容应为"+zh, "the file must be "+en)
		return
	}
	k := path[strings.LastIndex(path, ".")+1:]
	r.report(n, path, fmt.Sprintf("“%s”的值应为%s", k, zh), fmt.Sprintf("the value of %q must be %s", k, en))
}

// text reads a value as text (a YAML number or boolean as written), not
// blank.
func (r *reader) text(n *yaml.Node, path string) string {
	if n.Kind != yaml.ScalarNode {
		r.wrongType(n, path, "文字", "text")
		return ""
	}
	if strings.TrimSpace(n.Value) == "" {
		r.fail(n, path, "“%s”不能为空", "%q must not be blank", path[strings.LastIndex(path, ".")+1:])
	}
	return n.Value
}

// number reads a whole number in [lo, hi].
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

// boolean reads true or false.
func (r *reader) boolean(n *yaml.Node, path string) bool {
	var v bool
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!bool" || n.Decode(&v) != nil {
		r.wrongType(n, path, "true 或 false", "true or false")
	}
	return v
}

// texts reads a list of texts, each once; one text stands for a list of one.
func (r *reader) texts(n *yaml.Node, path string) []string {
	items := []*yaml.Node{n}
	if n.Kind == yaml.SequenceNode {
		items = n.Content
	}
	var out []string
	for i, c := range items {
		p := path
		if n.Kind == yaml.SequenceNode {
			p = fmt.Sprintf("%s[%d]", path, i)
		}
		s := strings.TrimSpace(r.text(c, p))
		if slices.Contains(out, s) {
			r.fail(c, p, "“%s”重复", "%q appears twice", s)
		}
		out = append(out, s)
	}
	return out
}

// time reads a local date-time YYYY-MM-DDTHH:MM.
func (r *reader) time(n *yaml.Node, path string) Time {
	s := r.text(n, path)
	t, ok := ParseTime(s)
	if !ok && s != "" {
		r.fail(n, path, "时间“%s”无效:应为本地时间 YYYY-MM-DDTHH:MM,如 2026-03-02T09:00", "time %q is invalid: write the local time as YYYY-MM-DDTHH:MM, like 2026-03-02T09:00", s)
	}
	return t
}

// oneOf reads a text that must be one of known.
func oneOf[T ~string](r *reader, n *yaml.Node, path string, known ...T) T {
	v := T(strings.TrimSpace(r.text(n, path)))
	if v != "" && !slices.Contains(known, v) {
		var list []string
		for _, k := range known {
			list = append(list, string(k))
		}
		r.fail(n, path, "“%s”无效(可用:%s)", "%q is invalid (known: %s)", v, strings.Join(list, ", "))
	}
	return v
}

// Setters build a key from its name and where its value goes.

func textKey(r *reader, name string, required bool, dst *string) key {
	return key{name, required, func(v *yaml.Node, p string) { *dst = strings.TrimSpace(r.text(v, p)) }}
}

func numberKey(r *reader, name string, required bool, lo, hi int, dst *int) key {
	return key{name, required, func(v *yaml.Node, p string) { *dst = r.number(v, p, lo, hi) }}
}

func textsKey(r *reader, name string, dst *[]string) key {
	return key{name, false, func(v *yaml.Node, p string) { *dst = r.texts(v, p) }}
}

func timeKey(r *reader, name string, dst *Time) key {
	return key{name, true, func(v *yaml.Node, p string) { *dst = r.time(v, p) }}
}

// sequence returns the items of a list.
func (r *reader) sequence(n *yaml.Node, path string) []*yaml.Node {
	if n.Kind != yaml.SequenceNode {
		r.wrongType(n, path, "列表", "a list")
		return nil
	}
	return n.Content
}

// scenario reads the top level.
func (r *reader) scenario(root *yaml.Node) *Scenario {
	s := &Scenario{}
	var until, items, steps *yaml.Node
	r.mapping(root, "",
		timeKey(r, "start", &s.Start),
		key{"until", true, func(v *yaml.Node, p string) { until, s.Until = v, r.time(v, p) }},
		key{"body", false, func(v *yaml.Node, p string) { s.Body = r.body(v, p) }},
		key{"items", false, func(v *yaml.Node, _ string) { items = v }},
		key{"steps", true, func(v *yaml.Node, _ string) { steps = v }},
		key{"rules", false, func(v *yaml.Node, p string) { s.Rules = r.rules(v, p) }},
	)
	if items != nil {
		for i, n := range r.sequence(items, "items") {
			s.Items = append(s.Items, r.item(n, fmt.Sprintf("items[%d]", i), s.Items))
		}
	}
	if steps != nil {
		for i, n := range r.sequence(steps, "steps") {
			s.Steps = append(s.Steps, r.step(n, fmt.Sprintf("steps[%d]", i)))
		}
		if len(steps.Content) == 0 && steps.Kind == yaml.SequenceNode {
			r.fail(steps, "steps", "至少要有一个步骤", "there must be at least one step")
		}
	}
	if until != nil && s.Until.Before(s.Start) {
		r.fail(until, "until", "结束时间%s早于开始时间%s", "until %s is before start %s", s.Until, s.Start)
	} else {
		r.order(s, steps)
	}
	r.references(s, steps)
	return s
}

// rules reads the scenario's own rule set in the format of rule files
// (docs/SUPERVISION.md), its mistakes named by line and key like the
// rest of the file.
func (r *reader) rules(n *yaml.Node, path string) *supervise.RuleSet {
	rs, err := supervise.Read(n, path)
	if err == nil {
		return &rs
	}
	var list apperr.List
	if !errors.As(err, &list) {
		r.fail(n, path, "规则集无法读取", "the rule set cannot be read")
		return nil
	}
	for _, e := range list {
		var line, col int
		if _, scanErr := fmt.Sscanf(e.Field, "line %d, column %d", &line, &col); scanErr != nil {
			line, col = n.Line, n.Column
		}
		if len(r.errs) <= MaxErrors {
			r.errs = append(r.errs, located{line, col, e})
		}
	}
	return nil
}

// body reads a demo body's code: a division code of 6, 9 or 12 digits.
func (r *reader) body(n *yaml.Node, path string) string {
	b := strings.TrimSpace(r.text(n, path))
	if b != "" && (!(len(b) == 6 || len(b) == 9 || len(b) == 12) || strings.Trim(b, "0123456789") != "") {
		r.fail(n, path, "机构编码“%s”应为6、9或12位数字的区划代码", "body code %q must be a division code of 6, 9 or 12 digits", b)
	}
	return b
}

// item reads one declared item; before are those declared above it.
func (r *reader) item(n *yaml.Node, path string, before []Item) Item {
	it := Item{Line: n.Line, Stars: 3, Standing: casework.Listed}
	var kind, flowCode *yaml.Node
	r.mapping(n, path,
		textKey(r, "code", true, &it.Code),
		textKey(r, "name", true, &it.Name),
		key{"category", true, func(v *yaml.Node, p string) { it.Category = oneOf(r, v, p, r.opt.Categories...) }},
		key{"kind", true, func(v *yaml.Node, p string) {
			kind, it.Kind = v, oneOf(r, v, p, casework.Instant, casework.Promised)
		}},
		numberKey(r, "promised_working_days", false, 1, 100000, &it.PromisedWorkingDays),
		numberKey(r, "statutory_working_days", false, 1, 100000, &it.StatutoryWorkingDays),
		key{"flow", false, func(v *yaml.Node, p string) { flowCode, it.Flow = v, oneOf(r, v, p, flow.ShippedCodes...) }},
		key{"unit", false, func(v *yaml.Node, p string) { it.Unit = r.unit(v, p) }},
		textsKey(r, "materials", &it.Materials),
		numberKey(r, "stars", false, 1, 5, &it.Stars),
		key{"standing", false, func(v *yaml.Node, p string) {
			it.Standing = oneOf(r, v, p, casework.Listed, casework.Suspended, casework.Cancelled, casework.Unlisted)
		}},
	)
	if slices.ContainsFunc(before, func(b Item) bool { return b.Code == it.Code && it.Code != "" }) {
		r.fail(n, join(path, "code"), "事项编码“%s”重复", "item code %q is declared twice", it.Code)
	}
	switch {
	case it.Kind == casework.Promised && it.PromisedWorkingDays == 0 && kind != nil:
		r.fail(n, join(path, "promised_working_days"), "承诺件须有承诺时限", "a promised item needs promised_working_days")
	case it.Kind == casework.Instant && it.PromisedWorkingDays > 0:
		r.fail(n, join(path, "promised_working_days"), "即办件当场办结,没有承诺时限", "an instant item is done on the spot: it has no promised_working_days")
	case it.StatutoryWorkingDays > 0 && it.PromisedWorkingDays > it.StatutoryWorkingDays:
		r.fail(n, join(path, "promised_working_days"), "承诺时限不能长于法定时限", "the promised limit cannot be longer than the statutory one")
	}
	if it.Kind == casework.Instant && flowCode != nil && it.Flow != "instant" && it.Flow != "" {
		r.fail(flowCode, join(path, "flow"), "即办件只能按即办件流程办理", "an instant item runs on the instant flow")
	}
	return it
}

// unit reads a unit's code (letters, digits, _ . -, at most 32).
func (r *reader) unit(n *yaml.Node, path string) string {
	u := strings.TrimSpace(r.text(n, path))
	if len(u) > 32 || strings.Trim(u, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") != "" {
		r.fail(n, path, "单位编码“%s”只能含字母、数字、_ . -,最多32位", "unit code %q may hold only letters, digits, _ . - and at most 32 of them", u)
	}
	return u
}

// step reads one step: the keys every step has, then the action's own.
func (r *reader) step(n *yaml.Node, path string) Step {
	s := Step{Line: n.Line}
	var do *yaml.Node
	present := r.mapping(n, path,
		timeKey(r, "at", &s.At),
		textKey(r, "as", false, &s.As),
		key{"do", true, func(v *yaml.Node, p string) { do, s.Do = v, strings.TrimSpace(r.text(v, p)) }},
		textKey(r, "case", true, &s.Case),
		textKey(r, "item", false, &s.Item),
		key{"applicant", false, func(v *yaml.Node, p string) { s.Applicant = r.applicant(v, p) }},
		textsKey(r, "materials", &s.Materials),
		textsKey(r, "missing", &s.Missing),
		textKey(r, "reason", false, &s.Reason),
		textKey(r, "basis", false, &s.Basis),
		textKey(r, "kind", false, &s.Kind),
		numberKey(r, "days", false, 1, 1000, &s.Days),
		textKey(r, "outcome", false, &s.Outcome),
		textKey(r, "opinion", false, &s.Opinion),
		key{"unit", false, func(v *yaml.Node, p string) { s.Unit = r.unit(v, p) }},
		textKey(r, "certificate", false, &s.Certificate),
		textKey(r, "delivery", false, &s.Delivery),
		key{"assisted", false, func(v *yaml.Node, p string) { s.Assisted = r.boolean(v, p) }},
		key{"level", false, func(v *yaml.Node, p string) { s.Level = r.level(v, p) }},
		textKey(r, "comment", false, &s.Comment),
	)
	if do == nil || s.Do == "" {
		return s
	}
	act, ok := actionOf(s.Do)
	if !ok {
		r.fail(do, join(path, "do"), "未知的动作“%s”(可用:%s)", "unknown action %q (known: %s)", s.Do, strings.Join(Actions(), ", "))
		return s
	}
	for _, k := range present {
		if !slices.Contains([]string{"at", "as", "do", "case"}, k) && !slices.Contains(act.keys, k) {
			r.fail(keyNode(n, k), join(path, k), "动作“%s”不使用键“%s”(它使用:%s)", "action %q does not take the key %q (it takes: %s)",
				s.Do, k, strings.Join(act.keys, ", "))
		}
	}
	for _, k := range act.needs {
		if !given(n, k) {
			r.fail(n, join(path, k), "动作“%s”须有键“%s”", "action %q needs the key %q", s.Do, k)
		}
	}
	return s
}

// level reads a rating's level: 1–5 (5 very satisfied) or its Chinese
// name (L8).
func (r *reader) level(n *yaml.Node, path string) rating.Level {
	v := r.text(n, path)
	if v == "" {
		return 0
	}
	l, err := rating.ParseLevel(path, v)
	if err != nil {
		e := apperr.As(err)
		r.report(n, path, e.Zh, e.En)
	}
	return l
}

// keyNode is the key node of name in the mapping n.
func keyNode(n *yaml.Node, name string) *yaml.Node {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == name {
			return n.Content[i]
		}
	}
	return n
}

// applicant reads {name, id | code, phone, address}.
func (r *reader) applicant(n *yaml.Node, path string) *Applicant {
	a := &Applicant{}
	r.mapping(n, path,
		textKey(r, "name", true, &a.Name),
		textKey(r, "id", false, &a.ID),
		textKey(r, "code", false, &a.Code),
		textKey(r, "phone", false, &a.Phone),
		textKey(r, "address", false, &a.Address),
	)
	if n.Kind == yaml.MappingNode && given(n, "id") == given(n, "code") {
		r.fail(n, path, "申请人须有且只有 id(身份证号码)或 code(统一社会信用代码)之一",
			"an applicant has either id (a resident ID) or code (a credit code), one of them")
	}
	return a
}

// order checks the steps are in time order within [start, until].
func (r *reader) order(s *Scenario, steps *yaml.Node) {
	if steps == nil || steps.Kind != yaml.SequenceNode {
		return
	}
	last := s.Start
	for i, st := range s.Steps {
		n := steps.Content[i]
		switch {
		case st.At == (Time{}):
		case st.At.Before(last):
			r.fail(n, fmt.Sprintf("steps[%d].at", i), "步骤时间%s早于%s:步骤须按时间顺序排列,且不早于 start",
				"step time %s is before %s: steps are in time order, none before start", st.At, last)
		case s.Until.Before(st.At):
			r.fail(n, fmt.Sprintf("steps[%d].at", i), "步骤时间%s晚于 until(%s)", "step time %s is after until (%s)", st.At, s.Until)
		default:
			last = st.At
		}
	}
}

// references checks that every step's case was opened by an earlier apply
// (and is opened once), and that an apply names a declared item when the
// scenario declares items.
func (r *reader) references(s *Scenario, steps *yaml.Node) {
	if steps == nil || steps.Kind != yaml.SequenceNode {
		return
	}
	opened := map[string]bool{}
	for i, st := range s.Steps {
		n, p := steps.Content[i], fmt.Sprintf("steps[%d]", i)
		if _, ok := actionOf(st.Do); !ok || st.Case == "" {
			continue
		}
		switch {
		case st.Do == "apply" && opened[st.Case]:
			r.fail(n, join(p, "case"), "办件“%s”已在前面申请过", "case %q was applied for above already", st.Case)
		case st.Do != "apply" && !opened[st.Case]:
			r.fail(n, join(p, "case"), "办件“%s”还没有申请(须先有 do: apply)", "case %q has not been applied for (do: apply comes first)", st.Case)
		}
		if st.Do == "apply" {
			opened[st.Case] = true
			if st.Item != "" && len(s.Items) > 0 && !slices.ContainsFunc(s.Items, func(it Item) bool { return it.Code == st.Item }) {
				r.fail(n, join(p, "item"), "事项“%s”未在 items 中声明", "item %q is not declared in items", st.Item)
			}
		}
	}
}
