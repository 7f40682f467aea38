package caseworkweb

import (
	"net/http"
	"strconv"

	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/casework/caseworkdb"
	"github.com/qingdan/qingdan/internal/web/page"
)

// The A/B post page (AB岗, H13): a staff member marks themselves away and
// back; the head of a unit also names each of the unit's staff's backup
// and may mark them away. While a case's first responder is away, the
// backup acts on its window steps.

type postsPage struct {
	Posts []caseworkdb.Post
}

func (h *pages) postsPage(w http.ResponseWriter, r *http.Request) {
	h.showPosts(w, r, http.StatusOK, nil)
}

func (h *pages) showPosts(w http.ResponseWriter, r *http.Request, status int, failure error) {
	ps, err := h.svc.UnitPosts(r.Context(), principal(r))
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	h.render(w, r, status, "posts", postsPage{Posts: ps}, failure)
}

// setPost saves one post's form: the staff member, away (checkbox), the backup (a select,
// only on the forms of those who may name one) and the version shown.
func (h *pages) setPost(w http.ResponseWriter, r *http.Request) {
	if err := page.ParseForm(w, r); err != nil {
		h.showPosts(w, r, 0, err)
		return
	}
	staff, err := strconv.ParseInt(r.PostForm.Get("staff"), 10, 64)
	if err != nil || staff <= 0 {
		h.showPosts(w, r, 0, apperr.NotFoundf("caseworkweb.no_such_staff_member"))
		return
	}
	v, err := strconv.ParseInt(r.PostForm.Get("version"), 10, 64)
	if err != nil || v < 0 {
		h.showPosts(w, r, 0, apperr.VersionMissing())
		return
	}
	ch := caseworkdb.PostChange{Away: r.PostForm.Get("away") == "on"}
	if r.PostForm.Has("backup") {
		b, err := strconv.ParseInt(r.PostForm.Get("backup"), 10, 64)
		if err != nil || b < 0 {
			h.showPosts(w, r, 0, apperr.Invalidf("backup", "caseworkweb.choose_the_backup"))
			return
		}
		ch.Backup = &b
	}
	if err := h.svc.SetABPost(r.Context(), principal(r), staff, ch, v); err != nil {
		h.showPosts(w, r, 0, err)
		return
	}
	page.Done(w, r, "/cases/ab-post", "post")
}
