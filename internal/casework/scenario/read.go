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
	"github.com/qingdan/qingdan/internal/complaint"
	"github.com/qingdan/qingdan/internal/flow"
	"github.com/qingdan/qingdan/internal/msg"
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
	// complaint: the step names a `complaint` instead of a `case`.
	complaint bool
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
	// Complaints (issue #17 item 8, docs/COMPLAINTS.md): their steps name
	// a `complaint`, not a case.
	{do: "complain", keys: []string{"channel", "target", "ground", "facts", "complainant"}, needs: []string{"target", "ground", "facts"}, complaint: true},
	{do: "accept_complaint", keys: []string{"mode"}, complaint: true},
	{do: "refuse_complaint", keys: []string{"reason", "text"}, needs: []string{"reason", "text"}, complaint: true},
	{do: "assign_investigators", keys: []string{"investigators"}, needs: []string{"investigators"}, complaint: true},
	{do: "extend_complaint", keys: []string{"days", "reason"}, needs: []string{"days", "reason"}, complaint: true},
	{do: "answer_complaint", keys: []string{"findings", "verified", "outcomes", "text"}, needs: []string{"findings", "text"}, complaint: true},
	{do: "request_review", keys: []string{"reason"}, needs: []string{"reason"}, complaint: true},
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

// fail records a mistake about path at node n: message key with its args.
func (r *reader) fail(n *yaml.Node, path, key string, args ...any) {
	if len(r.errs) > MaxErrors {
		return
	}
	field := fmt.Sprintf("line %d, column %d", n.Line, n.Column)
	if path != "" {
		field += ": " + path
	}
	r.errs = append(r.errs, located{n.Line, n.Column, apperr.New(apperr.Invalid, field, key, args...)})
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
			out = append(out, apperr.New(apperr.Invalid, e.err.Field, "scenario.more_than_mistakes_the_rest_are", MaxErrors))
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
		r.wrongType(n, path, "scenario.a_mapping_key_value")
		return nil
	}
	var written, given []string
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		kp := join(path, k.Value)
		j := slices.IndexFunc(keys, func(x key) bool { return x.name == k.Value })
		switch {
		case k.Kind != yaml.ScalarNode:
			r.fail(k, path, "scenario.a_key_must_be_plain_text")
		case slices.Contains(written, k.Value):
			r.fail(k, kp, "scenario.key_appears_twice", k.Value)
		case j < 0:
			r.fail(k, kp, "scenario.unknown_key_known_keys", k.Value, names(keys))
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
			r.fail(n, join(path, k.name), "scenario.missing_required_key", k.name)
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

// wrongType records a value of the wrong type; want is the message key of
// what it must be.
func (r *reader) wrongType(n *yaml.Node, path, want string) {
	if path == "" {
		r.fail(n, path, "scenario.the_file_must_be", msg.M(want))
		return
	}
	k := path[strings.LastIndex(path, ".")+1:]
	r.fail(n, path, "scenario.the_value_of_must_be", k, msg.M(want))
}

// text reads a value as text (a YAML number or boolean as written), not
// blank.
func (r *reader) text(n *yaml.Node, path string) string {
	if n.Kind != yaml.ScalarNode {
		r.wrongType(n, path, "scenario.text")
		return ""
	}
	if strings.TrimSpace(n.Value) == "" {
		r.fail(n, path, "scenario.must_not_be_blank", path[strings.LastIndex(path, ".")+1:])
	}
	return n.Value
}

// number reads a whole number in [lo, hi].
func (r *reader) number(n *yaml.Node, path string, lo, hi int) int {
	var v int
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!int" || n.Decode(&v) != nil {
		r.wrongType(n, path, "scenario.a_whole_number")
		return 0
	}
	if v < lo || v > hi {
		r.fail(n, path, "scenario.the_number_must_be_not", lo, hi, v)
	}
	return v
}

