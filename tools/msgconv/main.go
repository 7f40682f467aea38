// Command msgconv moves qingdan's user-visible text into the message
// catalogues of internal/msg: inline Chinese/English pairs in calls
// (apperr.Invalidf(field, "中文", "English", …), helpers taking zh, en),
// apperr.Error{Zh:, En:} literals, page.Messages{…} tables and the old
// internal/web/i18n/{zh,en}.json. It is idempotent: converted code has no
// pair left, and a pair whose texts are already catalogued reuses its ID.
// See README.md.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode"
)

const msgImport = "github.com/qingdan/qingdan/internal/msg"

var langs = []string{"zh", "en"}

// catalogue is package → lang → ID → text.
type catalogue map[string]map[string]map[string]string

func (c catalogue) pkg(p string) map[string]map[string]string {
	if c[p] == nil {
		c[p] = map[string]map[string]string{"zh": {}, "en": {}}
	}
	return c[p]
}

// put sets an ID's texts (the source's words win over the catalogue's).
func (c catalogue) put(p, id, zh, en string) {
	m := c.pkg(p)
	m["zh"][id], m["en"][id] = zh, en
}

// idFor returns the ID of the pair in package p: the one already holding
// exactly these texts, else the slug of the English, numbered on a clash.
func (c catalogue) idFor(p, zh, en string) string {
	m := c.pkg(p)
	var same []string
	for id, t := range m["en"] {
		if t == en && m["zh"][id] == zh {
			same = append(same, id)
		}
	}
	if len(same) > 0 {
		sort.Strings(same)
		return same[0]
	}
	base := p + "." + slug(en)
	id := base
	for n := 2; ; n++ {
		if _, taken := m["en"][id]; !taken {
			break
		}
		id = base + "_" + strconv.Itoa(n)
	}
	c.put(p, id, zh, en)
	return id
}

var verbRE = regexp.MustCompile(`%(\[\d+\])?[-+# 0]*\d*(\.\d+)?[a-zA-Z]`)

func slug(en string) string {
	en = verbRE.ReplaceAllString(en, " ")
	var words []string
	var w strings.Builder
	flush := func() {
		if w.Len() > 0 {
			words = append(words, w.String())
			w.Reset()
		}
	}
	for _, r := range strings.ToLower(en) {
		if r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
			w.WriteRune(r)
		} else {
			flush()
		}
	}
	flush()
	if len(words) > 6 {
		words = words[:6]
	}
	if len(words) == 0 {
		return "text"
	}
	return strings.Join(words, "_")
}

func main() {
	repo := flag.String("repo", ".", "the qingdan repository (worktree) to convert")
	dry := flag.Bool("n", false, "report only, change nothing")
	flag.BoolVar(&withTests, "tests", true, "convert apperr calls in _test.go files too (their IDs go to the package under test)")
	flag.Parse()
	if err := run(*repo, *dry); err != nil {
		fmt.Fprintln(os.Stderr, "msgconv:", err)
		os.Exit(1)
	}
}

var withTests bool

type conv struct {
	cat     catalogue
	fset    *token.FileSet
	left    []string // pairs that need a hand
	changed int
	pairs   int
}

func run(repo string, dry bool) error {
	c := &conv{cat: catalogue{}, fset: token.NewFileSet()}
	msgDir := filepath.Join(repo, "internal", "msg")
	if err := c.loadCatalogues(msgDir); err != nil {
		return err
	}
	oldI18n := filepath.Join(repo, "internal", "web", "i18n")
	absorbed, err := c.absorbJSON(oldI18n, "web")
	if err != nil {
		return err
	}
	var files []string
	err = filepath.WalkDir(repo, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			switch d.Name() {
			case ".git", "testdata", "vendor", "node_modules":
				return filepath.SkipDir
			}
			if p == msgDir {
				return filepath.SkipDir
			}
			return nil
		}
		if strings.HasSuffix(p, ".go") && (withTests || !strings.HasSuffix(p, "_test.go")) {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		return err
	}
	sort.Strings(files)
	out := map[string][]byte{}
	for _, f := range files {
		b, err := c.file(f)
		if err != nil {
			return err
		}
		if b != nil {
			out[f] = b
		}
	}
	fmt.Printf("msgconv: %d pairs converted in %d files; %d keys absorbed from %s\n", c.pairs, len(out), absorbed, oldI18n)
	for _, l := range c.left {
		fmt.Println("left for a hand:", l)
	}
	if dry {
		return nil
	}
	for f, b := range out {
		if err := os.WriteFile(f, b, 0o644); err != nil {
			return err
		}
	}
	if absorbed > 0 {
		for _, l := range langs {
			if err := os.Remove(filepath.Join(oldI18n, l+".json")); err != nil {
				return err
			}
		}
	}
	return c.writeCatalogues(msgDir)
}

