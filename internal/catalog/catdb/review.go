package catdb

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/store"
)

// ReviewProblem is one C5 conflict of a derived body's item with the upper
// level's new version: the element it concerns (materials, steps, fee …;
// "" for the item as a whole) and the conflict in words.
type ReviewProblem struct {
	Element string `json:"element,omitempty"`
	Zh      string `json:"zh"`
	En      string `json:"en"`
}

// violationText stores C5 problems on the review task as JSON, so the page
// can show each in the reader's language with its element named.
func violationText(err error) string {
	var ps []ReviewProblem
	if l, ok := err.(apperr.List); ok {
		for _, e := range l {
			ps = append(ps, ReviewProblem{Element: element(e.Field), Zh: e.Message("zh"), En: e.Message("en")})
		}
	} else {
		ps = []ReviewProblem{{Zh: err.Error(), En: err.Error()}}
	}
	b, jerr := json.Marshal(ps)
	if jerr != nil {
		// Strings always marshal; keep the words rather than lose them.
		return fmt.Sprint(ps)
	}
	return string(b)
}

// element reads the element out of a CheckDerived field path:
// items[0500001000].steps[2].risks → steps.
func element(field string) string {
	_, rest, ok := strings.Cut(field, "].")
	if !ok {
		return ""
	}
	if i := strings.IndexAny(rest, ".["); i >= 0 {
		rest = rest[:i]
	}
	return rest
}

// reviewProblems reads a task's stored problems: JSON since migration 0490,
// before it lines of "field: 中文 (English)".
func reviewProblems(text string) []ReviewProblem {
	text = strings.TrimSpace(text)
	if text == "" {
		return nil
	}
	var ps []ReviewProblem
	if strings.HasPrefix(text, "[") && json.Unmarshal([]byte(text), &ps) == nil {
		return ps
	}
	for line := range strings.SplitSeq(text, "\n") {
		field, msg, ok := strings.Cut(line, ": ")
		if !ok {
			ps = append(ps, ReviewProblem{Zh: line, En: line})
			continue
		}
		p := ReviewProblem{Element: element(field), Zh: msg, En: msg}
		// The Chinese text has no ASCII space; the English follows in
		// parentheses after the first one.
		if i := strings.Index(msg, " ("); i >= 0 && strings.HasSuffix(msg, ")") {
			p.Zh, p.En = msg[:i], msg[i+2:len(msg)-1]
		}
		ps = append(ps, p)
	}
	return ps
}

// Conflicting reports whether the task's item conflicts with the upper
// version under C5: such a task is closed by an adjustment that resolves
// it, or by an approved exemption.
func (r Review) Conflicting() bool { return len(r.Problems) > 0 }

// AwaitingApproval reports whether the task waits for the upper level's
// decision on closing it without an adjustment.
func (r Review) AwaitingApproval() bool { return r.Status == ReviewOpen && r.ExemptBy != "" }

// review reads one task inside a write.
func review(ctx context.Context, tx *store.Tx, id int64) (reviewRow, error) {
	r, err := scanReviewRow(tx.QueryRow(ctx, `SELECT `+reviewCols+` FROM catalog_reviews WHERE id = ?`, id))
	if err != nil {
		return r, notFound(err, "review")
	}
	return r, nil
}

