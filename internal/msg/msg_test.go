package msg

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
)

// TestCatalogue_everyIDInBothLanguages: an ID in one language only, or
// with an empty text, fails; so do texts whose verbs disagree (one language
// would render %!(EXTRA …) or %!s(MISSING)) unless they index them.
func TestCatalogue_everyIDInBothLanguages(t *testing.T) {
	zh, en := IDs("zh"), IDs("en")
	if len(zh) < 100 {
		t.Fatalf("only %d messages: is the catalogue embedded?", len(zh))
	}
	for _, id := range zh {
		if _, ok := texts["en"][id]; !ok {
			t.Errorf("%q is in zh only", id)
		}
	}
	for _, id := range en {
		if _, ok := texts["zh"][id]; !ok {
			t.Errorf("%q is in en only", id)
		}
	}
	verb := regexp.MustCompile(`%(\[\d+\])?[-+# 0-9.]*[a-zA-Z%]`)
	for _, id := range zh {
		z, e := texts["zh"][id], texts["en"][id]
		if strings.TrimSpace(z) == "" || strings.TrimSpace(e) == "" {
			t.Errorf("%q has an empty text", id)
		}
		if strings.Contains(z, "%[") || strings.Contains(e, "%[") {
			continue
		}
		// The count, not the letters: “%s” in Chinese is %q in English.
		if a, b := verb.FindAllString(z, -1), verb.FindAllString(e, -1); len(a) != len(b) {
			t.Errorf("%q: verbs %v in zh, %v in en", id, a, b)
		}
	}
}

// TestLoad_refusesOneLanguageOnlyAndStrangers: the loader itself refuses
// an ID outside its file's package and one defined twice.
func TestLoad_refusesOneLanguageOnlyAndStrangers(t *testing.T) {
	for name, fsys := range map[string]fstest.MapFS{
		"stranger": {"zh/a.json": {Data: []byte(`{"b.x": "乙"}`)}, "en/a.json": {Data: []byte(`{"b.x": "b"}`)}},
		"broken":   {"zh/a.json": {Data: []byte(`{"a.x": `)}},
	} {
		if _, err := load(fsys); err == nil {
			t.Errorf("%s: loaded", name)
		}
	}
	c, err := load(fstest.MapFS{"zh/a.json": {Data: []byte(`{"a.x": "甲%s"}`)}, "en/a.json": {Data: []byte(`{"a.x": "a%s"}`)}})
	if err != nil || c["zh"]["a.x"] != "甲%s" || c["en"]["a.x"] != "a%s" {
		t.Errorf("%v, %v", c, err)
	}
}

func TestText_argumentsInTheLanguage(t *testing.T) {
	id := "apperr.stale"
	inner := Both{Zh: "人员「张三」", En: "staff member 张三"}
	if got := Text("zh", id, inner); !strings.HasPrefix(got, "人员「张三」已被他人修改") {
		t.Errorf("zh: %q", got)
	}
	if got := Text("en", id, M("no.such.id")); !strings.HasPrefix(got, "no.such.id was changed") {
		t.Errorf("en, nested unknown ID shows itself: %q", got)
	}
	if got := Text("fr", "no.such.id"); got != "no.such.id" {
		t.Errorf("unknown: %q", got)
	}
	args := []any{inner}
	Text("en", id, args...)
	if args[0] != any(inner) {
		t.Error("Text changed its caller's arguments")
	}
	if Catalogue("apperr").Text("en", "internal") != "internal server error" || !Catalogue("apperr").Has("stale") {
		t.Error("Catalogue does not prefix its keys")
	}
}

// keyArg is where a message ID is given: the index of the ID among a call's
// arguments, by the called function.
var keyArg = map[string]int{
	"apperr.New": 2, "apperr.Invalidf": 1, "apperr.NotFoundf": 0, "apperr.Conflictf": 0,
	"apperr.Forbiddenf": 0, "apperr.Stale": 0, "msg.M": 0, "msg.Text": 1,
}