func (c *conv) loadCatalogues(dir string) error {
	for _, l := range langs {
		names, _ := filepath.Glob(filepath.Join(dir, l, "*.json"))
		for _, n := range names {
			b, err := os.ReadFile(n)
			if err != nil {
				return err
			}
			m := map[string]string{}
			if err := json.Unmarshal(b, &m); err != nil {
				return fmt.Errorf("%s: %w", n, err)
			}
			p := strings.TrimSuffix(filepath.Base(n), ".json")
			for id, t := range m {
				c.cat.pkg(p)[l][id] = t
			}
		}
	}
	return nil
}

// absorbJSON moves a flat key → text catalogue per language (the old
// internal/web/i18n) into package p's, prefixing its keys.
func (c *conv) absorbJSON(dir, p string) (int, error) {
	n := 0
	for _, l := range langs {
		b, err := os.ReadFile(filepath.Join(dir, l+".json"))
		if os.IsNotExist(err) {
			return 0, nil
		}
		if err != nil {
			return 0, err
		}
		m := map[string]string{}
		if err := json.Unmarshal(b, &m); err != nil {
			return 0, fmt.Errorf("%s/%s.json: %w", dir, l, err)
		}
		for k, t := range m {
			c.cat.pkg(p)[l][p+"."+k] = t
		}
		n = len(m)
	}
	return n, nil
}

func (c *conv) writeCatalogues(dir string) error {
	for p, byLang := range c.cat {
		for _, l := range langs {
			var buf bytes.Buffer
			enc := json.NewEncoder(&buf)
			enc.SetEscapeHTML(false)
			enc.SetIndent("", "  ")
			if err := enc.Encode(byLang[l]); err != nil { // map keys come out sorted
				return err
			}
			if err := os.MkdirAll(filepath.Join(dir, l), 0o755); err != nil {
				return err
			}
			if err := os.WriteFile(filepath.Join(dir, l, p+".json"), buf.Bytes(), 0o644); err != nil {
				return err
			}
		}
	}
	return nil
}

