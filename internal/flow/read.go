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
	p.pos[""] = posOf(root)
	m := p.mapping(root, "")
	if m == nil {
		return f
	}
	f.Code = p.id(m.need("code"), "code")
	if n := m.need("version"); n != nil {
		if f.Version = p.integer(n, "version"); n.ShortTag() == "!!int" && (f.Version < 1 || f.Version > maxLimit) {
			p.errAt(posOf(n), "version", "flow.the_version_must_be_1", maxLimit)
		}
	}
	f.Name = p.text(m.need("name"), "name")
	f.Kind = oneOf(p, m.need("kind"), "kind", kinds, "flow.flow_kind")
	for i, n := range p.sequence(m.need("steps"), "steps") {
		f.Steps = append(f.Steps, p.step(n, index("steps", i)))
	}
	for i, n := range p.sequence(m.need("outcomes"), "outcomes") {
		f.Outcomes = append(f.Outcomes, p.outcome(n, index("outcomes", i)))
	}
	for i, n := range p.sequence(m.need("actions"), "actions") {
		f.Actions = append(f.Actions, p.action(n, index("actions", i)))
	}
	m.close()
	return f
}

func (p *parser) step(n *yaml.Node, path string) Step {
	m := p.mapping(n, path)
	if m == nil {
		return Step{}
	}
	s := Step{
		ID:       p.id(m.need("id"), join(path, "id")),
		Name:     p.text(m.need("name"), join(path, "name")),
		Role:     p.role(m.need("role"), join(path, "role")),
		Limit:    p.limit(m.get("limit"), join(path, "limit")),
		Optional: p.boolean(m.get("optional"), join(path, "optional")),
		Level:    Own,
		Status:   oneOf(p, m.need("status"), join(path, "status"), statuses, "flow.public_status"),
	}
	if l := m.get("level"); l != nil {
		s.Level = oneOf(p, l, join(path, "level"), levels, "flow.level")
	}
	if sp := m.get("special"); sp != nil {
		s.Special = p.special(sp, join(path, "special"))
	}
	for i, r := range p.sequence(m.get("risks"), join(path, "risks")) {
		s.Risks = append(s.Risks, p.risk(r, index(join(path, "risks"), i)))
	}
	for i, c := range p.sequence(m.get("checks"), join(path, "checks")) {
		s.Checks = append(s.Checks, p.check(c, index(join(path, "checks"), i)))
	}
	m.close()
	return s
}

func (p *parser) special(n *yaml.Node, path string) *Special {
	m := p.mapping(n, path)
	if m == nil {
		return &Special{}
	}
	s := &Special{
		Kind:     oneOf(p, m.need("kind"), join(path, "kind"), specialKinds, "flow.special_procedure_kind"),
		Approver: p.role(m.need("approver"), join(path, "approver")),
	}
	if mx := m.need("max"); mx != nil {
		s.Max = p.limit(mx, join(path, "max"))
	}
	m.close()
	return s
}

func (p *parser) risk(n *yaml.Node, path string) RiskPoint {
	m := p.mapping(n, path)
	if m == nil {
		return RiskPoint{}
	}
	r := RiskPoint{
		Level:       oneOf(p, m.need("level"), join(path, "level"), riskLevels, "flow.risk_level"),
		Description: p.str(m.need("description"), join(path, "description")),
		Control:     p.str(m.need("control"), join(path, "control")),
	}
	m.close()
	return r
}

func (p *parser) check(n *yaml.Node, path string) SupervisionPoint {
	m := p.mapping(n, path)
	if m == nil {
		return SupervisionPoint{}
	}
	c := SupervisionPoint{
		Kind:        oneOf(p, m.need("kind"), join(path, "kind"), p.opt.Checks, "flow.supervision_check"),
		Description: p.str(m.need("description"), join(path, "description")),
	}
	m.close()
	return c
}

func (p *parser) outcome(n *yaml.Node, path string) Outcome {
	m := p.mapping(n, path)
	if m == nil {
		return Outcome{}
	}
	o := Outcome{
		ID:     p.id(m.need("id"), join(path, "id")),
		Name:   p.text(m.need("name"), join(path, "name")),
		Status: oneOf(p, m.need("status"), join(path, "status"), statuses, "flow.public_status"),
	}
	m.close()
	return o
}

func (p *parser) action(n *yaml.Node, path string) Action {
	m := p.mapping(n, path)
	if m == nil {
		return Action{}
	}
	a := Action{
		ID:    p.id(m.need("id"), join(path, "id")),
		Name:  p.text(m.need("name"), join(path, "name")),
		Start: p.boolean(m.get("start"), join(path, "start")),
		From:  p.list(m.get("from"), join(path, "from"), p.id),
		To:    p.id(m.need("to"), join(path, "to")),
		Roles: p.list(m.need("roles"), join(path, "roles"), p.role),
	}
	if n := m.vals["roles"]; n != nil && n.Kind == yaml.SequenceNode && len(n.Content) == 0 {
		p.missing(m.node, join(path, "roles"))
	}
	a.Fields = p.list(m.get("fields"), join(path, "fields"), p.id)
	if c := m.get("choices"); c != nil {
		a.Choices = p.choices(c, join(path, "choices"))
	}
	for i, g := range p.list(m.get("guards"), join(path, "guards"), p.str) {
		gp := index(join(path, "guards"), i)
		guard, err := ParseGuard(g)
		if err != nil {
			if g != "" {
				p.add(gp, "flow.guard_is_invalid_write_name_name", g)
			}
			continue
		}
		a.Guards = append(a.Guards, guard)
	}
	if c := m.get("clock"); c != nil {
		a.Clock = oneOf(p, c, join(path, "clock"), clockEffects, "flow.clock_effect")
	}
	m.close()
	return a
}

// list reads a list of texts with item, one text standing for a list of one.
func (p *parser) list(n *yaml.Node, path string, item func(*yaml.Node, string) string) []string {
	if n == nil {
		return nil
	}
	if n.Kind == yaml.ScalarNode {
		p.pos[index(path, 0)] = posOf(n)
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
	m := p.mapping(n, path)
	if m == nil {
		return nil
	}
	out := map[string][]string{}
	for field, v := range m.vals {
		fp := join(path, field)
		if !validID(field) {
			p.add(fp, "flow.field_name_is_invalid_it_must", field)
			continue
		}
		vals := p.list(v, fp, p.str)
		if len(vals) == 0 {
			p.add(fp, "flow.the_choices_of_field_must_not", field)
		}
		for i, s := range vals {
			if strings.TrimSpace(s) != s || slices.Contains(vals[:i], s) {
				p.add(index(fp, i), "flow.choice_is_repeated_or_has_spaces", s)
			}
		}
		out[field] = vals
	}
	if len(out) == 0 {
		return nil // "choices: {}" says nothing: one spelling for none
	}
	return out
}
