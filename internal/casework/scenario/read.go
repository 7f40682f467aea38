package scenario

import (
	"fmt"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/casework"
	"github.com/qingdan/qingdan/internal/complaint"
	"github.com/qingdan/qingdan/internal/flow"
	"github.com/qingdan/qingdan/internal/rating"
	"github.com/qingdan/qingdan/internal/supervise"
	"github.com/qingdan/qingdan/internal/yamlread"
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
	root, err := yamlread.Document(data)
	if err != nil {
		return nil, err
	}
	r := &reader{opt: opt, Reader: yamlread.New(yamlread.Format{MaxErrors: MaxErrors})}
	s := r.scenario(root)
	if r.Failed() {
		return nil, r.List()
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

// reader reads a scenario with the kernel of the YAML formats, which
// collects its mistakes.
type reader struct {
	opt Options
	*yamlread.Reader
}

var join = yamlread.Join

// given reports whether the mapping n holds name with a value that is not
// null.
func given(n *yaml.Node, name string) bool {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == name {
			return !yamlread.IsNull(n.Content[i+1])
		}
	}
	return false
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
			p = yamlread.Index(path, i)
		}
		s := strings.TrimSpace(r.Text(c, p))
		if slices.Contains(out, s) {
			r.Fail(c, p, "scenario.appears_twice", s)
		}
		out = append(out, s)
	}
	return out
}

// time reads a local date-time YYYY-MM-DDTHH:MM.
func (r *reader) time(n *yaml.Node, path string) Time {
	s := r.Text(n, path)
	t, ok := ParseTime(s)
	if !ok && s != "" {
		r.Fail(n, path, "scenario.time_is_invalid_write_the_local", s)
	}
	return t
}

// oneOf reads a text that must be one of known.
func oneOf[T ~string](r *reader, n *yaml.Node, path string, known ...T) T {
	v := T(strings.TrimSpace(r.Text(n, path)))
	if v != "" && !slices.Contains(known, v) {
		var list []string
		for _, k := range known {
			list = append(list, string(k))
		}
		r.Fail(n, path, "scenario.is_invalid_known", v, strings.Join(list, ", "))
	}
	return v
}

// Setters build a key from its name and where its value goes.

func textKey(r *reader, name string, required bool, dst *string) yamlread.Key {
	return yamlread.Key{Name: name, Required: required, Read: func(v *yaml.Node, p string) { *dst = strings.TrimSpace(r.Text(v, p)) }}
}

func numberKey(r *reader, name string, required bool, lo, hi int, dst *int) yamlread.Key {
	return yamlread.Key{Name: name, Required: required, Read: func(v *yaml.Node, p string) { *dst = r.Number(v, p, lo, hi) }}
}

func textsKey(r *reader, name string, dst *[]string) yamlread.Key {
	return yamlread.Key{Name: name, Required: false, Read: func(v *yaml.Node, p string) { *dst = r.texts(v, p) }}
}

func timeKey(r *reader, name string, dst *Time) yamlread.Key {
	return yamlread.Key{Name: name, Required: true, Read: func(v *yaml.Node, p string) { *dst = r.time(v, p) }}
}

