package ratingdb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/casework/caseworkdb"
	"github.com/qingdan/qingdan/internal/ident"
	"github.com/qingdan/qingdan/internal/notify"
	"github.com/qingdan/qingdan/internal/notify/notifydb"
	"github.com/qingdan/qingdan/internal/rating"
	"github.com/qingdan/qingdan/internal/store"
)

// Survey is a satisfaction survey (S7) as sent.
type Survey struct {
	ID            int64                `json:"id"`
	Version       int64                `json:"version"`
	BodyPath      string               `json:"body_path"`
	Questionnaire rating.Questionnaire `json:"questionnaire"`
	SentBy        string               `json:"sent_by"`
	SentAt        int64                `json:"sent_at"`
	Sent          int                  `json:"sent"` // links sent
}

type surveyRow struct {
	ID, Version int64
	BodyPath    string
	SentAt      int64
	Data        string
}

var surveys = store.Declare(store.Aggregate[surveyRow]{
	Table: "rating_surveys", ObjectType: "rating_survey", Columns: []string{"body_path", "sent_at", "data"},
	Fields: func(r *surveyRow) []any { return []any{&r.ID, &r.Version, &r.BodyPath, &r.SentAt, &r.Data} },
	State: func(r *surveyRow) any {
		return struct {
			ID       int64           `json:"id"`
			Version  int64           `json:"version"`
			BodyPath string          `json:"body_path"`
			SentAt   int64           `json:"sent_at"`
			Data     json.RawMessage `json:"data"`
		}{r.ID, r.Version, r.BodyPath, r.SentAt, json.RawMessage(r.Data)}
	},
})

type inviteRow struct {
	ID, Version int64
	SurveyID    int64
	TokenHash   string
	Case        string
	AnsweredAt  int64
	Answers     string // "" until answered
}

var surveyInvites = store.Declare(store.Aggregate[inviteRow]{
	Table: "rating_survey_invites", ObjectType: "rating_survey_invite",
	Columns: []string{"survey_id", "token_hash", "case_number", "answered_at", "answers"},
	Fields: func(r *inviteRow) []any {
		return []any{&r.ID, &r.Version, &r.SurveyID, &r.TokenHash, &r.Case, &r.AnsweredAt, &r.Answers}
	},
	State: func(r *inviteRow) any { return r },
})

func errNoSurvey() error { return apperr.NotFoundf("ratingdb.no_such_survey") }

func errNoSurveyLink() error {
	return apperr.NotFoundf("ratingdb.this_survey_link_is_not_valid")
}

