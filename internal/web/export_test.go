package web

import "testing"

// UntranslatedTemplates makes s render every page with its templates as
// parsed, each message looked up at run time by View.T: the reference the
// pre-translated templates must match byte for byte.
func UntranslatedTemplates(t testing.TB, s *Server) {
	t.Helper()
	pages, err := parseTemplates(s.assets)
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range Langs {
		s.pages[lang] = pages
	}
}
