package complaintdb

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/calendar"
	"github.com/qingdan/qingdan/internal/complaint"
	"github.com/qingdan/qingdan/internal/document"
	"github.com/qingdan/qingdan/internal/document/documentdb"
	"github.com/qingdan/qingdan/internal/store"
)

// answer answers c in writing in the write tx (P8). With the documents
// mechanism the answer is a sealed document numbered from the body's
// gapless sequence of answers (青山审诉〔2026〕0001号), issued here — a body
// without its seal cannot answer (H8) and nothing is written; without it
// the number is the complaints' own.
func (s *Service) answer(ctx context.Context, tx *store.Tx, p access.Principal, c complaint.Complaint, text string,
	now time.Time, cal *calendar.Calendar, r complaint.Rules) (complaint.Complaint, error) {
	b, err := bodyByID(ctx, tx, c.BodyID)
	if err != nil {
		return c, err
	}
	year := cal.Date(now).Year()
	if s.docs == nil {
		seq, err := nextSeq(ctx, tx, c.BodyID, year, "answer")
		if err != nil {
			return c, err
		}
		return c.AnswerWith(complaint.AnswerNumber(b.Name, year, seq), text, p.Login, now, cal, r)
	}
	if c, err = c.AnswerWith("", text, p.Login, now, cal, r); err != nil {
		return c, err
	}
	d, err := s.docs.IssueStandalone(ctx, tx, documentdb.Standalone{Kind: document.ComplaintAnswer,
		BodyID: b.ID, BodyName: b.Name, BodyPath: b.Path, Subject: c.Number, RootType: ObjectComplaint, RootID: itoa(c.ID),
		PublicPath: "/portal/complaints?number=" + url.QueryEscape(c.Number), Date: cal.Date(now), At: now, Login: p.Login,
		Data: answerData(b.Name, officerOf(p), c)})
	if err != nil {
		return c, err
	}
	a := *c.Answer
	a.Number, a.Document = d.Number, d.ID
	c.Answer = &a
	return c, nil
}

func officerOf(p access.Principal) string {
	if p.Name != "" {
		return p.Name
	}
	return p.Login
}

// answerData is what the answer document prints (document.ComplaintAnswer):
// the complainant by name, or 匿名投诉人 for an anonymous one — the public
// copy masks the name (O4, L7) — the target, the ground, the answer, the
// finding and the review right with its last day (P8).
func answerData(bodyName, officer string, c complaint.Complaint) document.Data {
	name := c.Complainant.Name
	if c.Complainant.Anonymous || strings.TrimSpace(name) == "" {
		name = "匿名投诉人"
	}
	target, ground := c.Target.In("zh"), c.Ground.In("zh")
	outcome := "经调查，投诉不属实。"
	if c.Verified {
		var os []string
		for _, o := range c.Outcomes {
			os = append(os, o.In("zh"))
		}
		outcome = "经调查，投诉属实。处理：" + strings.Join(os, "、") + "。"
	}
	review := document.FormatDate(c.ReviewDue, "zh")
	return document.Data{Body: bodyName, Case: c.Number, Item: target, Applicant: name, Person: true, Officer: officer,
		AcceptedOn: document.FormatDate(c.AcceptedOn, "zh"), Due: review, Reason: ground, Opinion: c.Answer.Text,
		Outcome: outcome, Remedies: fmt.Sprintf("如对本答复有异议，可于%s前向上一级机关申请复核。", review)}
}

// errNoAnswerDocument: the complaint has no answer document (not answered
// yet, or answered before answers were documents).
func errNoAnswerDocument(number string) error {
	return apperr.NotFoundf("complaintdb.complaint_has_no_written_answer_document", number)
}

// AnswerDocument renders the written answer of complaint number for staff:
// its handlers read it as issued, with the complainant's name — a read of
// the identity, and so an audited event (O4); supervisors read the public
// copy; to anyone else (the complained unit and person included) the
// complaint does not exist.
func (s *Service) AnswerDocument(ctx context.Context, p access.Principal, number string) (documentdb.Rendered, error) {
	if s.docs == nil {
		return documentdb.Rendered{}, errNoAnswerDocument(number)
	}
	var out documentdb.Rendered
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		r, err := byNumber(ctx, tx, number)
		if err != nil {
			return err
		}
		c, err := decode(r)
		if err != nil {
			return err
		}
		role, err := s.roleOf(ctx, tx, p, c)
		if err != nil {
			return err
		}
		if !role.Office && !role.Supervisor && !role.Investigator {
			return errNotYours()
		}
		if c.Answer == nil || c.Answer.Document == 0 {
			return errNoAnswerDocument(c.Number)
		}
		if out, err = s.docs.RenderIssued(ctx, c.Number, c.Answer.Document, !role.Handler()); err != nil {
			return err
		}
		if !role.Handler() {
			return nil
		}
		return tx.Emit(store.Event{Actor: p.Login, BodyID: c.BodyID, Action: "complaint.identity.read",
			ObjectType: "complaint_identity", ObjectID: itoa(c.ID), RootType: ObjectComplaint, RootID: itoa(c.ID),
			Payload: mustJSON(map[string]string{"document": c.Answer.Number})})
	})
	return out, err
}

// PublicAnswer renders the written answer for the complainant holding the
// query code (P8), personal data masked (O4): the page may be seen by
// others than the complainant. A wrong code is the same not-found as an
// unknown number.
func (s *Service) PublicAnswer(ctx context.Context, number, code string) (documentdb.Rendered, error) {
	c, err := s.byQueryCode(ctx, number, code)
	if err != nil {
		return documentdb.Rendered{}, err
	}
	if s.docs == nil || c.Answer == nil || c.Answer.Document == 0 {
		return documentdb.Rendered{}, errNoAnswerDocument(c.Number)
	}
	return s.docs.RenderIssued(ctx, c.Number, c.Answer.Document, true)
}
