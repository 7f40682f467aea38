package caseworkdb

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/casework"
	"github.com/qingdan/qingdan/internal/notify"
	"github.com/qingdan/qingdan/internal/notify/notifydb"
	"github.com/qingdan/qingdan/internal/store"
)

// enqueue puts a transition's notifications in the outbox, in the write of
// the transition (so a refused action sends nothing). Each message's
// dedup key names the case version it comes from, so a write run again
// by the store enqueues it once.
func (s *Service) enqueue(ctx context.Context, tx *store.Tx, c casework.Case, eff casework.Effects, version int64) error {
	link := "/cases/" + c.Number
	title, text := summary(c, eff)
	told := false
	for i, n := range eff.Notifications {
		var msgs []notify.Message
		switch n.To {
		case casework.ToApplicant:
			// One text per action, however many notices it issues (an
			// acceptance notice and a promise notice: one SMS). The phone
			// was checked when the case opened; without one the applicant
			// follows the case on the portal.
			if c.Applicant.Phone != "" && !told {
				msgs = append(msgs, notify.Text(c.Applicant.Phone, text+" 查询码请妥善保管。"))
			}
			if c.Applicant.Email != "" && !told {
				msgs = append(msgs, notify.Mail(c.Applicant.Email, title, text+"\n\n"+textEn(c)))
			}
			told = true
		case casework.ToStaff:
			msgs = append(msgs, notify.Inbox(n.Staff.ID, title, text, link))
		case casework.ToUnit, casework.ToQueue, casework.ToSupervisor:
			path := n.BodyPath
			if path == "" {
				path = c.Body.Path
			}
			ids, err := staffOf(ctx, tx, path, n.Unit, n.Role)
			if err != nil {
				return err
			}
			for _, id := range ids {
				msgs = append(msgs, notify.Inbox(id, title, text, link))
			}
			if n.To == casework.ToSupervisor {
				m, err := notify.Post(s.endpoint, pushOf(c))
				if err != nil {
					return err
				}
				msgs = append(msgs, m)
			}
		}
		for j, m := range msgs {
			m.BodyID, m.RootType, m.RootID, m.Cause = c.Body.ID, ObjectCase, c.Number, "case."+eff.Event.Action
			m.DedupKey = fmt.Sprintf("case:%s:%d:%d:%d", c.Number, version, i, j)
			if err := notifydb.Enqueue(ctx, tx, m); err != nil {
				return err
			}
		}
	}
	return nil
}