// RequestExemption asks to close a conflicting task without adjusting the
// item (暂不调整), with the reason. C5 lets a lower level's item drop none of
// the upper level's elements, and the seeds let a body depart from the upper
// list only with the upper level's consent (002 §三(四)), so the task stays
// open until the upper level's reform office approves (DecideExemption). A
// list liaison or the general office of the task's body asks.
func (s *Service) RequestExemption(ctx context.Context, p access.Principal, id int64, reason string) (Review, error) {
	var out Review
	reason = strings.TrimSpace(reason)
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		r, err := review(ctx, tx, id)
		if err != nil {
			return err
		}
		b, err := getBody(ctx, tx, r.BodyID)
		if err != nil {
			return err
		}
		if err := canWrite(p, b); err != nil {
			return err
		}
		if !p.HasAny(access.RoleListLiaison, access.RoleGeneralOffice) || p.BodyID != r.BodyID {
			return apperr.Forbiddenf("catdb.only_a_list_liaison_or_the_2")
		}
		if r.Status != ReviewOpen {
			return apperr.Conflictf("catdb.this_review_is_already_done")
		}
		if len(reviewProblems(r.Violations)) == 0 {
			return apperr.Conflictf("catdb.the_item_does_not_conflict_with")
		}
		if r.ExemptBy != "" {
			return apperr.Conflictf("catdb.leaving_it_unchanged_has_been_asked")
		}
		if reason == "" {
			return apperr.Invalidf("reason", "catdb.reason_required_why_the_item_is")
		}
		if n := len([]rune(reason)); n > 2000 {
			return apperr.Invalidf("reason", "catdb.the_reason_may_not_exceed_2000")
		}
		// The row as its last event left it (a tampered one is refused).
		if err := lock(ctx, tx, ObjReview, id); err != nil {
			return err
		}
		now := store.Micros(s.now().UTC())
		tx.Queue(ctx, `UPDATE catalog_reviews SET exempt_reason = ?, exempt_by = ?, exempt_at = ?, updated_at = ?, version = version + 1 WHERE id = ?`,
			reason, login(p), now, now, id)
		if err := emit(ctx, tx, login(p), r.BodyID, "catalog.review.exemption_requested", ObjReview, id, ReviewOpen, ReviewOpen,
			map[string]string{"reason": reason}); err != nil {
			return err
		}
		r, err = review(ctx, tx, id)
		out = reviewFromRow(r, s.now())
		return err
	})
	return out, err
}

// DecideExemption is the upper level's reform office (a general-office
// member of the upper body who sits in a review group) approving or
// refusing a request to leave a conflicting item unchanged. Approval closes
// the task with the reason and the approver on record; a refusal, which
// needs a comment, clears the request and leaves the task open.
func (s *Service) DecideExemption(ctx context.Context, p access.Principal, id int64, approve bool, comment string) (Review, error) {
	var out Review
	comment = strings.TrimSpace(comment)
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		r, err := review(ctx, tx, id)
		if err != nil {
			return err
		}
		upper, err := getBody(ctx, tx, r.UpperBodyID)
		if err != nil {
			return err
		}
		if err := canWrite(p, upper); err != nil {
			return err
		}
		a, err := actor(ctx, tx, p)
		if err != nil {
			return err
		}
		if !p.Has(access.RoleGeneralOffice) || p.BodyID != r.UpperBodyID || len(a.Groups) == 0 {
			return apperr.Forbiddenf("catdb.only_the_upper_level_s_reform")
		}
		if r.Status != ReviewOpen || r.ExemptBy == "" {
			return apperr.Conflictf("catdb.this_review_has_no_request_to")
		}
		// The row as its last event left it (a tampered one is refused).
		if err := lock(ctx, tx, ObjReview, id); err != nil {
			return err
		}
		now := store.Micros(s.now().UTC())
		who := login(p)
		if approve {
			note := "暂不调整(上级改革办批准):" + r.ExemptReason
			if comment != "" {
				note += ";批准意见:" + comment
			}
			tx.Queue(ctx, `UPDATE catalog_reviews SET status = 'done', note = ?, done_by = ?, done_at = ?, approved_by = ?, updated_at = ?, version = version + 1 WHERE id = ?`,
				note, r.ExemptBy, now, who, now, id)
			if err := emit(ctx, tx, who, r.BodyID, "catalog.review.exemption_approved", ObjReview, id, ReviewOpen, ReviewDone,
				map[string]string{"comment": comment}); err != nil {
				return err
			}
		} else {
			if comment == "" {
				return apperr.Invalidf("comment", "catdb.comment_required_a_refusal_needs_comments")
			}
			tx.Queue(ctx, `UPDATE catalog_reviews SET exempt_reason = '', exempt_by = '', exempt_at = NULL, note = ?, updated_at = ?, version = version + 1 WHERE id = ?`,
				"上级改革办不同意暂不调整:"+comment, now, id)
			if err := emit(ctx, tx, who, r.BodyID, "catalog.review.exemption_refused", ObjReview, id, ReviewOpen, ReviewOpen,
				map[string]string{"comment": comment}); err != nil {
				return err
			}
		}
		r, err = review(ctx, tx, id)
		out = reviewFromRow(r, s.now())
		return err
	})
	return out, err
}
