package flow

import (
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// This file reads a flow's node tree into a Flow, key by key; validate.go
// then checks how the parts fit together.

func (p *parser) flow(root *yaml.Node) *Flow {
	f := &Flow{}
	p.Note("", root)
	m := p.Open(root, "")
	if m == nil {
		return f
	}
	f.Code = p.id(m.Need("code"), "code")
	if n := m.Need("version"); n != nil {
		if f.Version = p.integer(n, "version"); n.ShortTag() == "!!int" && (f.Version < 1 || f.Version > maxLimit) {
			p.Fail(n, "version", "flow.the_version_must_be_1", maxLimit)
		}
	}
	f.Name = p.text(m.Need("name"), "name")
	f.Kind = oneOf(p, m.Need("kind"), "kind", kinds, "flow.flow_kind")
	for i, n := range p.sequence(m.Need("steps"), "steps") {
		f.Steps = append(f.Steps, p.step(n, index("steps", i)))
	}
	for i, n := range p.sequence(m.Need("outcomes"), "outcomes") {
		f.Outcomes = append(f.Outcomes, p.outcome(n, index("outcomes", i)))
	}
	for i, n := range p.sequence(m.Need("actions"), "actions") {
		f.Actions = append(f.Actions, p.action(n, index("actions", i)))
	}
	m.Close()
	return f
}

func (p *parser) step(n *yaml.Node, path string) Step {
	m := p.Open(n, path)
	if m == nil {
		return Step{}
	}
	s := Step{
		ID:       p.id(m.Need("id"), join(path, "id")),
		Name:     p.text(m.Need("name"), join(path, "name")),
		Role:     p.role(m.Need("role"), join(path, "role")),
		Limit:    p.limit(m.Get("limit"), join(path, "limit")),
		Optional: p.boolean(m.Get("optional"), join(path, "optional")),
		Level:    Own,
		Status:   oneOf(p, m.Need("status"), join(path, "status"), statuses, "flow.public_status"),
	}
	if l := m.Get("level"); l != nil {
		s.Level = oneOf(p, l, join(path, "level"), levels, "flow.level")
	}
	if sp := m.Get("special"); sp != nil {
		s.Special = p.special(sp, join(path, "special"))
	}
	for i, r := range p.sequence(m.Get("risks"), join(path, "risks")) {
		s.Risks = append(s.Risks, p.risk(r, index(join(path, "risks"), i)))
	}
	for i, c := range p.sequence(m.Get("checks"), join(path, "checks")) {
		s.Checks = append(s.Checks, p.check(c, index(join(path, "checks"), i)))
	}
	m.Close()
	return s
}

func (p *parser) special(n *yaml.Node, path string) *Special {
	m := p.Open(n, path)
	if m == nil {
		return &Special{}
	}
	s := &Special{
		Kind:     oneOf(p, m.Need("kind"), join(path, "kind"), specialKinds, "flow.special_procedure_kind"),
		Approver: p.role(m.Need("approver"), join(path, "approver")),
	}
	if mx := m.Need("max"); mx != nil {
		s.Max = p.limit(mx, join(path, "max"))
	}
	m.Close()
	return s
}

func (p *parser) risk(n *yaml.Node, path string) RiskPoint {
	m := p.Open(n, path)
	if m == nil {
		return RiskPoint{}
	}
	r := RiskPoint{
		Level:       oneOf(p, m.Need("level"), join(path, "level"), riskLevels, "flow.risk_level"),
		Description: p.str(m.Need("description"), join(path, "description")),
		Control:     p.str(m.Need("control"), join(path, "control")),
	}
	m.Close()
	return r
}

func (p *parser) check(n *yaml.Node, path string) SupervisionPoint {
	m := p.Open(n, path)
	if m == nil {
		return SupervisionPoint{}
	}
	c := SupervisionPoint{
		Kind:        oneOf(p, m.Need("kind"), join(path, "kind"), p.opt.Checks, "flow.supervision_check"),
		Description: p.str(m.Need("description"), join(path, "description")),
	}
	m.Close()
	return c
}

func (p *parser) outcome(n *yaml.Node, path string) Outcome {
	m := p.Open(n, path)
	if m == nil {
		return Outcome{}
	}
	o := Outcome{
		ID:     p.id(m.Need("id"), join(path, "id")),
		Name:   p.text(m.Need("name"), join(path, "name")),
		Status: oneOf(p, m.Need("status"), join(path, "status"), statuses, "flow.public_status"),
	}
	m.Close()
	return o
}

func (p *parser) action(n *yaml.Node, path string) Action {
	m := p.Open(n, path)
	if m == nil {
		return Action{}
	}
	a := Action{
		ID:    p.id(m.Need("id"), join(path, "id")),
		Name:  p.text(m.Need("name"), join(path, "name")),
		Start: p.boolean(m.Get("start"), join(path, "start")),
		From:  p.list(m.Get("from"), join(path, "from"), p.id),
		To:    p.id(m.Need("to"), join(path, "to")),
		Roles: p.list(m.Need("roles"), join(path, "roles"), p.role),
	}
	if n := m.Value("roles"); n != nil && n.Kind == yaml.SequenceNode && len(n.Content) == 0 {
		m.Missing("roles")
	}
	a.Fields = p.list(m.Get("fields"), join(path, "fields"), p.id)
	if c := m.Get("choices"); c != nil {
		a.Choices = p.choices(c, join(path, "choices"))
	}
	for i, g := range p.list(m.Get("guards"), join(path, "guards"), p.str) {
		gp := index(join(path, "guards"), i)
		guard, err := ParseGuard(g)
		if err != nil {
			if g != "" {
				p.Add(gp, "flow.guard_is_invalid_write_name_name", g)
			}
			continue
		}
		a.Guards = append(a.Guards, guard)
	}
	if c := m.Get("clock"); c != nil {
		a.Clock = oneOf(p, c, join(path, "clock"), clockEffects, "flow.clock_effect")
	}
	m.Close()
	return a
}

// list reads a list of texts with item, one text standing for a list of one.
func (p *parser) list(n *yaml.Node, path string, item func(*yaml.Node, string) string) []string {
	if n == nil {
		return nil
	}
	if n.Kind == yaml.ScalarNode {
		p.Note(index(path, 0), n)
		return []string{item(n, index(path, 0))}
	}
	var out []string
	for i, c := range p.sequence(n, path) {
		out = append(out, item(c, index(path, i)))
	}
	return out
}

// choices reads {field: [value, …], …}.
func (p *parser) choices(n *yaml.Node, path string) map[string][]string {
	m := p.Open(n, path)
	if m == nil {
		return nil
	}
	out := map[string][]string{}
	for field, v := range m.All() {
		fp := join(path, field)
		if !validID(field) {
			p.Add(fp, "flow.field_name_is_invalid_it_must", field)
			continue
		}
		vals := p.list(v, fp, p.str)
		if len(vals) == 0 {
			p.Add(fp, "flow.the_choices_of_field_must_not", field)
		}
		for i, s := range vals {
			if strings.TrimSpace(s) != s || slices.Contains(vals[:i], s) {
				p.Add(index(fp, i), "flow.choice_is_repeated_or_has_spaces", s)
			}
		}
		out[field] = vals
	}
	if len(out) == 0 {
		return nil // "choices: {}" says nothing: one spelling for none
	}
	return out
}
