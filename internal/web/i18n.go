package web

import (
	"embed"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"

	"golang.org/x/text/language"

	"github.com/qingdan/qingdan/internal/web/httpx"
)

// The message catalogue: one flat JSON object per language, key → text.
// Texts may hold fmt verbs filled by View.T's arguments. Both files must
// have the same keys (tested).
//
//go:embed i18n/*.json
var i18nFS embed.FS

// Langs are the supported languages, the default first.
var Langs = []string{httpx.LangZh, httpx.LangEn}

// LangCookie remembers the language chosen with the switch.
const LangCookie = "lang"

type catalogue map[string]map[string]string // lang → key → text

func loadCatalogue() (catalogue, error) {
	c := catalogue{}
	for _, lang := range Langs {
		b, err := i18nFS.ReadFile("i18n/" + lang + ".json")
		if err != nil {
			return nil, fmt.Errorf("web: messages %s: %w", lang, err)
		}
		m := map[string]string{}
		if err := json.Unmarshal(b, &m); err != nil {
			return nil, fmt.Errorf("web: messages %s: %w", lang, err)
		}
		c[lang] = m
	}
	// Fail fast on a key missing from one language.
	for _, lang := range Langs {
		for k := range c[lang] {
			for _, other := range Langs {
				if _, ok := c[other][k]; !ok {
					return nil, fmt.Errorf("web: message %q is in %s.json but not in %s.json", k, lang, other)
				}
			}
		}
	}
	return c, nil
}

// has reports whether key exists (in every language, checked at load).
func (c catalogue) has(key string) bool {
	_, ok := c[Langs[0]][key]
	return ok
}

// keys returns every key, sorted.
func (c catalogue) keys() []string {
	out := make([]string, 0, len(c[Langs[0]]))
	for k := range c[Langs[0]] {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// text returns the message for key in lang, formatted with args. A missing
// key shows itself, so it is visible rather than blank; tests keep keys
// complete.
func (c catalogue) text(lang, key string, args ...any) string {
	s, ok := c[lang][key]
	if !ok {
		s, ok = c[Langs[0]][key]
	}
	if !ok {
		return key
	}
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
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
