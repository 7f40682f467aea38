// Package msg is qingdan's one mechanism for user-visible text: catalogues
// keyed by message ID, one JSON file per package and language
// (zh/<package>.json, en/<package>.json, ID → text), embedded in the binary.
// An ID is its package's name, a dot, and a slug of the English
// ("orgweb.done.create", "catalog.promised_limit_may_not_be_longer").
// Texts are fmt formats; an argument that knows its own wording in each
// language (a Localized: a nested message, an error, a domain term) is
// rendered in the language being written, so errors carry a key and
// arguments and are put into words only at the edge, in the request's
// language.
//
// The call sites and catalogues are kept in step by tools/msgconv, which
// turns inline Chinese/English pairs into IDs; the tests
// here fail when an ID is in one language only, and when code or a template
// uses an ID that is in none.
package msg

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
)

// Langs are the languages of the catalogues, the default first.
var Langs = []string{"zh", "en"}

//go:embed zh/*.json en/*.json
var files embed.FS

// Localized is a value with its own wording in each language.
type Localized interface {
	In(lang string) string
}

// catalogue is lang → ID → text.
type catalogue map[string]map[string]string

var texts = mustLoad(files)

func mustLoad(fsys fs.FS) catalogue {
	c, err := load(fsys)
	if err != nil {
		// The catalogues are embedded: a bad one is a build mistake that the
		// tests catch before any binary carries it.
		panic(err)
	}
	return c
}

// load reads every catalogue file, checking that a file holds only its
// package's IDs and that no ID is defined twice.
func load(fsys fs.FS) (catalogue, error) {
	c := catalogue{}
	for _, lang := range Langs {
		c[lang] = map[string]string{}
		names, err := fs.Glob(fsys, lang+"/*.json")
		if err != nil {
			return nil, err
		}
		for _, name := range names {
			b, err := fs.ReadFile(fsys, name)
			if err != nil {
				return nil, fmt.Errorf("msg: %s: %w", name, err)
			}
			m := map[string]string{}
			if err := json.Unmarshal(b, &m); err != nil {
				return nil, fmt.Errorf("msg: %s: %w", name, err)
			}
			pkg := strings.TrimSuffix(path.Base(name), ".json")
			for id, text := range m {
				if !strings.HasPrefix(id, pkg+".") {
					return nil, fmt.Errorf("msg: %s: %q does not start with %q", name, id, pkg+".")
				}
				if _, dup := c[lang][id]; dup {
					return nil, fmt.Errorf("msg: %s: %q defined twice", name, id)
				}
				c[lang][id] = text
			}
		}
	}
	return c, nil
}

// Has reports whether id is in the catalogue of the default language.
func Has(id string) bool {
	_, ok := texts[Langs[0]][id]
	return ok
}

// IDs returns the IDs of lang's catalogue, sorted.
func IDs(lang string) []string {
	out := make([]string, 0, len(texts[lang]))
	for id := range texts[lang] {
		out = append(out, id)
	}
	sort.Strings(out)
	return out
}

// Text returns message id in lang ("en", or Chinese for anything else),
// formatted with args, each Localized argument in lang. An unknown ID shows
// as itself so that a missing message is visible rather than blank (and the
// tests catch it).
func Text(lang, id string, args ...any) string {
	if lang != "en" {
		lang = "zh"
	}
	s, ok := texts[lang][id]
	if !ok {
		return id
	}
	if len(args) == 0 {
		return s
	}
	return fmt.Sprintf(s, localize(lang, args)...)
}

// localize renders each Localized argument in lang; it copies args only
// when one is Localized.
func localize(lang string, args []any) []any {
	out := args
	for i, a := range args {
		l, ok := a.(Localized)
		if !ok {
			continue
		}
		if &out[0] == &args[0] {
			out = append([]any(nil), args...)
		}
		out[i] = l.In(lang)
	}
	return out
}

// Name returns the name of value, one value of an enumeration, in lang:
// message prefix+"."+value ("catalog.stage" and "drafting" → message
// "catalog.stage.drafting"), or value itself when the catalogue has none.
// An enumeration's In method calls it (its package's tests check that every
// value has its name); prefix has no "_", so that it is not taken for a
// message ID of its own.
func Name(lang, prefix, value string) string {
	if lang != "en" {
		lang = "zh"
	}
	if s, ok := texts[lang][prefix+"."+value]; ok {
		return s
	}
	return value
}

// Named reports whether every value has its name under prefix in both
// languages, returning the first that has not (for the enumerations'
// tests).
func Named[T ~string](prefix string, values ...T) (missing string, ok bool) {
	for _, v := range values {
		for _, lang := range Langs {
			if _, ok := texts[lang][prefix+"."+string(v)]; !ok {
				return string(v), false
			}
		}
	}
	return "", true
}

// Catalogue is one part of the catalogue, named by the prefix of its IDs
// (a package's name: Catalogue("orgweb").Text(lang, "done.create") is
// message "orgweb.done.create"), for code that looks up keys it builds.
type Catalogue string

// ID returns key's message ID.
func (c Catalogue) ID(key string) string { return string(c) + "." + key }

// Text is msg.Text of key's ID.
func (c Catalogue) Text(lang, key string, args ...any) string { return Text(lang, c.ID(key), args...) }

// Has reports whether key's ID is in the catalogue.
func (c Catalogue) Has(key string) bool { return Has(c.ID(key)) }

// Message is a message ID with its arguments, put into words when written:
// a nested message inside another, or a value handed to a page.
type Message struct {
	ID   string
	Args []any
}

// M returns message id with args.
func M(id string, args ...any) Message { return Message{ID: id, Args: args} }

// In returns the message in lang.
func (m Message) In(lang string) string { return Text(lang, m.ID, m.Args...) }

// Both is a value whose wording comes from elsewhere in both languages —
// a name given in both, such as a category's — used as an argument of a
// message. (A domain term of an enumeration is Localized itself: its In
// method reads the catalogue, see Name.)
type Both struct{ Zh, En string }

// In returns the wording in lang.
func (b Both) In(lang string) string {
	if lang == "en" {
		return b.En
	}
	return b.Zh
}