// SendSurvey is a supervisor's questionnaire to a sample of the latest
// completed cases' applicants with a phone in their jurisdiction, each
// through the outbox an SMS with their own link (publicURL + /survey/…),
// in one write.
func (s *Service) SendSurvey(ctx context.Context, p access.Principal, title, questions string, sample int, publicURL string) (Survey, error) {
	if !p.Has(access.RoleSupervisor) {
		return Survey{}, apperr.Forbiddenf("ratingdb.supervisors_send_satisfaction_surveys")
	}
	q, err := rating.NewQuestionnaire(title, questions, sample)
	if err != nil {
		return Survey{}, err
	}
	base := strings.TrimRight(publicURL, "/")
	now := s.now()
	out := Survey{BodyPath: p.BodyPath, Questionnaire: q, SentBy: p.Login, SentAt: store.Micros(now)}
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		// The latest completed cases, a few more than the sample: some have no phone.
		rows, err := tx.Query(ctx, fmt.Sprintf(`SELECT number FROM cases WHERE body_path LIKE ? AND status = 'completed'
			ORDER BY updated_at DESC, id DESC LIMIT %d`, 2*sample), likePrefix(p.BodyPath))
		if err != nil {
			return err
		}
		var numbers []string
		for rows.Next() {
			var n string
			if err := rows.Scan(&n); err != nil {
				rows.Close()
				return err
			}
			numbers = append(numbers, n)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		row := surveyRow{BodyPath: p.BodyPath, SentAt: out.SentAt}
		if row.Data, err = encode(out); err != nil {
			return err
		}
		if err := surveys.Insert(ctx, tx, &row, store.Event{Actor: p.Login, Action: "rating.survey.sent", BodyID: p.BodyID, To: q.Title}); err != nil {
			return err
		}
		out.ID = row.ID
		phones := map[string]bool{}
		for _, n := range numbers {
			if out.Sent == sample {
				break
			}
			sv, err := s.cases.Supervised(ctx, tx, n)
			if err != nil {
				return err
			}
			phone := sv.Case.Applicant.Phone
			if phone == "" || phones[phone] {
				continue // one questionnaire per person
			}
			phones[phone] = true
			token, hash := newToken()
			inv := inviteRow{SurveyID: out.ID, TokenHash: hash, Case: n}
			if err := surveyInvites.Insert(ctx, tx, &inv, store.Event{Actor: p.Login, Action: "rating.survey.invited", BodyID: sv.Case.Body.ID,
				RootType: caseworkdb.ObjectCase, RootID: n}); err != nil {
				return err
			}
			m := notify.Text(phone, "【满意度测评】"+q.Title+"，请花一分钟填写："+base+"/survey/"+token)
			m.BodyID, m.RootType, m.RootID, m.Cause = sv.Case.Body.ID, caseworkdb.ObjectCase, n, "rating.survey"
			m.DedupKey = "rating.survey:" + strconv.FormatInt(out.ID, 10) + ":" + n
			if err := notifydb.Enqueue(ctx, tx, m); err != nil {
				return err
			}
			out.Sent++
		}
		if out.Sent == 0 {
			return apperr.New(apperr.Conflict, "sample", "ratingdb.no_completed_case_with_a_phone")
		}
		// The count of links sent is part of the survey as recorded.
		if row.Data, err = encode(out); err != nil {
			return err
		}
		if err := surveys.Save(ctx, tx, &row, store.Event{Actor: p.Login, Action: "rating.survey.counted", BodyID: p.BodyID,
			To: strconv.Itoa(out.Sent)}); err != nil {
			return err
		}
		out.Version = row.Version
		return nil
	})
	return out, err
}

func encode(v any) (string, error) {
	b, err := json.Marshal(v)
	return string(b), err
}

// SurveyByToken is the questionnaire behind a survey link, and whether it
// has been answered.
func (s *Service) SurveyByToken(ctx context.Context, token string) (rating.Questionnaire, bool, error) {
	inv, sv, err := s.invite(ctx, s.db, token)
	if err != nil {
		return rating.Questionnaire{}, false, err
	}
	return sv.Questionnaire, inv.AnsweredAt != 0, nil
}

func (s *Service) invite(ctx context.Context, q store.Querier, token string) (inviteRow, Survey, error) {
	var inv inviteRow
	err := q.QueryRow(ctx, `SELECT id, version, survey_id, token_hash, case_number, answered_at, answers FROM rating_survey_invites WHERE token_hash = ?`,
		hashToken(token)).Scan(surveyInvites.Fields(&inv)...)
	if errors.Is(err, sql.ErrNoRows) {
		return inv, Survey{}, errNoSurveyLink()
	}
	if err != nil {
		return inv, Survey{}, err
	}
	sv, err := s.survey(ctx, q, inv.SurveyID)
	return inv, sv, err
}

func (s *Service) survey(ctx context.Context, q store.Querier, id int64) (Survey, error) {
	var row surveyRow
	err := q.QueryRow(ctx, `SELECT id, version, body_path, sent_at, data FROM rating_surveys WHERE id = ?`, id).Scan(surveys.Fields(&row)...)
	if errors.Is(err, sql.ErrNoRows) {
		return Survey{}, errNoSurvey()
	}
	if err != nil {
		return Survey{}, err
	}
	var sv Survey
	if err := json.Unmarshal([]byte(row.Data), &sv); err != nil {
		return sv, fmt.Errorf("ratingdb: survey %d: %w", id, err)
	}
	sv.ID, sv.Version = row.ID, row.Version
	return sv, nil
}