// file converts one Go file; it returns nil when nothing changed.
func (c *conv) file(path string) ([]byte, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if !bytes.ContainsFunc(src, isHan) {
		return nil, nil
	}
	f, err := parser.ParseFile(c.fset, path, src, parser.ParseComments|parser.SkipObjectResolution)
	if err != nil {
		return nil, err
	}
	pkg := strings.TrimSuffix(f.Name.Name, "_test")
	if pkg == "main" {
		pkg = filepath.Base(filepath.Dir(path))
	}
	if pkg == "msg" {
		return nil, nil
	}
	before := c.pairs
	needMsg := false
	// A table var messages = page.Messages{…} becomes page.Messages("pkg").
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok {
			continue
		}
		for _, sp := range g.Specs {
			vs, ok := sp.(*ast.ValueSpec)
			if !ok {
				continue
			}
			for i, v := range vs.Values {
				lit, ok := v.(*ast.CompositeLit)
				if !ok {
					continue
				}
				switch {
				case isSel(lit.Type, "page", "Messages"):
					c.messagesTable(pkg, pkg, lit)
					vs.Values[i] = &ast.CallExpr{Fun: lit.Type, Lparen: lit.Lbrace, Args: []ast.Expr{quote(pkg)}, Rparen: lit.Lbrace}
				case isPairMap(lit.Type) && i < len(vs.Names) && c.pairTable(lit):
					// var words = map[string][2]string{"k": {"中文", "English"}}
					// becomes msg.Catalogue("pkg.words").
					prefix := pkg + "." + vs.Names[i].Name
					c.messagesTable(pkg, prefix, lit)
					vs.Values[i] = &ast.CallExpr{Fun: &ast.SelectorExpr{X: ast.NewIdent("msg"), Sel: ast.NewIdent("Catalogue")},
						Lparen: lit.Lbrace, Args: []ast.Expr{quote(prefix)}, Rparen: lit.Lbrace}
					needMsg = true
				}
			}
		}
	}
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.CompositeLit:
			if isSel(n.Type, "apperr", "Error") || (pkg == "apperr" && isIdent(n.Type, "Error")) {
				if c.errorLiteral(path, pkg, n) {
					needMsg = needMsg || c.usesBoth(n)
				}
			}
		case *ast.CallExpr:
			// In tests, pairs are often a test's own data: only apperr's
			// constructors are converted there.
			if strings.HasSuffix(path, "_test.go") && !isApperr(n.Fun) {
				return true
			}
			if c.call(path, pkg, n) {
				needMsg = needMsg || c.usesBoth(n)
			}
		}
		return true
	})
	if c.pairs == before {
		return nil, nil
	}
	if needMsg && pkg != "msg" {
		addImport(f, msgImport)
	}
	if !uses(f, "fmt") {
		dropImport(f, "fmt")
	}
	var buf bytes.Buffer
	if err := format.Node(&buf, c.fset, f); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return buf.Bytes(), nil
}

func isHan(r rune) bool {
	return unicode.Is(unicode.Han, r) || (r >= 0x3000 && r <= 0x303f) || (r >= 0xff00 && r <= 0xffef)
}

func isSel(e ast.Expr, x, sel string) bool {
	s, ok := e.(*ast.SelectorExpr)
	return ok && isIdent(s.X, x) && s.Sel.Name == sel
}

func isApperr(e ast.Expr) bool {
	s, ok := e.(*ast.SelectorExpr)
	return ok && isIdent(s.X, "apperr")
}

func isIdent(e ast.Expr, name string) bool {
	id, ok := e.(*ast.Ident)
	return ok && id.Name == name
}

// isPairMap: map[string][2]string.
func isPairMap(e ast.Expr) bool {
	m, ok := e.(*ast.MapType)
	if !ok || !isIdent(m.Key, "string") {
		return false
	}
	a, ok := m.Value.(*ast.ArrayType)
	if !ok || !isIdent(a.Elt, "string") {
		return false
	}
	n, ok := a.Len.(*ast.BasicLit)
	return ok && n.Value == "2"
}

// pairTable: every entry is "k": {"中文", "English"}.
func (c *conv) pairTable(lit *ast.CompositeLit) bool {
	for _, e := range lit.Elts {
		kv, ok := e.(*ast.KeyValueExpr)
		if !ok {
			return false
		}
		pair, ok := kv.Value.(*ast.CompositeLit)
		if !ok || len(pair.Elts) != 2 {
			return false
		}
		if _, _, ok := pairAt(pair.Elts, 0); !ok {
			return false
		}
	}
	return len(lit.Elts) > 0
}

// messagesTable moves a table {"k": {"中文", "English"}} into the catalogue
// as prefix.k (its literal is then replaced by the prefix).
func (c *conv) messagesTable(pkg, prefix string, lit *ast.CompositeLit) {
	for _, e := range lit.Elts {
		kv, ok := e.(*ast.KeyValueExpr)
		if !ok {
			continue
		}
		k, ok1 := strLit(kv.Key)
		pair, ok2 := kv.Value.(*ast.CompositeLit)
		if !ok1 || !ok2 || len(pair.Elts) != 2 {
			c.left = append(c.left, c.fset.Position(kv.Pos()).String()+": page.Messages entry not a literal pair")
			continue
		}
		zh, ok1 := strLit(pair.Elts[0])
		en, ok2 := strLit(pair.Elts[1])
		if !ok1 || !ok2 {
			c.left = append(c.left, c.fset.Position(kv.Pos()).String()+": page.Messages entry not a literal pair")
			continue
		}
		c.cat.put(pkg, prefix+"."+k, zh, en)
	}
	c.pairs++
}

