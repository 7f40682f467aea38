package web

import (
	"errors"
	"fmt"
	"html/template"
	"io"
	"strings"
	"text/template/parse"
)

// Pre-translated templates (issue #4: an uncached item page spent half its
// CPU in html/template, much of it on {{.T "key"}}: a method found by
// reflection, called with a copy of the View, then an escaper called by
// reflection, some fifty times a page). A message with a constant key and no
// arguments is the same text on every execution in a given language, so at
// start each page's set is cloned once per language and every such action
// becomes literal text: the message as html/template itself escapes it in
// that action's context. Only contexts whose escaping is one known function
// qualify (HTML text, a quoted attribute value, RCDATA such as <title>), and
// only in templates html/template escapes in place, i.e. never reached from
// another context (a template called inside an attribute or <title> is
// escaped as a derived copy, so its actions stay dynamic). Everything else —
// calls with arguments, keys computed at run time, any other context — stays
// a dynamic, escaped {{.T}} call. Dynamic data is escaped exactly as before.

// literalEscapers are the escapers an action's constant message may be
// resolved with at start, each with a probe: markup around {{.}} that puts
// the probe's action in the same context, so html/template escapes the text
// there (checked: the probe's action must get exactly that escaper).
var literalEscapers = map[string][2]string{
	"_html_template_htmlescaper":   {"", ""},
	"_html_template_attrescaper":   {`<p title="`, `">`},
	"_html_template_rcdataescaper": {"<title>", "</title>"},
}

// tAction is a constant message action's place: the template defining it
// and its offset in the template's source.
type tAction struct {
	template string
	pos      parse.Pos
}

// translateTemplates returns the pages once per language with their constant
// messages as text.
func translateTemplates(pages map[string]*pageTemplate, cat catalogue) (map[string]map[string]*pageTemplate, error) {
	out := map[string]map[string]*pageTemplate{}
	for _, lang := range Langs {
		out[lang] = map[string]*pageTemplate{}
	}
	esc := escapeCache{}
	for name, t := range pages {
		escapers, err := messageEscapers(t)
		if err != nil {
			return nil, fmt.Errorf("web: translate %s: %w", name, err)
		}
		for _, lang := range Langs {
			c, err := t.Clone() // copies the parse trees: rewriting one leaves t as it is
			if err != nil {
				return nil, fmt.Errorf("web: translate %s: %w", name, err)
			}
			for _, tt := range c.Templates() {
				if tt.Tree == nil || tt.Tree.Root == nil {
					continue
				}
				err := literalise(tt.Tree.Root, func(a *parse.ActionNode, key string) (parse.Node, error) {
					e, ok := escapers[tAction{tt.Name(), a.Pos}]
					if !ok {
						return a, nil
					}
					text, err := esc.escape(e, cat.text(lang, key))
					if err != nil {
						return nil, err
					}
					return &parse.TextNode{NodeType: parse.NodeText, Pos: a.Pos, Text: []byte(text)}, nil
				})
				if err != nil {
					return nil, fmt.Errorf("web: translate %s: %w", name, err)
				}
			}
			out[lang][name] = c
		}
	}
	return out, nil
}

// constantMessage reports whether a is {{.T "key"}} or {{$.T "key"}}: one
// command, no variables, no arguments but the key.
func constantMessage(a *parse.ActionNode) (string, bool) {
	p := a.Pipe
	if p == nil || len(p.Decl) > 0 || len(p.Cmds) == 0 {
		return "", false
	}
	args := p.Cmds[0].Args
	if len(args) != 2 || !isT(args[0]) {
		return "", false
	}
	s, ok := args[1].(*parse.StringNode)
	if !ok {
		return "", false
	}
	return s.Text, true
}

// isT reports whether n names View.T: .T, or $.T inside range and with.
func isT(n parse.Node) bool {
	switch n := n.(type) {
	case *parse.FieldNode:
		return len(n.Ident) == 1 && n.Ident[0] == "T"
	case *parse.VariableNode:
		return len(n.Ident) == 2 && n.Ident[0] == "$" && n.Ident[1] == "T"
	}
	return false
}