// scenario reads the top level.
func (r *reader) scenario(root *yaml.Node) *Scenario {
	s := &Scenario{}
	var until, items, steps *yaml.Node
	r.Mapping(root, "",
		timeKey(r, "start", &s.Start),
		yamlread.Key{Name: "until", Required: true, Read: func(v *yaml.Node, p string) { until, s.Until = v, r.time(v, p) }},
		yamlread.Key{Name: "body", Required: false, Read: func(v *yaml.Node, p string) { s.Body = r.body(v, p) }},
		yamlread.Key{Name: "items", Required: false, Read: func(v *yaml.Node, _ string) { items = v }},
		yamlread.Key{Name: "steps", Required: true, Read: func(v *yaml.Node, _ string) { steps = v }},
		yamlread.Key{Name: "rules", Required: false, Read: func(v *yaml.Node, p string) { s.Rules = r.rules(v, p) }},
	)
	if items != nil {
		for i, n := range r.Sequence(items, "items") {
			s.Items = append(s.Items, r.item(n, fmt.Sprintf("items[%d]", i), s.Items))
		}
	}
	if steps != nil {
		for i, n := range r.Sequence(steps, "steps") {
			s.Steps = append(s.Steps, r.step(n, fmt.Sprintf("steps[%d]", i)))
		}
		if len(steps.Content) == 0 && steps.Kind == yaml.SequenceNode {
			r.Fail(steps, "steps", "scenario.there_must_be_at_least_one")
		}
	}
	if until != nil && s.Until.Before(s.Start) {
		r.Fail(until, "until", "scenario.until_is_before_start", s.Until, s.Start)
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
	rs := supervise.ReadWith(r.Reader, n, path)
	return &rs
}

// body reads a demo body's code: a division code of 6, 9 or 12 digits.
func (r *reader) body(n *yaml.Node, path string) string {
	b := strings.TrimSpace(r.Text(n, path))
	if b != "" && (!(len(b) == 6 || len(b) == 9 || len(b) == 12) || strings.Trim(b, "0123456789") != "") {
		r.Fail(n, path, "scenario.body_code_must_be_a_division", b)
	}
	return b
}

// item reads one declared item; before are those declared above it.
func (r *reader) item(n *yaml.Node, path string, before []Item) Item {
	it := Item{Line: n.Line, Stars: 3, Standing: casework.Listed}
	var kind, flowCode *yaml.Node
	r.Mapping(n, path,
		textKey(r, "code", true, &it.Code),
		textKey(r, "name", true, &it.Name),
		yamlread.Key{Name: "category", Required: true, Read: func(v *yaml.Node, p string) { it.Category = oneOf(r, v, p, r.opt.Categories...) }},
		yamlread.Key{Name: "kind", Required: true, Read: func(v *yaml.Node, p string) {
			kind, it.Kind = v, oneOf(r, v, p, casework.Instant, casework.Promised)
		}},

		numberKey(r, "promised_working_days", false, 1, 100000, &it.PromisedWorkingDays),
		numberKey(r, "statutory_working_days", false, 1, 100000, &it.StatutoryWorkingDays),
		yamlread.Key{Name: "flow", Required: false, Read: func(v *yaml.Node, p string) { flowCode, it.Flow = v, oneOf(r, v, p, flow.ShippedCodes...) }},
		yamlread.Key{Name: "unit", Required: false, Read: func(v *yaml.Node, p string) { it.Unit = r.unit(v, p) }},
		textsKey(r, "materials", &it.Materials),
		numberKey(r, "stars", false, 1, 5, &it.Stars),
		yamlread.Key{Name: "standing", Required: false, Read: func(v *yaml.Node, p string) {
			it.Standing = oneOf(r, v, p, casework.Listed, casework.Suspended, casework.Cancelled, casework.Unlisted)
		}},
	)
	if slices.ContainsFunc(before, func(b Item) bool { return b.Code == it.Code && it.Code != "" }) {
		r.Fail(n, join(path, "code"), "scenario.item_code_is_declared_twice", it.Code)
	}
	switch {
	case it.Kind == casework.Promised && it.PromisedWorkingDays == 0 && kind != nil:
		r.Fail(n, join(path, "promised_working_days"), "scenario.a_promised_item_needs_promised_working")
	case it.Kind == casework.Instant && it.PromisedWorkingDays > 0:
		r.Fail(n, join(path, "promised_working_days"), "scenario.an_instant_item_is_done_on")
	case it.StatutoryWorkingDays > 0 && it.PromisedWorkingDays > it.StatutoryWorkingDays:
		r.Fail(n, join(path, "promised_working_days"), "scenario.the_promised_limit_cannot_be_longer")
	}
	if it.Kind == casework.Instant && flowCode != nil && it.Flow != "instant" && it.Flow != "" {
		r.Fail(flowCode, join(path, "flow"), "scenario.an_instant_item_runs_on_the")
	}
	return it
}

// unit reads a unit's code (letters, digits, _ . -, at most 32).
func (r *reader) unit(n *yaml.Node, path string) string {
	u := strings.TrimSpace(r.Text(n, path))
	if len(u) > 32 || strings.Trim(u, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") != "" {
		r.Fail(n, path, "scenario.unit_code_may_hold_only_letters", u)
	}
	return u
}

// step reads one step: the keys every step has, then the action's own.
func (r *reader) step(n *yaml.Node, path string) Step {
	s := Step{Line: n.Line}
	var do *yaml.Node
	present := r.Mapping(n, path,
		timeKey(r, "at", &s.At),
		textKey(r, "as", false, &s.As),
		yamlread.Key{Name: "do", Required: true, Read: func(v *yaml.Node, p string) { do, s.Do = v, strings.TrimSpace(r.Text(v, p)) }},
		textKey(r, "case", false, &s.Case),
		textKey(r, "complaint", false, &s.Complaint),
		yamlread.Key{Name: "channel", Required: false, Read: func(v *yaml.Node, p string) {
			s.Channel = oneOf(r, v, p, "phone", "letter", "email", "in_person", "online")
		}},

		yamlread.Key{Name: "target", Required: false, Read: func(v *yaml.Node, p string) { s.Target = r.target(v, p) }},
		yamlread.Key{Name: "ground", Required: false, Read: func(v *yaml.Node, p string) { s.Ground = r.ground(v, p) }},
		textKey(r, "facts", false, &s.Facts),
		yamlread.Key{Name: "complainant", Required: false, Read: func(v *yaml.Node, p string) { s.Complainant = r.complainant(v, p) }},
		textsKey(r, "investigators", &s.Investigators),
		yamlread.Key{Name: "mode", Required: false, Read: func(v *yaml.Node, p string) { s.Mode = oneOf(r, v, p, "direct", "transfer", "supervise_transfer") }},
		textKey(r, "text", false, &s.Text),
		textKey(r, "findings", false, &s.Findings),
		yamlread.Key{Name: "verified", Required: false, Read: func(v *yaml.Node, p string) { s.Verified = r.Bool(v, p) }},
		textsKey(r, "outcomes", &s.Outcomes),
		textKey(r, "item", false, &s.Item),
		yamlread.Key{Name: "applicant", Required: false, Read: func(v *yaml.Node, p string) { s.Applicant = r.applicant(v, p) }},
		textsKey(r, "materials", &s.Materials),
		textsKey(r, "missing", &s.Missing),
		textKey(r, "reason", false, &s.Reason),
		textKey(r, "basis", false, &s.Basis),
		textKey(r, "kind", false, &s.Kind),
		numberKey(r, "days", false, 1, 1000, &s.Days),
		textKey(r, "outcome", false, &s.Outcome),
		textKey(r, "opinion", false, &s.Opinion),
		yamlread.Key{Name: "unit", Required: false, Read: func(v *yaml.Node, p string) { s.Unit = r.unit(v, p) }},
		textKey(r, "certificate", false, &s.Certificate),
		textKey(r, "delivery", false, &s.Delivery),
		yamlread.Key{Name: "assisted", Required: false, Read: func(v *yaml.Node, p string) { s.Assisted = r.Bool(v, p) }},
		yamlread.Key{Name: "level", Required: false, Read: func(v *yaml.Node, p string) { s.Level = r.level(v, p) }},
		textKey(r, "comment", false, &s.Comment),
	)
	if do == nil || s.Do == "" {
		return s
	}
	act, ok := actionOf(s.Do)
	if !ok {
		r.Fail(do, join(path, "do"), "scenario.unknown_action_known", s.Do, strings.Join(Actions(), ", "))
		return s
	}
	subject := "case"
	if act.complaint {
		subject = "complaint"
	}
	if !given(n, subject) {
		r.Fail(n, join(path, subject), "scenario.missing_required_key", subject)
	}
	for _, k := range present.Written {
		if !slices.Contains([]string{"at", "as", "do", subject}, k) && !slices.Contains(act.keys, k) {
			r.Fail(keyNode(n, k), join(path, k), "scenario.action_does_not_take_the_key", s.Do, k, strings.Join(act.keys, ", "))
		}
	}
	for _, k := range act.needs {
		if !given(n, k) {
			r.Fail(n, join(path, k), "scenario.action_needs_the_key", s.Do, k)
		}
	}
	return s
}

// level reads a rating's level: 1–5 (5 very satisfied) or its Chinese
// name (L8).
func (r *reader) level(n *yaml.Node, path string) rating.Level {
	v := r.Text(n, path)
	if v == "" {
		return 0
	}
	l, err := rating.ParseLevel(path, v)
	if err != nil {
		e := apperr.As(err)
		r.Fail(n, path, e.Key, e.Args...)
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
	r.Mapping(n, path,
		textKey(r, "name", true, &a.Name),
		textKey(r, "id", false, &a.ID),
		textKey(r, "code", false, &a.Code),
		textKey(r, "phone", false, &a.Phone),
		textKey(r, "address", false, &a.Address),
	)
	if n.Kind == yaml.MappingNode && given(n, "id") == given(n, "code") {
		r.Fail(n, path, "scenario.an_applicant_has_either_id_a")
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
			r.Fail(n, fmt.Sprintf("steps[%d].at", i), "scenario.step_time_is_before_steps_are", st.At, last)
		case s.Until.Before(st.At):
			r.Fail(n, fmt.Sprintf("steps[%d].at", i), "scenario.step_time_is_after_until", st.At, s.Until)
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
				r.Fail(n, join(p, "complaint"), "scenario.complaint_was_filed_above_already", st.Complaint)
			case st.Do != "complain" && !filed[st.Complaint]:
				r.Fail(n, join(p, "complaint"), "scenario.complaint_has_not_been_filed_do", st.Complaint)
			}
			if st.Target != nil && st.Target.Case != "" && !opened[st.Target.Case] {
				r.Fail(n, join(p, "target.case"), "scenario.case_has_not_been_applied_for_2", st.Target.Case)
			}
			filed[st.Complaint] = true
			continue
		}
		if !ok || st.Case == "" {
			continue
		}
		switch {
		case st.Do == "apply" && opened[st.Case]:
			r.Fail(n, join(p, "case"), "scenario.case_was_applied_for_above_already", st.Case)
		case st.Do != "apply" && !opened[st.Case]:
			r.Fail(n, join(p, "case"), "scenario.case_has_not_been_applied_for", st.Case)
		}
		if st.Do == "apply" {
			opened[st.Case] = true
			if st.Item != "" && len(s.Items) > 0 && !slices.ContainsFunc(s.Items, func(it Item) bool { return it.Code == st.Item }) {
				r.Fail(n, join(p, "item"), "scenario.item_is_not_declared_in_items", st.Item)
			}
		}
	}
}

