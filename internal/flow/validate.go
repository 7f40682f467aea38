package flow

import (
	"fmt"
	"slices"
	"strings"
)

// validate checks how a read flow's parts fit together: unique ids,
// actions from and to steps that exist, the start, special procedures, and
// — when every reference resolves — that every step is reachable from the
// start and can reach a terminal outcome.
func (p *parser) validate(f *Flow) {
	ids, unique := p.uniqueIDs(f)
	refsOK := p.checkActions(f, ids)
	for i, s := range f.Steps {
		p.checkStep(f, s, fmt.Sprintf("steps[%d]", i))
	}
	for i, o := range f.Outcomes {
		if o.Status != "" && !o.Status.Done() {
			p.Add(fmt.Sprintf("outcomes[%d].status", i), "flow.an_outcome_s_public_status_must", o.Status)
		}
	}
	if unique && refsOK {
		p.checkPaths(f)
	}
}

// node is what an id names: a step or an outcome.
type node struct {
	path    string // "steps[3]"
	step    *Step
	outcome *Outcome
}

// uniqueIDs reports duplicate ids (steps and outcomes share one space,
// actions have their own), returns the steps and outcomes by id and
// whether every step and outcome has an id of its own.
func (p *parser) uniqueIDs(f *Flow) (map[string]node, bool) {
	ids := map[string]node{}
	unique := true
	seen := func(id, path string, n node) {
		if id == "" {
			unique = false
			return
		}
		if prev, dup := ids[id]; dup {
			p.Add(path+".id", "flow.id_duplicates", id, prev.path)
			unique = false
			return
		}
		ids[id] = n
	}
	if len(f.Steps) == 0 {
		p.Add("steps", "flow.the_flow_needs_at_least_one")
	}
	for i := range f.Steps {
		path := fmt.Sprintf("steps[%d]", i)
		seen(f.Steps[i].ID, path, node{path: path, step: &f.Steps[i]})
	}
	if len(f.Outcomes) == 0 {
		p.Add("outcomes", "flow.the_flow_needs_at_least_one_2")
	}
	for i := range f.Outcomes {
		path := fmt.Sprintf("outcomes[%d]", i)
		seen(f.Outcomes[i].ID, path, node{path: path, outcome: &f.Outcomes[i]})
	}
	actions := map[string]string{}
	for i, a := range f.Actions {
		path := fmt.Sprintf("actions[%d]", i)
		if prev, dup := actions[a.ID]; dup && a.ID != "" {
			p.Add(path+".id", "flow.action_id_duplicates", a.ID, prev)
			continue
		}
		actions[a.ID] = path
	}
	return ids, unique
}

func (p *parser) checkStep(f *Flow, s Step, path string) {
	if s.Special == nil {
		if s.Status == Suspended {
			p.Add(path+".status", "flow.only_a_special_procedure_step_shows")
		}
		return
	}
	if s.Status != "" && s.Status != Suspended {
		p.Add(path+".status", "flow.a_special_procedure_step_pauses_the", s.Status)
	}
	if s.Special.Approver == Applicant {
		p.Add(path+".special.approver", "flow.a_special_procedure_is_approved_by")
	}
	if f.Kind == ExOfficio && s.Role == Applicant {
		p.Add(path+".role", "flow.an_ex_officio_flow_has_no")
	}
}