func strLit(e ast.Expr) (string, bool) {
	b, ok := e.(*ast.BasicLit)
	if !ok || b.Kind != token.STRING {
		return "", false
	}
	s, err := strconv.Unquote(b.Value)
	return s, err == nil
}

func quote(s string) *ast.BasicLit { return &ast.BasicLit{Kind: token.STRING, Value: strconv.Quote(s)} }

// text is one side of a pair taken apart: a format and its arguments.
type text struct {
	format string
	args   []ast.Expr
	plain  bool // a single literal: its verbs belong to the call's own arguments
}

// side returns e as a text when it is one: a string literal, fmt.Sprintf of
// a literal, or a + concatenation of literals and expressions.
func side(e ast.Expr) (text, bool) {
	if s, ok := strLit(e); ok {
		return text{format: s, plain: true}, true
	}
	if call, ok := e.(*ast.CallExpr); ok && isSel(call.Fun, "fmt", "Sprintf") && len(call.Args) > 0 {
		if s, ok := strLit(call.Args[0]); ok {
			return text{format: s, args: call.Args[1:]}, true
		}
		return text{}, false
	}
	b, ok := e.(*ast.BinaryExpr)
	if !ok || b.Op != token.ADD {
		return text{}, false
	}
	var pieces []ast.Expr
	var flat func(ast.Expr)
	flat = func(e ast.Expr) {
		if b, ok := e.(*ast.BinaryExpr); ok && b.Op == token.ADD {
			flat(b.X)
			flat(b.Y)
			return
		}
		if p, ok := e.(*ast.ParenExpr); ok {
			flat(p.X)
			return
		}
		pieces = append(pieces, e)
	}
	flat(b)
	var t text
	var lits []string
	for _, p := range pieces {
		if s, ok := strLit(p); ok {
			lits = append(lits, s)
			t.format += "\x00" + s + "\x01"
			continue
		}
		t.format += "%s"
		t.args = append(t.args, p)
	}
	if len(lits) == 0 {
		return text{}, false
	}
	// Literal pieces are text, not formats: escape their % when the result
	// has arguments (msg.Text formats only then).
	esc := func(s string) string {
		if len(t.args) == 0 {
			return s
		}
		return strings.ReplaceAll(s, "%", "%%")
	}
	var out strings.Builder
	for _, part := range strings.Split(t.format, "\x00") {
		if i := strings.IndexByte(part, '\x01'); i >= 0 {
			out.WriteString(esc(part[:i]))
			out.WriteString(part[i+1:])
			continue
		}
		out.WriteString(part)
	}
	t.format = out.String()
	return t, true
}

func hasHan(t text) bool { return strings.IndexFunc(t.format, isHan) >= 0 }

// english: mostly Latin letters — an English text may quote a Chinese name
// ("there is no item %s on sheet 事项"), but has more than twice as many
// letters as Chinese characters.
func english(t text) bool {
	letters, han := 0, 0
	for _, r := range verbRE.ReplaceAllString(t.format, "") {
		switch {
		case r < 128 && unicode.IsLetter(r):
			letters++
		case isHan(r):
			han++
		}
	}
	return letters > 0 && letters > 2*han
}

// pairAt reports whether args[i], args[i+1] are a Chinese and an English text.
func pairAt(args []ast.Expr, i int) (zh, en text, ok bool) {
	zh, ok1 := side(args[i])
	en, ok2 := side(args[i+1])
	if !ok1 || !ok2 || !hasHan(zh) || !english(en) {
		return text{}, text{}, false
	}
	return zh, en, true
}

