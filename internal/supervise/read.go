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
	"github.com/qingdan/qingdan/internal/msg"
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

// fail records a mistake about path at node n: message key with its args.
func (r *reader) fail(n *yaml.Node, path, key string, args ...any) {
	field := fmt.Sprintf("line %d, column %d", n.Line, n.Column)
	if path != "" {
		field += ": " + path
	}
	r.errs = append(r.errs, located{n.Line, n.Column, apperr.New(apperr.Invalid, field, key, args...)})
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
			out = append(out, apperr.New(apperr.Invalid, e.err.Field, "supervise.more_than_mistakes_the_rest_are", MaxErrors))
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
		r.wrongType(n, path, "supervise.a_mapping_key_value")
		return nil
	}
	var written, given []string
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		kp := join(path, k.Value)
		j := slices.IndexFunc(keys, func(x key) bool { return x.name == k.Value })
		switch {
		case k.Kind != yaml.ScalarNode:
			r.fail(k, path, "supervise.a_key_must_be_plain_text")
		case slices.Contains(written, k.Value):
			r.fail(k, kp, "supervise.key_appears_twice", k.Value)
		case j < 0:
			var known []string
			for _, x := range keys {
				known = append(known, x.name)
			}
			r.fail(k, kp, "supervise.unknown_key_known_keys", k.Value, strings.Join(known, ", "))
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
			r.fail(n, join(path, k.name), "supervise.missing_required_key", k.name)
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

// wrongType records a value of the wrong type; want is the message key of
// what it must be.
func (r *reader) wrongType(n *yaml.Node, path, want string) {
	if path == "" {
		r.fail(n, path, "supervise.the_file_must_be", msg.M(want))
		return
	}
	r.fail(n, path, "supervise.the_value_of_must_be", last(path), msg.M(want))
}

func (r *reader) text(n *yaml.Node, path string) string {
	if n.Kind != yaml.ScalarNode {
		r.wrongType(n, path, "supervise.text")
		return ""
	}
	s := strings.TrimSpace(n.Value)
	if s == "" {
		r.fail(n, path, "supervise.must_not_be_blank", last(path))
	}
	return s
}

func (r *reader) number(n *yaml.Node, path string, lo, hi int) int {
	var v int
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!int" || n.Decode(&v) != nil {
		r.wrongType(n, path, "supervise.a_whole_number")
		return 0
	}
	if v < lo || v > hi {
		r.fail(n, path, "supervise.the_number_must_be_not", lo, hi, v)
	}
	return v
}

func (r *reader) boolean(n *yaml.Node, path string) bool {
	var v bool
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!bool" || n.Decode(&v) != nil {
		r.wrongType(n, path, "supervise.true_or_false")
	}
	return v
}

// oneOf reads a value that must be one of known; what is the message key
// naming what the value is.
func oneOf[T ~string](r *reader, n *yaml.Node, path, what string, known []T) T {
	v := T(r.text(n, path))
	if v != "" && !slices.Contains(known, v) {
		var list []string
		for _, k := range known {
			list = append(list, string(k))
		}
		r.fail(n, path, "supervise.unknown_known", msg.M(what), v, strings.Join(list, ", "))
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
				r.fail(v, p, "supervise.region_must_be_a_division_code", rs.Region)
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
		r.wrongType(rules, path, "supervise.a_list")
		return rs
	}
	if len(rules.Content) > MaxRules {
		r.fail(rules, path, "supervise.more_than_rules", MaxRules)
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
			r.fail(rn, join(p, "id"), "supervise.rule_appears_twice_first_on_line", rule.ID, line)
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
				r.fail(v, p, "supervise.rule_id_is_invalid_lower_case", ru.ID)
			}
		}},
		key{"name", false, func(v *yaml.Node, p string) { ru.Name = r.name(v, p) }},
		key{"watch", false, func(v *yaml.Node, p string) {
			ru.Watch = oneOf(r, v, p, "supervise.watch", Watches())
		}},
		key{"of", false, func(v *yaml.Node, p string) { ofN, ru.Of = v, oneOf(r, v, p, "supervise.kind", publicationKinds) }},
		key{"level", false, func(v *yaml.Node, p string) { levelN, ru.Level = v, oneOf(r, v, p, "supervise.level", levels) }},
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
				r.fail(n, join(path, k), "supervise.a_rule_switched_off_has_only", k)
			}
		}
		return ru
	}
	if offN != nil && idN != nil && len(given) == 2 {
		// off: false and nothing else: not a rule.
		r.fail(n, path, "supervise.the_rule_lacks_watch_level_and")
		return ru
	}
	for _, k := range []string{"watch", "level", "notify"} {
		if !slices.Contains(given, k) {
			r.fail(n, join(path, k), "supervise.missing_required_key", k)
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
		r.fail(n, join(path, "limit"), "supervise.watch_needs_a_limit", ru.Watch)
	case !needsLimit && limitN != nil && info.ownLimit:
		r.fail(limitN, join(path, "limit"), "supervise.watch_takes_its_limit_from_the", ru.Watch)
	case !needsLimit && limitN != nil:
		r.fail(limitN, join(path, "limit"), "supervise.watch_takes_no_limit", ru.Watch)
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
		r.fail(n, path, "supervise.a_time_rule_needs_one_of")
	case info.time && forms > 1:
		r.fail(at(shareN), path, "supervise.only_one_of_before_after_and")
	case !info.time && forms > 0:
		r.fail(at(first), path, "supervise.watch_is_judged_on_events_no", ru.Watch)
	}
	if ru.Watch == WatchSupplement && roundsN == nil {
		r.fail(n, join(path, "rounds"), "supervise.watch_supplement_rounds_needs_rounds_the")
	}
	if ru.Watch != WatchSupplement && roundsN != nil {
		r.fail(roundsN, join(path, "rounds"), "supervise.only_supplement_rounds_takes_rounds")
	}
	if ofN != nil && ru.Watch != WatchPublication {
		r.fail(ofN, join(path, "of"), "supervise.only_publication_takes_of")
	}
	if ru.Level == Reminder && !info.time && levelN != nil {
		r.fail(levelN, join(path, "level"), "supervise.an_event_rule_s_level_is")
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
		key{"unit", true, func(v *yaml.Node, p string) { b.Unit = oneOf(r, v, p, "supervise.unit", thresholdUnits) }},
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
		r.fail(n, path, "supervise.share_is_invalid_a_number_above", s)
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
			r.fail(n, path, "supervise.at_least_one_audience")
		}
	}
	var out []Audience
	for i, c := range items {
		p := path
		if n.Kind == yaml.SequenceNode {
			p = fmt.Sprintf("%s[%d]", path, i)
		}
		a := oneOf(r, c, p, "supervise.audience", audiences)
		if a != "" && slices.Contains(out, a) {
			r.fail(c, p, "supervise.audience_appears_twice", a)
			continue
		}
		out = append(out, a)
	}
	return out
}