// checkActions checks each action and reports whether all its references
// resolve, so that the path checks can run.
func (p *parser) checkActions(f *Flow, ids map[string]node) bool {
	ok := true
	starts := 0
	for i, a := range f.Actions {
		path := fmt.Sprintf("actions[%d]", i)
		switch {
		case a.Start && len(a.From) > 0:
			p.Add(path+".from", "flow.a_start_action_start_true_has")
		case !a.Start && len(a.From) == 0 && a.ID != "":
			p.Add(path, "flow.missing_key_from_mark_a_start")
			ok = false
		case a.Start:
			starts++
		}
		for j, from := range a.From {
			fp := fmt.Sprintf("%s.from[%d]", path, j)
			switch n, found := ids[from]; {
			case from == "":
				ok = false
			case !found:
				p.Add(fp, "flow.action_from_nowhere_there_is_no", from)
				ok = false
			case n.outcome != nil:
				p.Add(fp, "flow.is_a_terminal_outcome_no_action", from)
				ok = false
			}
		}
		to, found := ids[a.To]
		switch {
		case a.To == "":
			ok = false
		case !found:
			p.Add(path+".to", "flow.action_to_nowhere_there_is_no", a.To)
			ok = false
		case a.Start && (to.outcome != nil || to.step.Status.Done()):
			p.Add(path+".to", "flow.a_start_action_must_lead_to")
		}
		if f.Kind == ExOfficio && a.Start && slices.Contains(a.Roles, Applicant) {
			p.Add(path+".roles", "flow.an_ex_officio_case_is_filed")
		}
		for field := range a.Choices {
			if !slices.Contains(a.Fields, field) {
				p.Add(path+".choices."+field, "flow.is_not_one_of_the_action", field)
			}
		}
		if found && to.step != nil {
			p.checkClock(f, a, to.step, ids, path)
		}
	}
	if starts == 0 && len(f.Actions) > 0 {
		p.Add("actions", "flow.no_start_action_at_least_one")
	}
	if len(f.Actions) == 0 {
		p.Add("actions", "flow.the_flow_needs_at_least_one_3")
	}
	return ok
}

// checkClock checks what an action into step to does to the clock: entering
// a special procedure needs its approver, and an explicit pause or resume
// is for supplementation (special procedures pause by themselves).
func (p *parser) checkClock(f *Flow, a Action, to *Step, ids map[string]node, path string) {
	enters := a.Start || slices.ContainsFunc(a.From, func(from string) bool { return from != to.ID })
	if to.Special != nil && enters && to.Special.Approver != "" && !slices.Contains(a.Roles, to.Special.Approver) {
		p.Add(path+".roles", "flow.entering_the_special_procedure_needs_the", to.ID, to.Special.Approver)
	}
	switch a.Clock {
	case ClockPause:
		if to.Special != nil || to.Status != Supplementing {
			p.Add(path+".clock", "flow.clock_pause_is_for_supplementation_into")
		}
	case ClockResume:
		for _, from := range a.From {
			if n := ids[from]; n.step != nil && n.step.Status != Supplementing {
				p.Add(path+".clock", "flow.clock_resume_is_for_after_supplementation")
				break
			}
		}
	}
}

// checkPaths reports steps and outcomes no path from the start reaches,
// and steps from which no terminal outcome can be reached (a dead end, or
// a loop with no exit).
func (p *parser) checkPaths(f *Flow) {
	next := map[string][]string{} // step → where its actions lead
	prev := map[string][]string{}
	var reached []string
	for _, a := range f.Actions {
		if a.Start {
			reached = append(reached, a.To)
		}
		for _, from := range a.From {
			next[from] = append(next[from], a.To)
			prev[a.To] = append(prev[a.To], from)
		}
	}
	reach := closure(reached, next)
	for i, s := range f.Steps {
		if !reach[s.ID] {
			p.Add(fmt.Sprintf("steps[%d].id", i), "flow.unreachable_no_path_from_the_start", s.ID)
		}
	}
	var ends []string
	for i, o := range f.Outcomes {
		if !reach[o.ID] {
			p.Add(fmt.Sprintf("outcomes[%d].id", i), "flow.unreachable_no_path_from_the_start_2", o.ID)
		}
		ends = append(ends, o.ID)
	}
	exits := closure(ends, prev)
	var loop []string
	first := ""
	for i, s := range f.Steps {
		if !reach[s.ID] || exits[s.ID] {
			continue
		}
		path := fmt.Sprintf("steps[%d].id", i)
		if !slices.ContainsFunc(next[s.ID], func(to string) bool { return to != s.ID }) {
			p.Add(path, "flow.dead_end_no_action_leads_out", s.ID)
			continue
		}
		if first == "" {
			first = path
		}
		loop = append(loop, s.ID)
	}
	if len(loop) > 0 {
		list := strings.Join(loop, ", ")
		p.Add(first, "flow.loop_with_no_exit_no_terminal", list)
	}
}

// closure returns every id reachable from the seeds along edges.
func closure(seeds []string, edges map[string][]string) map[string]bool {
	seen := map[string]bool{}
	for len(seeds) > 0 {
		id := seeds[len(seeds)-1]
		seeds = seeds[:len(seeds)-1]
		if seen[id] {
			continue
		}
		seen[id] = true
		seeds = append(seeds, edges[id]...)
	}
	return seen
}