// literalise walks a template's nodes and replaces each constant message
// action by what repl returns for it.
func literalise(list *parse.ListNode, repl func(*parse.ActionNode, string) (parse.Node, error)) error {
	if list == nil {
		return nil
	}
	for i, n := range list.Nodes {
		var err error
		switch n := n.(type) {
		case *parse.ActionNode:
			if key, ok := constantMessage(n); ok {
				list.Nodes[i], err = repl(n, key)
			}
		case *parse.IfNode:
			err = errors.Join(literalise(n.List, repl), literalise(n.ElseList, repl))
		case *parse.RangeNode:
			err = errors.Join(literalise(n.List, repl), literalise(n.ElseList, repl))
		case *parse.WithNode:
			err = errors.Join(literalise(n.List, repl), literalise(n.ElseList, repl))
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// messageEscapers escapes a copy of t (as its first execution would) and
// returns, for each constant message action that may become text, the one
// escaper html/template gave it. Actions in templates not escaped in place
// are left out.
func messageEscapers(t *pageTemplate) (map[tAction]string, error) {
	c, err := t.Clone()
	if err != nil {
		return nil, err
	}
	// Executing escapes "layout" and every template it reaches; the zero
	// View may fail to execute, but an escaping error fails here.
	if err := c.ExecuteTemplate(io.Discard, "layout", View{}); err != nil {
		var e *template.Error
		if errors.As(err, &e) {
			return nil, err
		}
	}
	// A template is escaped in place when reached from "layout" through
	// calls in HTML text; a call in another context names a derived copy
	// ("name$htmltemplate_…"), and calls written in a template that is not
	// escaped in place cannot be seen escaped at all: such callees are out.
	calls := map[string][]string{}
	for _, tt := range c.Templates() {
		if tt.Tree != nil {
			calls[tt.Name()] = templateCalls(tt.Tree.Root, nil)
		}
	}
	inPlace := map[string]bool{}
	var reach func(string)
	reach = func(name string) {
		if inPlace[name] {
			return
		}
		inPlace[name] = true
		for _, callee := range calls[name] {
			if !strings.Contains(callee, "$htmltemplate_") {
				reach(callee)
			}
		}
	}
	reach("layout")
	out := map[tAction]string{}
	for name := range inPlace {
		tt := c.Lookup(name)
		if tt == nil || tt.Tree == nil {
			continue
		}
		_ = literalise(tt.Tree.Root, func(a *parse.ActionNode, _ string) (parse.Node, error) {
			if e := escaperNames(a.Pipe); len(e) == 1 {
				if _, ok := literalEscapers[e[0]]; ok {
					out[tAction{name, a.Pos}] = e[0]
				}
			}
			return a, nil
		})
	}
	for caller, callees := range calls {
		for _, callee := range callees {
			if base, _, derived := strings.Cut(callee, "$htmltemplate_"); derived || !inPlace[caller] {
				for k := range out {
					if k.template == base {
						delete(out, k)
					}
				}
			}
		}
	}
	return out, nil
}

// escaperNames lists the escapers html/template appended to an escaped
// action: the commands after the first that name an _html_template_ func.
func escaperNames(p *parse.PipeNode) []string {
	var out []string
	for _, c := range p.Cmds[1:] {
		if len(c.Args) != 1 {
			return nil
		}
		id, ok := c.Args[0].(*parse.IdentifierNode)
		if !ok || !strings.HasPrefix(id.Ident, "_html_template_") {
			return nil
		}
		out = append(out, id.Ident)
	}
	return out
}

// templateCalls lists the names of the templates a list calls.
func templateCalls(n parse.Node, out []string) []string {
	switch n := n.(type) {
	case *parse.ListNode:
		if n != nil {
			for _, c := range n.Nodes {
				out = templateCalls(c, out)
			}
		}
	case *parse.TemplateNode:
		out = append(out, n.Name)
	case *parse.IfNode:
		out = templateCalls(n.ElseList, templateCalls(n.List, out))
	case *parse.RangeNode:
		out = templateCalls(n.ElseList, templateCalls(n.List, out))
	case *parse.WithNode:
		out = templateCalls(n.ElseList, templateCalls(n.List, out))
	}
	return out
}

// escapeCache escapes text as html/template does in a probe's context.
type escapeCache map[[2]string]string

func (c escapeCache) escape(escaper, text string) (string, error) {
	if s, ok := c[[2]string{escaper, text}]; ok {
		return s, nil
	}
	probe, ok := literalEscapers[escaper]
	if !ok {
		return "", fmt.Errorf("no probe for %s", escaper)
	}
	t, err := template.New("probe").Parse(probe[0] + "{{.}}" + probe[1])
	if err != nil {
		return "", err
	}
	var b strings.Builder
	if err := t.Execute(&b, text); err != nil {
		return "", err
	}
	var got []string
	for _, n := range t.Tree.Root.Nodes {
		if a, ok := n.(*parse.ActionNode); ok {
			got = escaperNames(a.Pipe)
		}
	}
	if len(got) != 1 || got[0] != escaper {
		return "", fmt.Errorf("probe for %s escaped with %v", escaper, got)
	}
	s, ok := strings.CutPrefix(b.String(), probe[0])
	if ok {
		s, ok = strings.CutSuffix(s, probe[1])
	}
	if !ok {
		return "", fmt.Errorf("probe for %s: unexpected output %q", escaper, b.String())
	}
	c[[2]string{escaper, text}] = s
	return s, nil
}