// AnswerSurvey records the answers given through a survey link: once (S7).
func (s *Service) AnswerSurvey(ctx context.Context, token string, r rating.Response) error {
	now := s.now()
	return s.db.Write(ctx, func(tx *store.Tx) error {
		inv, sv, err := s.invite(ctx, tx, token)
		if err != nil {
			return err
		}
		locked, err := surveyInvites.Lock(ctx, tx, inv.ID)
		if err != nil {
			return err
		}
		if locked.AnsweredAt != 0 {
			return rating.ErrAnswered()
		}
		if r, err = sv.Questionnaire.Check(r); err != nil {
			return err
		}
		if locked.Answers, err = encode(r); err != nil {
			return err
		}
		locked.AnsweredAt = store.Micros(now)
		return surveyInvites.Save(ctx, tx, &locked, store.Event{Actor: Applicant, Action: "rating.survey.answered",
			RootType: caseworkdb.ObjectCase, RootID: locked.Case})
	})
}

// SurveyResults are a survey's answers counted: per question the count of
// each level, and the free texts masked (O4).
type SurveyResults struct {
	Survey    Survey
	Answered  int
	Questions []rating.Tally // Unit and Item empty: one per question
	Texts     []string
}

// SurveyPath is the body path of survey id, for the routes' scope.
func (s *Service) SurveyPath(ctx context.Context, id int64) (string, error) {
	var path string
	err := s.db.QueryRow(ctx, `SELECT body_path FROM rating_surveys WHERE id = ?`, id).Scan(&path)
	if errors.Is(err, sql.ErrNoRows) {
		return "", errNoSurvey()
	}
	return path, err
}

// Results counts the answers of survey id, for overseers of its body.
func (s *Service) Results(ctx context.Context, p access.Principal, id int64) (SurveyResults, error) {
	sv, err := s.survey(ctx, s.db, id)
	if err != nil {
		return SurveyResults{}, err
	}
	if !p.Covers(sv.BodyPath) {
		return SurveyResults{}, errNoSurvey()
	}
	out := SurveyResults{Survey: sv, Questions: make([]rating.Tally, len(sv.Questionnaire.Questions))}
	rows, err := s.db.Query(ctx, `SELECT answers FROM rating_survey_invites WHERE survey_id = ? AND answered_at <> 0 ORDER BY answered_at, id`, id)
	if err != nil {
		return out, err
	}
	defer rows.Close()
	for rows.Next() {
		var data string
		if err := rows.Scan(&data); err != nil {
			return out, err
		}
		var r rating.Response
		if err := json.Unmarshal([]byte(data), &r); err != nil {
			return out, err
		}
		out.Answered++
		for i, l := range r.Levels {
			if i < len(out.Questions) {
				out.Questions[i].Add(l, 1)
			}
		}
		if r.Text != "" {
			out.Texts = append(out.Texts, ident.MaskText(r.Text))
		}
	}
	return out, rows.Err()
}

// Surveys are the surveys sent in p's jurisdiction, newest first.
func (s *Service) Surveys(ctx context.Context, p access.Principal) ([]Survey, error) {
	rows, err := s.db.Query(ctx, `SELECT id FROM rating_surveys WHERE body_path LIKE ? ORDER BY sent_at DESC, id DESC LIMIT 100`, likePrefix(p.BodyPath))
	if err != nil {
		return nil, err
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make([]Survey, 0, len(ids))
	for _, id := range ids {
		sv, err := s.survey(ctx, s.db, id)
		if err != nil {
			return nil, err
		}
		out = append(out, sv)
	}
	return out, nil
}
