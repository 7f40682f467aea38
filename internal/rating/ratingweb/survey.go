package ratingweb

import (
	"net/http"
	"strconv"

	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/rating"
	"github.com/qingdan/qingdan/internal/rating/ratingdb"
	"github.com/qingdan/qingdan/internal/web/page"
)

// The satisfaction surveys (S7): the supervisor's list and form, the
// results, and the applicant's questionnaire behind the SMS link.

type surveyForm struct {
	Title, Questions, Sample string
}

type surveysPage struct {
	Surveys []ratingdb.Survey
	Form    surveyForm
}

func (h *handlers) surveysPage(w http.ResponseWriter, r *http.Request) {
	h.showSurveys(w, r, http.StatusOK, surveyForm{Sample: "20"}, nil)
}

func (h *handlers) showSurveys(w http.ResponseWriter, r *http.Request, status int, f surveyForm, failure error) {
	ss, err := h.svc.Surveys(r.Context(), principal(r))
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	h.Render(w, r, status, "surveys", surveysPage{Surveys: ss, Form: f}, failure)
}

func (h *handlers) sendSurvey(w http.ResponseWriter, r *http.Request) {
	if err := page.ParseForm(w, r); err != nil {
		h.showSurveys(w, r, 0, surveyForm{}, err)
		return
	}
	f := surveyForm{Title: r.PostForm.Get("title"), Questions: r.PostForm.Get("questions"), Sample: r.PostForm.Get("sample")}
	n, err := strconv.Atoi(f.Sample)
	if err != nil {
		h.showSurveys(w, r, 0, f, apperr.Invalidf("sample", "ratingweb.the_sample_must_be_a_whole"))
		return
	}
	sv, err := h.svc.SendSurvey(r.Context(), principal(r), f.Title, f.Questions, n, h.publicURL)
	if err != nil {
		h.showSurveys(w, r, 0, f, err)
		return
	}
	page.Done(w, r, "/ratings/surveys/"+strconv.FormatInt(sv.ID, 10), "sent")
}

func (h *handlers) surveyPage(w http.ResponseWriter, r *http.Request) {
	res, err := h.svc.Results(r.Context(), principal(r), page.PathID(r))
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	h.Render(w, r, http.StatusOK, "survey", res, nil)
}

type answerPage struct {
	Token     string
	Questions []string
	Title     string
	Answered  bool
	Done      bool
}

func (h *handlers) answerPage(w http.ResponseWriter, r *http.Request) {
	h.showAnswer(w, r, http.StatusOK, false, nil)
}

func (h *handlers) showAnswer(w http.ResponseWriter, r *http.Request, status int, done bool, failure error) {
	w.Header().Set("Cache-Control", "no-store")
	token := r.PathValue("token")
	q, answered, err := h.svc.SurveyByToken(r.Context(), token)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	h.Render(w, r, status, "answer", answerPage{Token: token, Questions: q.Questions, Title: q.Title, Answered: answered, Done: done}, failure)
}

// answer reads one level per question (fields q0, q1 …) and the text.
func (h *handlers) answer(w http.ResponseWriter, r *http.Request) {
	if err := page.ParseForm(w, r); err != nil {
		h.showAnswer(w, r, 0, false, err)
		return
	}
	q, _, err := h.svc.SurveyByToken(r.Context(), r.PathValue("token"))
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	resp := rating.Response{Text: r.PostForm.Get("text")}
	for i := range q.Questions {
		l, _ := rating.ParseLevel("answers", r.PostForm.Get("q"+strconv.Itoa(i))) // an unanswered one is 0: Check names it
		resp.Levels = append(resp.Levels, l)
	}
	if err := h.svc.AnswerSurvey(r.Context(), r.PathValue("token"), resp); err != nil {
		h.showAnswer(w, r, 0, false, err)
		return
	}
	h.showAnswer(w, r, http.StatusCreated, true, nil)
}
