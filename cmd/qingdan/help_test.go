package main

import (
	"regexp"
	"sort"
	"strings"
	"testing"
)

var (
	han         = regexp.MustCompile(`\p{Han}`)
	englishWord = regexp.MustCompile(`[A-Za-z]{2,}`)
	pairSlash   = regexp.MustCompile(`\s*/ +`)
)

// pairLine reports an inline sentence pair: Chinese on one side of a " / "
// (not a path's slash) and English words without Chinese on the other.
func pairLine(line string) bool {
	for _, m := range pairSlash.FindAllStringIndex(line, -1) {
		left, right := line[:m[0]], line[m[1]:]
		if line[m[0]] == '/' && !strings.HasSuffix(left, "）") {
			continue // "a/ b": not a pair's separator
		}
		if han.MatchString(left) && !han.MatchString(right) && len(englishWord.FindAllString(right, -1)) >= 1 ||
			han.MatchString(right) && !han.MatchString(left) && len(englishWord.FindAllString(left, -1)) >= 2 {
			return true
		}
	}
	return false
}

// TestHelp_CLI_oneLanguagePerProcess: issue #12 item 9 — the command line
// speaks the language QINGDAN_LANG (or the locale) chooses: `serve -h` is
// Chinese under zh and English under en, and no line of any command's help
// carries both languages.
func TestHelp_CLI_oneLanguagePerProcess(t *testing.T) {
	bin := buildQingdan(t)
	for _, c := range []struct{ lang, has, hasNot string }{
		{"zh", "监听地址", "listen address"},
		{"en", "listen address", "监听地址"},
	} {
		out, errOut, code := runBinLang(t, bin, c.lang, "serve", "-h")
		help := out + errOut
		if code != 0 || !strings.Contains(help, c.has) || strings.Contains(help, c.hasNot) {
			t.Errorf("QINGDAN_LANG=%s qingdan serve -h: exit %d, want %q and not %q:\n%s", c.lang, code, c.has, c.hasNot, help)
		}
	}
	names := []string{"help"}
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, lang := range []string{"zh", "en"} {
		for _, n := range names {
			args := []string{n, "-h"}
			if n == "help" {
				args = []string{"help"}
			}
			out, errOut, _ := runBinLang(t, bin, lang, args...)
			help := out + errOut
			if len(strings.TrimSpace(help)) == 0 {
				t.Errorf("%s: qingdan %s printed no help", lang, strings.Join(args, " "))
			}
			for _, line := range strings.Split(help, "\n") {
				if pairLine(line) {
					t.Errorf("%s: qingdan %s: a line in both languages: %q", lang, strings.Join(args, " "), line)
				}
				// English help is English: Chinese only as a quoted example
				// or a term given with its translation.
				if lang == "en" && han.MatchString(line) &&
					!strings.Contains(line, "清单系统 <noreply") && !strings.Contains(line, "(三员分立)") {
					t.Errorf("en: qingdan %s: Chinese in the English help: %q", strings.Join(args, " "), line)
				}
			}
		}
	}
}

// TestCLI_cliLang_QINGDAN_LANGThenLocale: the language is QINGDAN_LANG,
// else the first set of LC_ALL, LC_MESSAGES and LANG; zh* is Chinese,
// anything else English.
func TestCLI_cliLang_QINGDAN_LANGThenLocale(t *testing.T) {
	for _, c := range []struct {
		qingdan, lcAll, lcMessages, lang string
		want                             string
	}{
		{"zh", "en_US.UTF-8", "", "", "zh"},
		{"en", "zh_CN.UTF-8", "", "", "en"},
		{"", "zh_CN.UTF-8", "en_US.UTF-8", "", "zh"},
		{"", "", "zh_TW.UTF-8", "en_US.UTF-8", "zh"},
		{"", "", "", "zh_CN.UTF-8", "zh"},
		{"", "", "", "C", "en"},
		{"", "", "", "", "en"},
	} {
		t.Setenv("QINGDAN_LANG", c.qingdan)
		t.Setenv("LC_ALL", c.lcAll)
		t.Setenv("LC_MESSAGES", c.lcMessages)
		t.Setenv("LANG", c.lang)
		if got := cliLang(); got != c.want {
			t.Errorf("QINGDAN_LANG=%q LC_ALL=%q LC_MESSAGES=%q LANG=%q: %q, want %q", c.qingdan, c.lcAll, c.lcMessages, c.lang, got, c.want)
		}
	}
}