func (c *conv) call(path, pkg string, call *ast.CallExpr) bool {
	if isSel(call.Fun, "fmt", "Sprintf") || isSel(call.Fun, "fmt", "Errorf") || isSel(call.Fun, "fmt", "Fprintf") {
		return false
	}
	for i := 0; i+1 < len(call.Args); i++ {
		zh, en, ok := pairAt(call.Args, i)
		if !ok {
			continue
		}
		trailing := call.Args[i+2:]
		if (!zh.plain || !en.plain) && len(trailing) > 0 {
			c.left = append(c.left, c.fset.Position(call.Pos()).String()+": a built text followed by arguments")
			return false
		}
		zf, ef, args, ok := c.combine(zh, en)
		if !ok {
			c.left = append(c.left, c.fset.Position(call.Pos()).String()+": the two texts' arguments do not line up")
			return false
		}
		id := c.cat.idFor(pkg, zf, ef)
		n := append([]ast.Expr{}, call.Args[:i]...)
		n = append(n, quote(id))
		n = append(n, args...)
		n = append(n, trailing...)
		call.Args = n
		if call.Ellipsis.IsValid() && len(trailing) == 0 && len(args) == 0 {
			call.Ellipsis = token.NoPos
		}
		c.pairs++
		return true
	}
	return false
}

// errorLiteral turns apperr.Error{…, Zh: a, En: b} into {…, Key: id, Args: …}.
func (c *conv) errorLiteral(path, pkg string, lit *ast.CompositeLit) bool {
	zi, ei := -1, -1
	for i, e := range lit.Elts {
		if kv, ok := e.(*ast.KeyValueExpr); ok {
			switch {
			case isIdent(kv.Key, "Zh"):
				zi = i
			case isIdent(kv.Key, "En"):
				ei = i
			}
		}
	}
	if zi < 0 || ei < 0 {
		return false
	}
	zk, ek := lit.Elts[zi].(*ast.KeyValueExpr), lit.Elts[ei].(*ast.KeyValueExpr)
	zh, en, ok := pairAt([]ast.Expr{zk.Value, ek.Value}, 0)
	if !ok {
		c.left = append(c.left, c.fset.Position(lit.Pos()).String()+": apperr.Error with Zh/En that are not texts")
		return false
	}
	zf, ef, args, ok := c.combine(zh, en)
	if !ok {
		c.left = append(c.left, c.fset.Position(lit.Pos()).String()+": the two texts' arguments do not line up")
		return false
	}
	id := c.cat.idFor(pkg, zf, ef)
	zk.Key, zk.Value = ast.NewIdent("Key"), quote(id)
	if len(args) > 0 {
		ek.Key, ek.Value = ast.NewIdent("Args"), &ast.CompositeLit{Type: &ast.ArrayType{Elt: ast.NewIdent("any")}, Elts: args}
	} else {
		lit.Elts = append(lit.Elts[:ei], lit.Elts[ei+1:]...)
	}
	c.pairs++
	return true
}

// combine joins the two sides' arguments into one list: the same expression
// is one argument; X.Zh()/X.En() (or .Zh/.En, .In("zh")/.In("en")) become
// X; when the English takes them in another
// order, both formats index their verbs explicitly (%[2]s).
func (c *conv) combine(zh, en text) (string, string, []ast.Expr, bool) {
	zn, en1 := verbs(zh.format), verbs(en.format)
	if zh.plain && en.plain {
		return zh.format, en.format, nil, true
	}
	if zn < 0 || en1 < 0 || zn != len(zh.args) || en1 != len(en.args) {
		return "", "", nil, false
	}
	args := append([]ast.Expr{}, zh.args...)
	order := make([]int, len(en.args)) // en arg j → index in args
	for j, a := range en.args {
		order[j] = -1
		s := c.src(a)
		for i, z := range zh.args {
			if c.src(z) == s {
				order[j] = i
				break
			}
		}
		if order[j] >= 0 {
			continue
		}
		b := base(s)
		for i, z := range zh.args {
			if zs := c.src(z); base(zs) == b && b != s && b != zs {
				args[i] = &ast.CompositeLit{Type: &ast.SelectorExpr{X: ast.NewIdent("msg"), Sel: ast.NewIdent("Both")},
					Elts: []ast.Expr{&ast.KeyValueExpr{Key: ast.NewIdent("Zh"), Value: z}, &ast.KeyValueExpr{Key: ast.NewIdent("En"), Value: a}}}
				order[j] = i
				break
			}
		}
		if order[j] < 0 {
			args = append(args, a)
			order[j] = len(args) - 1
		}
	}
	same := len(args) == len(zh.args) && len(order) == len(args)
	for j, i := range order {
		same = same && i == j
	}
	if same {
		return zh.format, en.format, args, true
	}
	zi := make([]int, len(zh.args))
	for i := range zi {
		zi[i] = i
	}
	return indexed(zh.format, zi), indexed(en.format, order), args, true
}

