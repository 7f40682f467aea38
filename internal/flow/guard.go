package flow

import (
	"fmt"
	"strings"
)

// Input is what an actor submits with an action — form fields such as
// reason, basis, outcome — together with facts the case layer works out,
// such as materials_complete ("true" when every required material of the
// item is in).
type Input map[string]string

// given reports whether field is present and not blank.
func (in Input) given(field string) bool { return strings.TrimSpace(in[field]) != "" }

// GuardOp is how a guard tests its field.
type GuardOp string

const (
	IsTrue   GuardOp = ""   // name: the field is "true"
	NotTrue  GuardOp = "!"  // !name: the field is not "true" (absent counts)
	Equal    GuardOp = "==" // name == value
	NotEqual GuardOp = "!=" // name != value
)

// Guard is a condition on an action's input, written as text in a flow
// file: "materials_complete", "!materials_complete", "outcome == approved",
// "outcome != approved".
type Guard struct {
	Field string
	Op    GuardOp
	Value string
}

// ParseGuard reads a guard's text.
func ParseGuard(s string) (Guard, error) {
	s = strings.TrimSpace(s)
	for _, op := range []GuardOp{Equal, NotEqual} {
		if l, r, ok := strings.Cut(s, string(op)); ok {
			g := Guard{Field: strings.TrimSpace(l), Op: op, Value: strings.TrimSpace(r)}
			if !validID(g.Field) || g.Value == "" || strings.ContainsAny(g.Value, " \t\r\n\"'") {
				return Guard{}, errGuard(s)
			}
			return g, nil
		}
	}
	g := Guard{Field: s, Op: IsTrue}
	if name, ok := strings.CutPrefix(s, "!"); ok {
		g = Guard{Field: strings.TrimSpace(name), Op: NotTrue}
	}
	if !validID(g.Field) {
		return Guard{}, errGuard(s)
	}
	return g, nil
}

func errGuard(s string) error {
	return fmt.Errorf("guard %q is not name, !name, name == value or name != value", s)
}

// String renders the guard as written in a flow file.
func (g Guard) String() string {
	switch g.Op {
	case IsTrue:
		return g.Field
	case NotTrue:
		return "!" + g.Field
	}
	return g.Field + " " + string(g.Op) + " " + g.Value
}

// MarshalText writes the guard's text (the canonical encoding).
func (g Guard) MarshalText() ([]byte, error) { return []byte(g.String()), nil }

// UnmarshalText reads a guard's text.
func (g *Guard) UnmarshalText(b []byte) error {
	v, err := ParseGuard(string(b))
	if err != nil {
		return err
	}
	*g = v
	return nil
}

// Holds reports whether the guard holds on in.
func (g Guard) Holds(in Input) bool {
	v := strings.TrimSpace(in[g.Field])
	switch g.Op {
	case IsTrue:
		return v == "true"
	case NotTrue:
		return v != "true"
	case Equal:
		return v == g.Value
	default:
		return v != g.Value
	}
}

// validID reports whether s is an identifier of a flow file: a lower-case
// letter, then lower-case letters, digits and underscores. Ids appear in
// guards, URLs, scenario files and the diagram, so they are kept plain.
func validID(s string) bool {
	if s == "" || len(s) > 64 || s[0] < 'a' || s[0] > 'z' {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}
