package store

import (
	"strconv"
	"strings"
	"sync"
)

// rebindCache maps SQL written with ? to its $n form; queries are a small,
// fixed set of string constants, so the cache stays small.
var rebindCache sync.Map

func (db *DB) rebind(q string) string {
	if db.dialect != Postgres {
		return q
	}
	if v, ok := rebindCache.Load(q); ok {
		return v.(string)
	}
	r := Rebind(q)
	rebindCache.Store(q, r)
	return r
}

// Rebind rewrites ? parameter markers to $1, $2, … for PostgreSQL. A ? inside a
// string literal ('…', with ” escapes), a quoted identifier ("…"), a line
// comment (-- …) or a block comment (/* … */) is left alone. PostgreSQL's
// jsonb ? operators cannot be written through it; qingdan does not use them.
func Rebind(q string) string {
	if !strings.ContainsRune(q, '?') {
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + 16)
	n := 0
	for i := 0; i < len(q); i++ {
		c := q[i]
		switch {
		case c == '\'' || c == '"':
			j := skipQuoted(q, i, c)
			b.WriteString(q[i:j])
			i = j - 1
		case c == '-' && i+1 < len(q) && q[i+1] == '-':
			j := strings.IndexByte(q[i:], '\n')
			if j < 0 {
				j = len(q) - i
			}
			b.WriteString(q[i : i+j])
			i += j - 1
		case c == '/' && i+1 < len(q) && q[i+1] == '*':
			j := strings.Index(q[i+2:], "*/")
			end := len(q)
			if j >= 0 {
				end = i + 2 + j + 2
			}
			b.WriteString(q[i:end])
			i = end - 1
		case c == '?':
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// skipQuoted returns the index just past the quoted run starting at i; a
// doubled quote is an escaped quote. An unterminated run ends the string.
func skipQuoted(q string, i int, quote byte) int {
	for j := i + 1; j < len(q); j++ {
		if q[j] == quote {
			if j+1 < len(q) && q[j+1] == quote {
				j++
				continue
			}
			return j + 1
		}
	}
	return len(q)
}
