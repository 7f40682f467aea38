package flow

import (
	"strings"
	"testing"
)

func TestValidate_H1_partsMustFitTogether(t *testing.T) {
	checkMistakes(t, []mistake{
		{"special not suspended", "status: suspended", "status: handling", 18, "steps[2].status", "must be suspended"},
		{"duplicate step id", "  - id: survey", "  - id: review", 15, "steps[2].id", `id "review" duplicates steps[1]`},
		{"duplicate action id", "  - id: resume", "  - id: pause", 42, "actions[3].id", `action id "pause" duplicates actions[2]`},
		{"action to nowhere", "    to: done", "    to: finished", 50, "actions[4].to", `action to nowhere: there is no step or outcome "finished"`},
		{"action from nowhere", "    from: survey", "    from: surveying", 44, "actions[3].from[0]", `action from nowhere: there is no step "surveying"`},
		{"action from an outcome", "    from: survey", "    from: done", 44, "actions[3].from[0]", "is a terminal outcome"},
		{"unreachable step", "    from: received\n    to: review", "    from: received\n    to: done", 11, "steps[1].id", `unreachable: no path from the start reaches step "review"`},
		{"loop with no exit", "    from: review\n    to: done", "    from: received\n    to: done", 11, "steps[1].id", "loop with no exit: no terminal outcome can be reached from steps review, survey"},
		{"dead end", "  - id: resume\n    name: 勘察意见\n    from: survey\n    to: review\n    roles: [unit_staff]\n", "", 15, "steps[2].id", `dead end: no action leads out of step "survey"`},
		{"pause needs its approver", "    roles: [leader]", "    roles: [unit_staff]", 41, "actions[2].roles", "needs the approval of leader"},
		{"no start action", "    start: true\n", "", 25, "actions", "no start action"},
		{"outcome not terminal", "    status: completed", "    status: handling", 23, "outcomes[0].status", "must be completed, refused or withdrawn"},
		{"choice of no field", "fields: [outcome]", "fields: [opinion]", 53, "actions[4].choices.outcome", `"outcome" is not one of the action's fields`},
		{"pause not for supplementation", "    roles: [leader]\n", "    roles: [leader]\n    clock: pause\n", 42, "actions[2].clock", "clock: pause is for supplementation"},
		{"ex-officio started by the applicant", "kind: application", "kind: ex_officio", 29, "actions[0].roles", "the applicant cannot start it"},
		{"ids of steps and outcomes are one set", "  - id: done", "  - id: review", 21, "outcomes[0].id", `id "review" duplicates steps[1]`},
		{"start into an outcome", "    start: true\n    to: received", "    start: true\n    to: done", 28, "actions[0].to", "must lead to a step where the case is not yet done"},
		{"resume not after supplementation", "    to: review\n    roles: [unit_staff]\n", "    to: review\n    roles: [unit_staff]\n    clock: resume\n", 47, "actions[3].clock", "clock: resume is for after supplementation"},
		{"suspended but not special", "status: handling", "status: suspended", 14, "steps[1].status", "only a special-procedure step shows the status suspended"},
		{"approved by the applicant", "approver: leader", "approver: applicant", 19, "steps[2].special.approver", "approved by a staff role"},
		{"special entered from two steps", "    from: review\n    to: survey\n    roles: [leader]", "    from: [review, survey]\n    to: survey\n    roles: [unit_staff]", 41, "actions[2].roles", "needs the approval of leader"},
	})
}

// A broken reference is reported once: the path checks, which would call
// half the flow unreachable, wait until the references resolve.
func TestValidate_H1_brokenReferenceReportedAlone(t *testing.T) {
	src := strings.Replace(small, "    from: received\n    to: review", "    from: received\n    to: reviewing", 1)
	_, err := Parse([]byte(src), testOptions)
	if l := mistakes(t, err); len(l) != 1 || !strings.Contains(l[0].Message("en"), "action to nowhere") {
		t.Errorf("got:%s", listed(err))
	}
}

// Mistakes found after reading (a duplicate id) come in line order with
// those found while reading (a bad clock effect).
func TestValidate_H1_mistakesInLineOrder(t *testing.T) {
	src := strings.NewReplacer("  - id: survey", "  - id: review", "    clock: start", "    clock: tick").Replace(small)
	_, err := Parse([]byte(src), testOptions)
	var lines []string
	for _, e := range mistakes(t, err) {
		lines = append(lines, e.Field[:strings.Index(e.Field, ",")])
	}
	if got := strings.Join(lines, " "); got != "line 15 line 36 line 40 line 44" {
		t.Errorf("mistakes at %s:%s", got, listed(err))
	}
}