func (c *conv) src(e ast.Expr) string {
	var b bytes.Buffer
	format.Node(&b, c.fset, e)
	return b.String()
}

var suffixRE = regexp.MustCompile(`\.(Zh\(\)|En\(\)|Zh|En|In\("zh"\)|In\("en"\)|In\(lang\))$`)

func base(s string) string { return suffixRE.ReplaceAllString(s, "") }

// verbs counts a format's verbs (%% aside); -1 when it already indexes them
// or takes a width or precision from an argument.
func verbs(f string) int {
	n := 0
	for i := 0; i < len(f); i++ {
		if f[i] != '%' {
			continue
		}
		if i+1 < len(f) && f[i+1] == '%' {
			i++
			continue
		}
		m := verbRE.FindStringIndex(f[i:])
		if m == nil || m[0] != 0 {
			return -1
		}
		v := f[i : i+m[1]]
		if strings.Contains(v, "[") || strings.Contains(v, "*") {
			return -1
		}
		n++
		i += m[1] - 1
	}
	return n
}

// indexed writes the k-th verb of f as taking argument order[k]+1.
func indexed(f string, order []int) string {
	var b strings.Builder
	k := 0
	for i := 0; i < len(f); i++ {
		if f[i] != '%' {
			b.WriteByte(f[i])
			continue
		}
		if i+1 < len(f) && f[i+1] == '%' {
			b.WriteString("%%")
			i++
			continue
		}
		m := verbRE.FindStringIndex(f[i:])
		v := f[i : i+m[1]]
		b.WriteString(v[:len(v)-1] + "[" + strconv.Itoa(order[k]+1) + "]" + v[len(v)-1:])
		k++
		i += m[1] - 1
	}
	return b.String()
}

func (c *conv) usesBoth(n ast.Node) bool {
	found := false
	ast.Inspect(n, func(n ast.Node) bool {
		if isSel(asExpr(n), "msg", "Both") {
			found = true
		}
		return !found
	})
	return found
}

func asExpr(n ast.Node) ast.Expr {
	e, _ := n.(ast.Expr)
	return e
}

func uses(f *ast.File, name string) bool {
	found := false
	ast.Inspect(f, func(n ast.Node) bool {
		if s, ok := n.(*ast.SelectorExpr); ok && isIdent(s.X, name) {
			found = true
		}
		return !found
	})
	return found
}

func addImport(f *ast.File, path string) {
	q := strconv.Quote(path)
	for _, im := range f.Imports {
		if im.Path.Value == q {
			return
		}
	}
	spec := &ast.ImportSpec{Path: &ast.BasicLit{Kind: token.STRING, Value: q}}
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if ok && g.Tok == token.IMPORT {
			g.Specs = append(g.Specs, spec)
			if !g.Lparen.IsValid() {
				g.Lparen = g.Pos()
			}
			f.Imports = append(f.Imports, spec)
			return
		}
	}
	f.Decls = append([]ast.Decl{&ast.GenDecl{Tok: token.IMPORT, Specs: []ast.Spec{spec}}}, f.Decls...)
	f.Imports = append(f.Imports, spec)
}

func dropImport(f *ast.File, path string) {
	q := strconv.Quote(path)
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.IMPORT {
			continue
		}
		for i, sp := range g.Specs {
			if im := sp.(*ast.ImportSpec); im.Path.Value == q && im.Name == nil {
				g.Specs = append(g.Specs[:i], g.Specs[i+1:]...)
				return
			}
		}
	}
}
