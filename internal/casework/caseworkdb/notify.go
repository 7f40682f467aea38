package caseworkdb

import (
	"context"
	"fmt"
	"slices"
	"strings"

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