// boolean reads true or false.
func (r *reader) boolean(n *yaml.Node, path string) bool {
	var v bool
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!bool" || n.Decode(&v) != nil {
		r.wrongType(n, path, "scenario.true_or_false")
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
			r.fail(c, p, "scenario.appears_twice", s)
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
		r.fail(n, path, "scenario.time_is_invalid_write_the_local", s)
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
		r.fail(n, path, "scenario.is_invalid_known", v, strings.Join(list, ", "))
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
		r.wrongType(n, path, "scenario.a_list")
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
			r.fail(steps, "steps", "scenario.there_must_be_at_least_one")
		}
	}
	if until != nil && s.Until.Before(s.Start) {
		r.fail(until, "until", "scenario.until_is_before_start", s.Until, s.Start)
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
		r.fail(n, path, "scenario.the_rule_set_cannot_be_read")
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
		r.fail(n, path, "scenario.body_code_must_be_a_division", b)
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
		r.fail(n, join(path, "code"), "scenario.item_code_is_declared_twice", it.Code)
	}
	switch {
	case it.Kind == casework.Promised && it.PromisedWorkingDays == 0 && kind != nil:
		r.fail(n, join(path, "promised_working_days"), "scenario.a_promised_item_needs_promised_working")
	case it.Kind == casework.Instant && it.PromisedWorkingDays > 0:
		r.fail(n, join(path, "promised_working_days"), "scenario.an_instant_item_is_done_on")
	case it.StatutoryWorkingDays > 0 && it.PromisedWorkingDays > it.StatutoryWorkingDays:
		r.fail(n, join(path, "promised_working_days"), "scenario.the_promised_limit_cannot_be_longer")
	}
	if it.Kind == casework.Instant && flowCode != nil && it.Flow != "instant" && it.Flow != "" {
		r.fail(flowCode, join(path, "flow"), "scenario.an_instant_item_runs_on_the")
	}
	return it
}

