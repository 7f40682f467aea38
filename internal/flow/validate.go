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
			p.add(fmt.Sprintf("outcomes[%d].status", i), "结果的公开状态须为 completed、refused 或 withdrawn,而不是“%s”",
				"an outcome's public status must be completed, refused or withdrawn, not %q", o.Status)
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
			p.add(path+".id", "标识“%s”与%s重复", "id %q duplicates %s", id, prev.path)
			unique = false
			return
		}
		ids[id] = n
	}
	if len(f.Steps) == 0 {
		p.add("steps", "至少需要一个环节", "the flow needs at least one step")
	}
	for i := range f.Steps {
		path := fmt.Sprintf("steps[%d]", i)
		seen(f.Steps[i].ID, path, node{path: path, step: &f.Steps[i]})
	}
	if len(f.Outcomes) == 0 {
		p.add("outcomes", "至少需要一个办结结果", "the flow needs at least one terminal outcome")
	}
	for i := range f.Outcomes {
		path := fmt.Sprintf("outcomes[%d]", i)
		seen(f.Outcomes[i].ID, path, node{path: path, outcome: &f.Outcomes[i]})
	}
	actions := map[string]string{}
	for i, a := range f.Actions {
		path := fmt.Sprintf("actions[%d]", i)
		if prev, dup := actions[a.ID]; dup && a.ID != "" {
			p.add(path+".id", "动作标识“%s”与%s重复", "action id %q duplicates %s", a.ID, prev)
			continue
		}
		actions[a.ID] = path
	}
	return ids, unique
}

func (p *parser) checkStep(f *Flow, s Step, path string) {
	if s.Special == nil {
		if s.Status == Suspended {
			p.add(path+".status", "只有特别程序环节显示 suspended", "only a special-procedure step shows the status suspended")
		}
		return
	}
	if s.Status != "" && s.Status != Suspended {
		p.add(path+".status", "特别程序环节计时暂停,公开状态须为 suspended,而不是“%s”",
			"a special-procedure step pauses the clock: its public status must be suspended, not %q", s.Status)
	}
	if s.Special.Approver == Applicant {
		p.add(path+".special.approver", "特别程序须由工作人员岗位批准,不能由申请人批准",
			"a special procedure is approved by a staff role, not by the applicant")
	}
	if f.Kind == ExOfficio && s.Role == Applicant {
		p.add(path+".role", "依职权流程中没有申请人", "an ex-officio flow has no applicant")
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
			p.add(path+".from", "开始动作(start: true)没有来源环节", "a start action (start: true) has no from")
		case !a.Start && len(a.From) == 0 && a.ID != "":
			p.add(path, "缺少键“from”(开始动作请写 start: true)", "missing key \"from\" (mark a start action with start: true)")
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
				p.add(fp, "动作来源不存在:没有环节“%s”", "action from nowhere: there is no step %q", from)
				ok = false
			case n.outcome != nil:
				p.add(fp, "“%s”是办结结果,不能再有动作", "%q is a terminal outcome: no action leaves it", from)
				ok = false
			}
		}
		to, found := ids[a.To]
		switch {
		case a.To == "":
			ok = false
		case !found:
			p.add(path+".to", "动作去向不存在:没有环节或结果“%s”", "action to nowhere: there is no step or outcome %q", a.To)
			ok = false
		case a.Start && (to.outcome != nil || to.step.Status.Done()):
			p.add(path+".to", "开始动作须进入一个未办结的环节", "a start action must lead to a step where the case is not yet done")
		}
		if f.Kind == ExOfficio && a.Start && slices.Contains(a.Roles, Applicant) {
			p.add(path+".roles", "依职权案件由机关立案,申请人不能开始", "an ex-officio case is filed by the body: the applicant cannot start it")
		}
		for field := range a.Choices {
			if !slices.Contains(a.Fields, field) {
				p.add(path+".choices."+field, "“%s”不在必填字段(fields)中", "%q is not one of the action's fields", field)
			}
		}
		if found && to.step != nil {
			p.checkClock(f, a, to.step, ids, path)
		}
	}
	if starts == 0 && len(f.Actions) > 0 {
		p.add("actions", "没有开始动作:至少一个动作须写 start: true", "no start action: at least one action needs start: true")
	}
	if len(f.Actions) == 0 {
		p.add("actions", "至少需要一个动作", "the flow needs at least one action")
	}
	return ok
}

// checkClock checks what an action into step to does to the clock: entering
// a special procedure needs its approver, and an explicit pause or resume
// is for supplementation (special procedures pause by themselves).
func (p *parser) checkClock(f *Flow, a Action, to *Step, ids map[string]node, path string) {
	enters := a.Start || slices.ContainsFunc(a.From, func(from string) bool { return from != to.ID })
	if to.Special != nil && enters && to.Special.Approver != "" && !slices.Contains(a.Roles, to.Special.Approver) {
		p.add(path+".roles", "进入特别程序“%s”须经%s批准:roles 须包含它", "entering the special procedure %q needs the approval of %s: roles must include it",
			to.ID, to.Special.Approver)
	}
	switch a.Clock {
	case ClockPause:
		if to.Special != nil || to.Status != Supplementing {
			p.add(path+".clock", "clock: pause 只用于补正(进入公开状态为 supplementing 的环节);特别程序环节自动暂停计时",
				"clock: pause is for supplementation (into a step with status supplementing); special-procedure steps pause the clock by themselves")
		}
	case ClockResume:
		for _, from := range a.From {
			if n := ids[from]; n.step != nil && n.step.Status != Supplementing {
				p.add(path+".clock", "clock: resume 只用于补正后(离开公开状态为 supplementing 的环节)",
					"clock: resume is for after supplementation (out of a step with status supplementing)")
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
			p.add(fmt.Sprintf("steps[%d].id", i), "环节“%s”不可到达:从开始没有路径通向它", "unreachable: no path from the start reaches step %q", s.ID)
		}
	}
	var ends []string
	for i, o := range f.Outcomes {
		if !reach[o.ID] {
			p.add(fmt.Sprintf("outcomes[%d].id", i), "结果“%s”不可到达:从开始没有路径通向它", "unreachable: no path from the start reaches outcome %q", o.ID)
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
			p.add(path, "环节“%s”是死胡同:没有离开它的动作", "dead end: no action leads out of step %q", s.ID)
			continue
		}
		if first == "" {
			first = path
		}
		loop = append(loop, s.ID)
	}
	if len(loop) > 0 {
		list := strings.Join(loop, ", ")
		p.add(first, "没有出口的循环:从环节 %s 无法到达任何办结结果", "loop with no exit: no terminal outcome can be reached from steps %s", list)
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
