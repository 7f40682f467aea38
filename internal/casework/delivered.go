package casework

import (
	"time"

	"github.com/qingdan/qingdan/internal/apperr"

	"github.com/qingdan/qingdan/internal/flow"
)

// NotifyAction is the flow action that records the applicant told of the
// completion (H7).
const NotifyAction = "notify"

// NotifyDelivered applies H7 when the outbox delivered the completion
// notice to the applicant at `at`: the case takes its flow's notify action
// as System (the delivery, not a staff member's button, is the
// notification), dated at the delivery, and is flagged H7 when that was
// later than the completion day's next working day (Rules.NotifyDays).
// Env.Actor is not used. A case not waiting to be notified is refused by
// the flow, changing nothing.
func NotifyDelivered(c Case, at time.Time, env Env) (Case, Effects, error) {
	t, err := begin(c, env)
	if err != nil {
		return c, Effects{}, err
	}
	act, ok := t.f.Action(NotifyAction)
	if !ok {
		return c, Effects{}, errNoNotifyAction()
	}
	if t.move, err = t.f.Apply(c.Step, act.ID, act.Roles, flow.Input{}); err != nil {
		return c, Effects{}, err
	}
	t.from, _ = t.f.Step(c.Step)
	t.eff.Event = Event{Action: act.ID, By: System, Role: "system"}
	if err := t.apply(); err != nil {
		return c, Effects{}, err
	}
	t.a = Action{ID: act.ID, NotifiedAt: at}
	if err := t.notifyApplicant(); err != nil {
		return c, Effects{}, err
	}
	return t.finish()
}

func errNoNotifyAction() error {
	return apperr.New(apperr.Conflict, "action", "casework.the_flow_has_no_action_to_notify")
}