// unit reads a unit's code (letters, digits, _ . -, at most 32).
func (r *reader) unit(n *yaml.Node, path string) string {
	u := strings.TrimSpace(r.text(n, path))
	if len(u) > 32 || strings.Trim(u, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") != "" {
		r.fail(n, path, "scenario.unit_code_may_hold_only_letters", u)
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
		textKey(r, "case", false, &s.Case),
		textKey(r, "complaint", false, &s.Complaint),
		key{"channel", false, func(v *yaml.Node, p string) {
			s.Channel = oneOf(r, v, p, "phone", "letter", "email", "in_person", "online")
		}},
		key{"target", false, func(v *yaml.Node, p string) { s.Target = r.target(v, p) }},
		key{"ground", false, func(v *yaml.Node, p string) { s.Ground = r.ground(v, p) }},
		textKey(r, "facts", false, &s.Facts),
		key{"complainant", false, func(v *yaml.Node, p string) { s.Complainant = r.complainant(v, p) }},
		textsKey(r, "investigators", &s.Investigators),
		key{"mode", false, func(v *yaml.Node, p string) { s.Mode = oneOf(r, v, p, "direct", "transfer", "supervise_transfer") }},
		textKey(r, "text", false, &s.Text),
		textKey(r, "findings", false, &s.Findings),
		key{"verified", false, func(v *yaml.Node, p string) { s.Verified = r.boolean(v, p) }},
		textsKey(r, "outcomes", &s.Outcomes),
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
		r.fail(do, join(path, "do"), "scenario.unknown_action_known", s.Do, strings.Join(Actions(), ", "))
		return s
	}
	subject := "case"
	if act.complaint {
		subject = "complaint"
	}
	if !given(n, subject) {
		r.fail(n, join(path, subject), "scenario.missing_required_key", subject)
	}
	for _, k := range present {
		if !slices.Contains([]string{"at", "as", "do", subject}, k) && !slices.Contains(act.keys, k) {
			r.fail(keyNode(n, k), join(path, k), "scenario.action_does_not_take_the_key", s.Do, k, strings.Join(act.keys, ", "))
		}
	}
	for _, k := range act.needs {
		if !given(n, k) {
			r.fail(n, join(path, k), "scenario.action_needs_the_key", s.Do, k)
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
		r.fail(n, path, e.Key, e.Args...)
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
		r.fail(n, path, "scenario.an_applicant_has_either_id_a")
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
			r.fail(n, fmt.Sprintf("steps[%d].at", i), "scenario.step_time_is_before_steps_are", st.At, last)
		case s.Until.Before(st.At):
			r.fail(n, fmt.Sprintf("steps[%d].at", i), "scenario.step_time_is_after_until", st.At, s.Until)
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
	opened, filed := map[string]bool{}, map[string]bool{}
	for i, st := range s.Steps {
		n, p := steps.Content[i], fmt.Sprintf("steps[%d]", i)
		act, ok := actionOf(st.Do)
		if ok && act.complaint && st.Complaint != "" {
			switch {
			case st.Do == "complain" && filed[st.Complaint]:
				r.fail(n, join(p, "complaint"), "scenario.complaint_was_filed_above_already", st.Complaint)
			case st.Do != "complain" && !filed[st.Complaint]:
				r.fail(n, join(p, "complaint"), "scenario.complaint_has_not_been_filed_do", st.Complaint)
			}
			if st.Target != nil && st.Target.Case != "" && !opened[st.Target.Case] {
				r.fail(n, join(p, "target.case"), "scenario.case_has_not_been_applied_for_2", st.Target.Case)
			}
			filed[st.Complaint] = true
			continue
		}
		if !ok || st.Case == "" {
			continue
		}
		switch {
		case st.Do == "apply" && opened[st.Case]:
			r.fail(n, join(p, "case"), "scenario.case_was_applied_for_above_already", st.Case)
		case st.Do != "apply" && !opened[st.Case]:
			r.fail(n, join(p, "case"), "scenario.case_has_not_been_applied_for", st.Case)
		}
		if st.Do == "apply" {
			opened[st.Case] = true
			if st.Item != "" && len(s.Items) > 0 && !slices.ContainsFunc(s.Items, func(it Item) bool { return it.Code == st.Item }) {
				r.fail(n, join(p, "item"), "scenario.item_is_not_declared_in_items", st.Item)
			}
		}
	}
}

// target reads a complaint's target: exactly one of unit (a code), staff
// (a demo login or a staff member's name), case (the scenario's name for
// a case) and item (a code).
func (r *reader) target(n *yaml.Node, path string) *Target {
	t := &Target{}
	r.mapping(n, path,
		key{"unit", false, func(v *yaml.Node, p string) { t.Unit = r.unit(v, p) }},
		textKey(r, "staff", false, &t.Staff),
		textKey(r, "case", false, &t.Case),
		textKey(r, "item", false, &t.Item),
	)
	if n.Kind == yaml.MappingNode {
		k := 0
		for _, name := range []string{"unit", "staff", "case", "item"} {
			if given(n, name) {
				k++
			}
		}
		if k != 1 {
			r.fail(n, path, "scenario.a_target_has_exactly_one_of")
		}
	}
	return t
}

// ground reads one of P2's seven grounds, by its key or Chinese name.
func (r *reader) ground(n *yaml.Node, path string) string {
	s := strings.TrimSpace(r.text(n, path))
	g, err := complaint.ParseGround(path, s)
	if err != nil && s != "" {
		var keys []string
		for _, g := range complaint.Grounds {
			keys = append(keys, string(g))
		}
		r.fail(n, path, "scenario.ground_is_not_one_of_the", s, strings.Join(keys, ", "))
	}
	return string(g)
}

// complainant reads {name, phone}; none: anonymous.
func (r *reader) complainant(n *yaml.Node, path string) *Complainant {
	c := &Complainant{}
	r.mapping(n, path, textKey(r, "name", false, &c.Name), textKey(r, "phone", false, &c.Phone))
	return c
}

// IsComplaintAction reports whether do is a complaint's action (its step
// names a complaint, not a case).
func IsComplaintAction(do string) bool {
	a, ok := actionOf(do)
	return ok && a.complaint
}
