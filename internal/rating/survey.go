package rating

import (
	"strings"
	"unicode/utf8"

	"github.com/qingdan/qingdan/internal/apperr"
)

// Survey limits: a short questionnaire (S7) to a sample of recent
// applicants.
const (
	MaxQuestions   = 10
	MaxQuestion    = 200 // characters
	MaxSample      = 500
	MaxSurveyTitle = 100
)

// Questionnaire is a satisfaction survey's content: a title and a few
// questions, each answered on the five levels, plus free text.
type Questionnaire struct {
	Title     string   `json:"title"`
	Questions []string `json:"questions"`
}

// NewQuestionnaire reads a questionnaire from a title and its questions,
// one per line; sample is how many recent applicants receive it. Every
// mistake is named by its field.
func NewQuestionnaire(title, questions string, sample int) (Questionnaire, error) {
	var errs apperr.List
	q := Questionnaire{Title: strings.TrimSpace(title)}
	if q.Title == "" || utf8.RuneCountInString(q.Title) > MaxSurveyTitle {
		errs = append(errs, apperr.Invalidf("title", "rating.the_title_must_be_given_at", MaxSurveyTitle))
	}
	for line := range strings.Lines(questions) {
		if l := strings.TrimSpace(line); l != "" {
			q.Questions = append(q.Questions, l)
		}
	}
	if len(q.Questions) == 0 || len(q.Questions) > MaxQuestions {
		errs = append(errs, apperr.Invalidf("questions", "rating.give_1_questions_one_per_line", MaxQuestions))
	}
	for i, l := range q.Questions {
		if utf8.RuneCountInString(l) > MaxQuestion {
			errs = append(errs, apperr.Invalidf("questions", "rating.question_is_longer_than_characters", i+1, MaxQuestion))
		}
	}
	if sample < 1 || sample > MaxSample {
		errs = append(errs, apperr.Invalidf("sample", "rating.the_sample_must_be_1_applicants", MaxSample))
	}
	if len(errs) > 0 {
		return Questionnaire{}, errs
	}
	return q, nil
}

// Response is one applicant's answers: a level per question and free text.
type Response struct {
	Levels []Level `json:"levels"`
	Text   string  `json:"text,omitempty"`
}

// Check refuses a response that does not answer every question of q on
// the five levels, or whose text is too long.
func (q Questionnaire) Check(r Response) (Response, error) {
	if len(r.Levels) != len(q.Questions) {
		return r, apperr.Invalidf("answers", "rating.answer_all_questions", len(q.Questions))
	}
	for i, l := range r.Levels {
		if !l.Valid() {
			return r, apperr.Invalidf("answers", "rating.question_has_no_answer", i+1)
		}
	}
	r.Text = strings.TrimSpace(r.Text)
	if utf8.RuneCountInString(r.Text) > MaxComment {
		return r, apperr.Invalidf("text", "rating.the_comments_must_be_at_most", MaxComment)
	}
	return r, nil
}

// ErrAnswered refuses a second answer through one survey link (S7: once).
func ErrAnswered() error {
	return apperr.New(apperr.Conflict, "answers", "rating.this_questionnaire_has_been_answered_already")
}