// staffOf lists the active staff of the body at path: of the unit with
// code unit when given, holding role when given.
func staffOf(ctx context.Context, q store.Querier, path, unit, role string) ([]int64, error) {
	query := `SELECT s.id, s.roles FROM staff s JOIN bodies b ON b.id = s.body_id WHERE b.path = ? AND s.active`
	args := []any{path}
	if unit != "" {
		query = `SELECT s.id, s.roles FROM staff s JOIN bodies b ON b.id = s.body_id JOIN units u ON u.id = s.unit_id
			WHERE b.path = ? AND u.code = ? AND s.active`
		args = append(args, unit)
	}
	rows, err := q.Query(ctx, query+` ORDER BY s.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("caseworkdb: staff of %s: %w", path, err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		var roles string
		if err := rows.Scan(&id, &roles); err != nil {
			return nil, err
		}
		if role == "" || slices.Contains(strings.Split(roles, ","), role) {
			out = append(out, id)
		}
	}
	return out, rows.Err()
}

// summary is a message's title and text about a transition.
func summary(c casework.Case, eff casework.Effects) (string, string) {
	title := fmt.Sprintf("办件 %s：%s", c.Number, eff.Event.Action)
	text := fmt.Sprintf("【%s】您的办件 %s（%s）当前状态：%s。", c.Body.Name, c.Number, c.Item.Name, statusZh(string(c.Status)))
	return title, text
}

// textEn is the English of the applicant's notice, below the Chinese in
// an email.
func textEn(c casework.Case) string {
	return fmt.Sprintf("[%s] Your case %s (%s) is now: %s.", c.Body.Name, c.Number, c.Item.Name, string(c.Status))
}

func statusZh(s string) string {
	switch s {
	case "submitted":
		return "已提交"
	case "supplementing":
		return "待补正"
	case "accepted":
		return "已受理"
	case "handling":
		return "办理中"
	case "suspended":
		return "特别程序中"
	case "completed":
		return "已办结"
	case "refused":
		return "不予受理"
	case "withdrawn":
		return "已撤回"
	}
	return s
}

// Push is what the supervising unit's system receives when a case is
// completed (审管分离, H9): the result, and where to read the whole record.
type Push struct {
	Number      string `json:"number"`
	ItemCode    string `json:"item_code"`
	ItemName    string `json:"item_name"`
	Department  string `json:"department"`
	Outcome     string `json:"outcome"`
	Certificate string `json:"certificate,omitempty"`
	CompletedOn string `json:"completed_on"`
	Record      string `json:"record"` // the API path of the exchange record
}

func pushOf(c casework.Case) Push {
	p := Push{Number: c.Number, ItemCode: c.Item.Code, ItemName: c.Item.Name, Department: c.Body.Name,
		Record: "/api/v1/cases/" + c.Number + "/record"}
	if c.Completion != nil {
		p.Outcome, p.Certificate, p.CompletedOn = c.Completion.Outcome, c.Completion.Certificate, c.Completion.On.String()
	}
	return p
}

// CompletionCause is the outbox's cause of the applicant's completion
// notice: the message that tells them their case is done (H7).
const CompletionCause = "case.complete"

// DeliveredConsumer is the consumer that records, on each case, when the
// outbox delivered the applicant's completion notice (H7).
const DeliveredConsumer = "case:notice_delivered"

// toApplicant reports whether an outbox message with this channel and
// cause is the applicant's completion notice.
func toApplicant(ch notify.Channel, cause string) bool {
	return cause == CompletionCause && (ch == notify.SMS || ch == notify.Email)
}

// DeliveredConsumerSpec is the consumer of the outbox's delivery events:
// when the applicant's completion notice is sent (notify.sent), the case
// takes its notify action dated at the delivery (casework.NotifyDelivered),
// in the write that moves the consumer's position. So H7 is checked
// against the delivery time, not a button: a notice delivered the next
// working day is in time, one delivered later is flagged, and one never
// delivered leaves the case waiting to be notified (e-supervision's notify
// watch runs on).
func (s *Service) DeliveredConsumerSpec() store.Consumer {
	return store.Consumer{Name: DeliveredConsumer, Handle: s.handleDelivered}
}

// RunDelivered runs the delivery consumer until ctx ends.
func (s *Service) RunDelivered(ctx context.Context) error {
	return s.db.Consume(ctx, s.DeliveredConsumerSpec())
}

func (s *Service) handleDelivered(ctx context.Context, tx *store.Tx, events []store.Event) error {
	for _, e := range events {
		if e.Action != "notify.sent" || e.RootType != ObjectCase || e.RootID == "" {
			continue
		}
		var out struct {
			Channel notify.Channel `json:"channel"`
			Cause   string         `json:"cause"`
		}
		if err := json.Unmarshal(e.Payload, &out); err != nil {
			return fmt.Errorf("caseworkdb: event %d: %w", e.Seq, err)
		}
		if !toApplicant(out.Channel, out.Cause) {
			continue
		}
		if err := s.delivered(ctx, tx, e.RootID, e.At); err != nil {
			return err
		}
	}
	return nil
}

// delivered records in tx that case number's applicant received the
// completion notice at `at`, unless the case was already notified (an
// instant case told on the spot, an earlier channel) or is not waiting
// for it.
func (s *Service) delivered(ctx context.Context, tx *store.Tx, number string, at time.Time) error {
	r, err := s.row(ctx, tx, number)
	if err != nil {
		return err
	}
	if r, err = cases.Lock(ctx, tx, r.ID); err != nil {
		return err
	}
	c, err := caseOf(r)
	if err != nil {
		return err
	}
	if !c.NotifiedAt.IsZero() {
		return nil
	}
	f, err := s.flowByID(ctx, tx, r.FlowID)
	if err != nil {
		return err
	}
	if act, ok := f.Action(casework.NotifyAction); !ok || !slices.Contains(act.From, c.Step) {
		return nil
	}
	cal, err := s.cals.Calendar(ctx, r.BodyID)
	if err != nil {
		return err
	}
	now := s.now()
	if now.Before(at) {
		now = at // the deliverer's clock ahead of this one: never backdate
	}
	c, eff, err := casework.NotifyDelivered(c, at, casework.Env{Now: now, Calendar: cal, Flow: f, Rules: s.rules})
	if err != nil {
		return err
	}
	_, err = s.save(ctx, tx, r, c, eff, casework.Actor{Staff: casework.System}, f, cal, now)
	return err
}

// notifyFromDelivery is the staff's notify action (the button) checked
// against the outbox: while the applicant's completion notice is on its
// way (pending, sending, failed and to be retried) the button is refused —
// H7 counts from the delivery, which the consumer records; once it was
// sent, the action is dated at its delivery. With no such message (no
// phone or address on record) or one that was given up (dead: the staff
// told the applicant another way), the staff's own time stands.
func (s *Service) notifyFromDelivery(ctx context.Context, number string, a casework.Action) (casework.Action, error) {
	entries, err := notifydb.Deliveries(ctx, s.db, ObjectCase, number)
	if err != nil {
		return a, err
	}
	var sent time.Time
	waiting := notify.State("")
	for _, e := range entries {
		if !toApplicant(e.Channel, e.Cause) {
			continue
		}
		switch e.State {
		case notify.Sent:
			if sent.IsZero() || e.DeliveredAt.Before(sent) {
				sent = e.DeliveredAt
			}
		case notify.Pending, notify.Sending, notify.Failed:
			waiting = e.State
		}
	}
	switch {
	case !sent.IsZero():
		a.NotifiedAt = sent
	case waiting != "":
		return a, errNoticeUnderway(number, string(waiting))
	}
	return a, nil
}

func errNoticeUnderway(number, state string) error {
	return apperr.New(apperr.Conflict, "action", "caseworkdb.the_completion_notice_of_is_still", clip(number), state)
}

// Deliveries are the messages sent about case number (its notices to the
// applicant, the push to the supervising unit, the staff's in-app
// messages), oldest first, each with its delivery state — queued, sent at,
// failed or given up, attempts, last error — for staff who may read the
// case (H7).
func (s *Service) Deliveries(ctx context.Context, p access.Principal, number string) ([]notifydb.Entry, error) {
	r, _, err := s.readable(ctx, p, number)
	if err != nil {
		return nil, err
	}
	return notifydb.Deliveries(ctx, s.db, ObjectCase, r.Number)
}