// TestCatalogue_everyIDUsedExists: every message ID the code gives as a
// literal — to apperr's constructors, msg.M and msg.Text, as an
// apperr.Error's Key, or as any call's argument that looks like one of its
// package's IDs (pkg.some_slug: the helpers that take a key) — is in the
// catalogue.
func TestCatalogue_everyIDUsedExists(t *testing.T) {
	root := filepath.Join("..", "..")
	idRE := regexp.MustCompile(`^[a-z]+(\.[a-zA-Z0-9_]+)+$`)
	packages := map[string]bool{}
	for _, id := range IDs("zh") {
		packages[id[:strings.IndexByte(id, '.')]] = true
	}
	fset := token.NewFileSet()
	checked := 0
	check := func(pos token.Pos, lit ast.Expr) {
		b, ok := lit.(*ast.BasicLit)
		if !ok || b.Kind != token.STRING {
			return
		}
		s, err := strconv.Unquote(b.Value)
		if err != nil {
			return
		}
		checked++
		if !Has(s) {
			t.Errorf("%s: message %q is in no catalogue", fset.Position(pos), s)
		}
	}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if n := d.Name(); n == ".git" || n == "testdata" || n == "node_modules" {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		pkg := strings.TrimSuffix(f.Name.Name, "_test")
		if pkg == "main" {
			pkg = filepath.Base(filepath.Dir(path))
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.CallExpr:
				if sel, ok := n.Fun.(*ast.SelectorExpr); ok {
					if x, ok := sel.X.(*ast.Ident); ok {
						if i, ok := keyArg[x.Name+"."+sel.Sel.Name]; ok && i < len(n.Args) {
							if sentence(n.Args[i]) {
								t.Errorf("%s: a sentence where a message ID belongs", fset.Position(n.Pos()))
							}
							check(n.Pos(), n.Args[i])
							return true
						}
					}
				}
				for _, a := range n.Args {
					b, ok := a.(*ast.BasicLit)
					if !ok || b.Kind != token.STRING {
						continue
					}
					s, _ := strconv.Unquote(b.Value)
					// pkg.slug: one dot (events are pkg.object.verb).
					if packages[pkg] && strings.HasPrefix(s, pkg+".") && idRE.MatchString(s) && strings.Count(s, ".") == 1 && strings.Contains(s, "_") {
						check(a.Pos(), a)
					}
				}
			case *ast.CompositeLit:
				if sel, ok := n.Type.(*ast.SelectorExpr); ok && sel.Sel.Name == "Error" {
					for _, e := range n.Elts {
						if kv, ok := e.(*ast.KeyValueExpr); ok {
							if k, ok := kv.Key.(*ast.Ident); ok && k.Name == "Key" {
								check(kv.Pos(), kv.Value)
							}
						}
					}
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < 500 {
		t.Fatalf("only %d IDs found in the code: is the walk broken?", checked)
	}
}

// sentence: a text built in place (fmt.Sprintf, or a literal that is no
// ID's part: "…" + name) — the old inline form, which compiles where an ID
// belongs; "org.object." + what is a key.
func sentence(e ast.Expr) bool {
	idPart := regexp.MustCompile(`^[a-z0-9_.]*$`)
	found := false
	ast.Inspect(e, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.CallExpr:
			if sel, ok := n.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "Sprintf" {
				found = true
			}
		case *ast.BasicLit:
			s, err := strconv.Unquote(n.Value)
			found = n.Kind == token.STRING && err == nil && !idPart.MatchString(s)
		}
		return !found
	})
	return found
}

// FuzzLoad: any catalogue file is loaded or refused, never a panic; what
// loads is its package's IDs only.
func FuzzLoad(f *testing.F) {
	f.Add(`{"a.x": "甲%s"}`, `{"a.x": "a%s"}`)
	f.Add(`{"b.x": "乙"}`, `{}`)
	f.Add(`[1]`, `{"a.": ""}`)
	f.Fuzz(func(t *testing.T, zh, en string) {
		c, err := load(fstest.MapFS{"zh/a.json": {Data: []byte(zh)}, "en/a.json": {Data: []byte(en)}})
		if err != nil {
			return
		}
		for _, lang := range Langs {
			for id := range c[lang] {
				if !strings.HasPrefix(id, "a.") {
					t.Fatalf("%s: %q loaded from a.json", lang, id)
				}
			}
		}
	})
}

func TestName_enumerationValues(t *testing.T) {
	if Name("en", "apperr", "stale") != Text("en", "apperr.stale") || Name("fr", "apperr", "stale") != Text("zh", "apperr.stale") {
		t.Error("Name does not read prefix.value")
	}
	if Name("en", "apperr", "no_such_value") != "no_such_value" {
		t.Error("an unnamed value does not show itself")
	}
	if v, ok := Named("apperr", "stale", "no_such_value"); ok || v != "no_such_value" {
		t.Errorf("Named: %q %v", v, ok)
	}
	if _, ok := Named("apperr", "stale", "internal"); !ok {
		t.Error("Named refuses named values")
	}
}
