package web

import (
	"net/http"
	"strings"

	"golang.org/x/text/language"

	"github.com/qingdan/qingdan/internal/msg"
	"github.com/qingdan/qingdan/internal/web/httpx"
)

// Langs are the supported languages, the default first.
var Langs = []string{httpx.LangZh, httpx.LangEn}

// LangCookie remembers the language chosen with the switch.
const LangCookie = "lang"

// catalogue is the shell's words: its part of the one message catalogue
// (internal/msg), keys prefixed "web.".
type catalogue struct{}

const webPrefix = "web."

// has reports whether key exists.
func (catalogue) has(key string) bool { return msg.Has(webPrefix + key) }

// keys returns every key, sorted, without the prefix.
func (catalogue) keys() []string {
	var out []string
	for _, id := range msg.IDs(httpx.LangZh) {
		if k, ok := strings.CutPrefix(id, webPrefix); ok {
			out = append(out, k)
		}
	}
	return out
}

// text returns the message for key in lang, formatted with args. A missing
// key shows itself, so it is visible rather than blank; tests keep keys
// complete.
func (catalogue) text(lang, key string, args ...any) string {
	return msg.Text(lang, webPrefix+key, args...)
}

// negotiate picks the language: the switch's cookie first, then
// Accept-Language, then Chinese.
func negotiate(r *http.Request) string {
	if c, err := r.Cookie(LangCookie); err == nil {
		for _, l := range Langs {
			if c.Value == l {
				return l
			}
		}
	}
	return matchLang(r.Header.Get("Accept-Language"))
}

// matchLang maps an Accept-Language header to a supported language by
// base language, in the client's order of preference: zh-CN, zh-Hans and
// even zh-TW read Chinese (Simplified is closer to them than English).
func matchLang(accept string) string {
	tags, _, err := language.ParseAcceptLanguage(accept)
	if err != nil {
		return httpx.LangZh
	}
	for _, tag := range tags {
		base, _ := tag.Base()
		switch base.String() {
		case "zh":
			return httpx.LangZh
		case "en":
			return httpx.LangEn
		}
	}
	return httpx.LangZh
}