// target reads a complaint's target: exactly one of unit (a code), staff
// (a demo login or a staff member's name), case (the scenario's name for
// a case) and item (a code).
func (r *reader) target(n *yaml.Node, path string) *Target {
	t := &Target{}
	r.Mapping(n, path,
		yamlread.Key{Name: "unit", Required: false, Read: func(v *yaml.Node, p string) { t.Unit = r.unit(v, p) }},
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
			r.Fail(n, path, "scenario.a_target_has_exactly_one_of")
		}
	}
	return t
}

// ground reads one of P2's seven grounds, by its key or Chinese name.
func (r *reader) ground(n *yaml.Node, path string) string {
	s := strings.TrimSpace(r.Text(n, path))
	g, err := complaint.ParseGround(path, s)
	if err != nil && s != "" {
		var keys []string
		for _, g := range complaint.Grounds {
			keys = append(keys, string(g))
		}
		r.Fail(n, path, "scenario.ground_is_not_one_of_the", s, strings.Join(keys, ", "))
	}
	return string(g)
}

// complainant reads {name, phone}; none: anonymous.
func (r *reader) complainant(n *yaml.Node, path string) *Complainant {
	c := &Complainant{}
	r.Mapping(n, path, textKey(r, "name", false, &c.Name), textKey(r, "phone", false, &c.Phone))
	return c
}

// IsComplaintAction reports whether do is a complaint's action (its step
// names a complaint, not a case).
func IsComplaintAction(do string) bool {
	a, ok := actionOf(do)
	return ok && a.complaint
}
