package supervise

import (
	"cmp"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/qingdan/qingdan/internal/calendar"
	"github.com/qingdan/qingdan/internal/msg"
	"github.com/qingdan/qingdan/internal/yamlread"
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
	root, err := yamlread.Document(data)
	if err != nil {
		return RuleSet{}, err
	}
	r := yamlread.New(yamlread.Format{MaxErrors: MaxErrors})
	rs := ReadWith(r, root, "")
	if r.Failed() {
		return RuleSet{}, r.List()
	}
	return rs, nil
}

// ReadWith reads a rule set from a node of a larger document (a scenario's
// rules key, docs/SCENARIOS.md) with that document's reader, which
// collects the mistakes, named by path under prefix.
func ReadWith(yr *yamlread.Reader, n *yaml.Node, prefix string) RuleSet {
	r := &reader{yr}
	return r.set(n, prefix)
}

// reader reads rules with the kernel of the YAML formats.
type reader struct{ *yamlread.Reader }

var join = yamlread.Join

// text reads a text, trimmed.
func (r *reader) text(n *yaml.Node, path string) string { return strings.TrimSpace(r.Text(n, path)) }

// oneOf reads a value that must be one of known; what is the message key
// naming what the value is.
func oneOf[T ~string](r *reader, n *yaml.Node, path, what string, known []T) T {
	v := T(r.text(n, path))
	if v != "" && !slices.Contains(known, v) {
		var list []string
		for _, k := range known {
			list = append(list, string(k))
		}
		r.Fail(n, path, "supervise.unknown_known", msg.M(what), v, strings.Join(list, ", "))
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
	r.Mapping(n, prefix,
		yamlread.Key{Name: "region", Required: false, Read: func(v *yaml.Node, p string) {
			if rs.Region = r.text(v, p); rs.Region != "" && !regionCode.MatchString(rs.Region) {
				r.Fail(v, p, "supervise.region_must_be_a_division_code", rs.Region)
			}
		}},

		yamlread.Key{Name: "version", Required: true, Read: func(v *yaml.Node, p string) { rs.Version = r.Number(v, p, 1, 1<<30) }},
		yamlread.Key{Name: "rules", Required: true, Read: func(v *yaml.Node, _ string) { rules = v }},
	)
	if rules == nil {
		return rs
	}
	path := join(prefix, "rules")
	if rules.Kind != yaml.SequenceNode {
		r.WrongType(rules, path, "yamlread.a_list")
		return rs
	}
	if len(rules.Content) > MaxRules {
		r.Fail(rules, path, "supervise.more_than_rules", MaxRules)
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
			r.Fail(rn, join(p, "id"), "supervise.rule_appears_twice_first_on_line", rule.ID, line)
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
	given := r.Mapping(n, path,
		yamlread.Key{Name: "id", Required: true, Read: func(v *yaml.Node, p string) {
			idN = v
			if ru.ID = r.text(v, p); ru.ID != "" && (!ruleID.MatchString(ru.ID) || len(ru.ID) > 64) {
				r.Fail(v, p, "supervise.rule_id_is_invalid_lower_case", ru.ID)
			}
		}},

		yamlread.Key{Name: "name", Required: false, Read: func(v *yaml.Node, p string) { ru.Name = r.name(v, p) }},
		yamlread.Key{Name: "watch", Required: false, Read: func(v *yaml.Node, p string) {
			ru.Watch = oneOf(r, v, p, "supervise.watch", Watches())
		}},

		yamlread.Key{Name: "of", Required: false, Read: func(v *yaml.Node, p string) { ofN, ru.Of = v, oneOf(r, v, p, "supervise.kind", publicationKinds) }},
		yamlread.Key{Name: "level", Required: false, Read: func(v *yaml.Node, p string) { levelN, ru.Level = v, oneOf(r, v, p, "supervise.level", levels) }},
		yamlread.Key{Name: "limit", Required: false, Read: func(v *yaml.Node, p string) { limitN, ru.Limit = v, r.budget(v, p, 1) }},
		yamlread.Key{Name: "before", Required: false, Read: func(v *yaml.Node, p string) { beforeN, ru.When.Before = v, ptr(r.budget(v, p, 1)) }},
		yamlread.Key{Name: "after", Required: false, Read: func(v *yaml.Node, p string) { afterN, ru.When.After = v, ptr(r.budget(v, p, 0)) }},
		yamlread.Key{Name: "share", Required: false, Read: func(v *yaml.Node, p string) { shareN, ru.When.Share = v, r.share(v, p) }},
		yamlread.Key{Name: "rounds", Required: false, Read: func(v *yaml.Node, p string) { roundsN, ru.Rounds = v, r.Number(v, p, 1, 100) }},
		yamlread.Key{Name: "notify", Required: false, Read: func(v *yaml.Node, p string) { ru.Notify = r.audiences(v, p) }},
		yamlread.Key{Name: "off", Required: false, Read: func(v *yaml.Node, p string) { offN, ru.Off = v, r.Bool(v, p) }},
	).Given
	if n.Kind != yaml.MappingNode {
		return ru
	}
	if ru.Off {
		// A rule switched off says only which.
		for _, k := range given {
			if k != "id" && k != "off" {
				r.Fail(n, join(path, k), "supervise.a_rule_switched_off_has_only", k)
			}
		}
		return ru
	}
	if offN != nil && idN != nil && len(given) == 2 {
		// off: false and nothing else: not a rule.
		r.Fail(n, path, "supervise.the_rule_lacks_watch_level_and")
		return ru
	}
	for _, k := range []string{"watch", "level", "notify"} {
		if !slices.Contains(given, k) {
			r.Fail(n, join(path, k), "supervise.missing_required_key", k)
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
		r.Fail(n, join(path, "limit"), "supervise.watch_needs_a_limit", ru.Watch)
	case !needsLimit && limitN != nil && info.ownLimit:
		r.Fail(limitN, join(path, "limit"), "supervise.watch_takes_its_limit_from_the", ru.Watch)
	case !needsLimit && limitN != nil:
		r.Fail(limitN, join(path, "limit"), "supervise.watch_takes_no_limit", ru.Watch)
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
		r.Fail(n, path, "supervise.a_time_rule_needs_one_of")
	case info.time && forms > 1:
		r.Fail(at(shareN), path, "supervise.only_one_of_before_after_and")
	case !info.time && forms > 0:
		r.Fail(at(first), path, "supervise.watch_is_judged_on_events_no", ru.Watch)
	}
	if ru.Watch == WatchSupplement && roundsN == nil {
		r.Fail(n, join(path, "rounds"), "supervise.watch_supplement_rounds_needs_rounds_the")
	}
	if ru.Watch != WatchSupplement && roundsN != nil {
		r.Fail(roundsN, join(path, "rounds"), "supervise.only_supplement_rounds_takes_rounds")
	}
	if ofN != nil && ru.Watch != WatchPublication {
		r.Fail(ofN, join(path, "of"), "supervise.only_publication_takes_of")
	}
	if ru.Level == Reminder && !info.time && levelN != nil {
		r.Fail(levelN, join(path, "level"), "supervise.an_event_rule_s_level_is")
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
	r.Mapping(n, path,
		yamlread.Key{Name: "zh", Required: true, Read: func(v *yaml.Node, p string) { t.Zh = r.text(v, p) }},
		yamlread.Key{Name: "en", Required: false, Read: func(v *yaml.Node, p string) { t.En = r.text(v, p) }},
	)
	return t
}

// budget reads {n, unit} with n at least lo.
func (r *reader) budget(n *yaml.Node, path string, lo int) calendar.Budget {
	var b calendar.Budget
	r.Mapping(n, path,
		yamlread.Key{Name: "n", Required: true, Read: func(v *yaml.Node, p string) { b.N = r.Number(v, p, lo, maxUnits) }},
		yamlread.Key{Name: "unit", Required: true, Read: func(v *yaml.Node, p string) { b.Unit = oneOf(r, v, p, "supervise.unit", thresholdUnits) }},
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
		r.Fail(n, path, "supervise.share_is_invalid_a_number_above", s)
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
			r.Fail(n, path, "supervise.at_least_one_audience")
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
			r.Fail(c, p, "supervise.audience_appears_twice", a)
			continue
		}
		out = append(out, a)
	}
	return out
}
