package main

import (
	"os"
	"strings"

	"github.com/qingdan/qingdan/internal/msg"
)

// lang is the language of the command line's text, chosen once at start
// (see cliLang); run chooses it again so that a test's QINGDAN_LANG holds.
var lang = cliLang()

// cliLang is QINGDAN_LANG, else the locale (LC_ALL, LC_MESSAGES, LANG, the
// first set): "zh" for a zh* locale, otherwise "en".
func cliLang() string {
	for _, name := range []string{"QINGDAN_LANG", "LC_ALL", "LC_MESSAGES", "LANG"} {
		v := strings.ToLower(strings.TrimSpace(os.Getenv(name)))
		if v == "" {
			continue
		}
		if strings.HasPrefix(v, "zh") {
			return "zh"
		}
		return "en"
	}
	return "en"
}

// t is message id of the catalogue in the command line's language.
func t(id string, args ...any) string { return msg.Text(lang, id, args...) }
