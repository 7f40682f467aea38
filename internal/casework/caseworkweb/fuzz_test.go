package caseworkweb

import (
	"errors"
	"net/url"
	"testing"

	"github.com/qingdan/qingdan/internal/apperr"
)

// FuzzFormAction: whatever an action form carries, reading it either gives
// an action with its id or refuses with a message naming the field, in
// both languages; it never panics.
func FuzzFormAction(f *testing.F) {
	for _, s := range []string{
		"action=accept",
		"action=extend&days=5&reason=%E5%A4%8D%E6%9D%82",
		"action=extend&days=-1",
		"action=notify&notified_at=2026-03-02T09:00",
		"action=notify&notified_at=yesterday",
		"action=request_supplement&missing=a&missing=b",
		"days=99999999999999999999",
		"action=%20",
		"",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		v, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		a, err := formAction(v)
		if err != nil {
			var e *apperr.Error
			if !errors.As(err, &e) || e.Field == "" || e.Message("zh") == "" || e.Message("en") == "" {
				t.Fatalf("%q: refusal %v does not name its field in both languages", raw, err)
			}
			return
		}
		if a.ID == "" || a.Days < 0 {
			t.Fatalf("%q: read as %+v", raw, a)
		}
	})
}

// FuzzRegisterForm: the register and apply forms are read into an
// application or refused naming the item; nothing panics.
func FuzzRegisterForm(f *testing.F) {
	f.Add("kind=person&name=x&resident_id=11010519491231002X&materials=a", "XK0001")
	f.Add("kind=organisation&credit_code=91330100MA27XXXX0X", "")
	f.Add("kind=robot", " ")
	f.Fuzz(func(t *testing.T, raw, item string) {
		v, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		form := registerForm{Kind: v.Get("kind"), Name: v.Get("name"), ID: v.Get("resident_id"), Code: v.Get("credit_code"),
			Materials: v["materials"], Delivery: v.Get("delivery")}
		app, err := applicationOf(form, item)
		if err != nil {
			if apperr.As(err).Field != "item" {
				t.Fatalf("refusal %v does not name the item", err)
			}
			return
		}
		if app.Item == "" || len(app.Materials) != len(form.Materials) {
			t.Fatalf("%q %q: read as %+v", raw, item, app)
		}
	})
}
