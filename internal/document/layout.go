package document

import (
	"strings"

	"golang.org/x/net/html"
)

// The PDF is drawn from the same HTML fragment as the page: blocks of
// inline text (headings, paragraphs, list entries, the sign-off), tables of
// such cells, and the QR code and the seal. The template language allows
// no more (template.go), so this is all a document can hold.

type blockKind int

const (
	textBlock blockKind = iota
	tableBlock
	qrBlock
)

// run is inline text with its weight; "\n" is a <br>.
type run struct {
	text string
	bold bool
}

type block struct {
	kind    blockKind
	tag     string // h1, h2, p, li, div
	classes string // the classes of the block and its ancestors
	runs    []run
	rows    [][]cell
	seal    bool // the seal is stamped over this block (a sign-off)
}

type cell struct {
	header bool
	runs   []run
}

func (b *block) has(class string) bool {
	for _, c := range strings.Fields(b.classes) {
		if c == class {
			return true
		}
	}
	return false
}

// blocks reads a rendered fragment into blocks.
func blocks(frag string) []*block {
	var (
		out     []*block
		cur     *block // the block text goes to, nil between blocks
		table   *block
		row     int = -1
		inCell  bool
		bold    int
		classes []string // of the open elements
		lists   []int    // per open list: the next ordinal, 0 for a bullet list
		signs   []*block // open sign-off blocks
		stack   []string // open elements
		markers int      // end tags of the seal's and QR code's markers to skip
		newText = func() *block {
			b := &block{kind: textBlock, tag: "p", classes: strings.Join(classes, " ")}
			out = append(out, b)
			return b
		}
	)
	addRun := func(t string) {
		if t == "" {
			return
		}
		r := run{text: t, bold: bold > 0}
		if inCell && table != nil && row >= 0 {
			cs := table.rows[row]
			if len(cs) > 0 {
				cs[len(cs)-1].runs = append(cs[len(cs)-1].runs, r)
			}
			return
		}
		if cur == nil {
			if strings.TrimSpace(t) == "" {
				return
			}
			cur = newText()
		}
		cur.runs = append(cur.runs, r)
	}
	z := html.NewTokenizer(strings.NewReader(frag))
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			return out
		}
		tok := z.Token()
		switch tt {
		case html.TextToken:
			addRun(collapse(tok.Data))
		case html.StartTagToken, html.SelfClosingTagToken:
			class := attr(tok, "class")
			if tok.Data == "br" {
				addRun("\n")
				continue
			}
			if tok.Data == "div" && class == "seal" {
				if len(signs) > 0 {
					signs[len(signs)-1].seal = true
				} else {
					out = append(out, &block{kind: textBlock, tag: "div", classes: "sign", seal: true})
				}
				markers++
				continue
			}
			if tok.Data == "div" && class == "qr" {
				out = append(out, &block{kind: qrBlock, classes: strings.Join(classes, " ")})
				cur = nil
				markers++
				continue
			}
			stack = append(stack, tok.Data)
			classes = append(classes, class)
			switch tok.Data {
			case "strong":
				bold++
			case "table":
				table = &block{kind: tableBlock, classes: strings.Join(classes, " ")}
				out = append(out, table)
				cur, row = nil, -1
			case "tr":
				if table != nil {
					table.rows = append(table.rows, nil)
					row = len(table.rows) - 1
				}
			case "th", "td":
				if table != nil && row >= 0 {
					table.rows[row] = append(table.rows[row], cell{header: tok.Data == "th"})
					inCell = true
				}
			case "ol", "ul":
				n := 0
				if tok.Data == "ol" {
					n = 1
				}
				lists = append(lists, n)
			case "li":
				prefix := "• "
				if k := len(lists) - 1; k >= 0 && lists[k] > 0 {
					prefix = itoa(lists[k]) + ". "
					lists[k]++
				}
				if inCell {
					if cs := table.rows[row]; len(cs[len(cs)-1].runs) > 0 {
						addRun("\n")
					}
					addRun(prefix)
					continue
				}
				cur = newText()
				cur.tag = "li"
				cur.runs = append(cur.runs, run{text: prefix})
			case "h1", "h2", "p", "div":
				cur = newText()
				cur.tag = tok.Data
				if tok.Data == "div" && strings.Contains(" "+class+" ", " sign ") {
					signs = append(signs, cur)
				}
			}
		case html.EndTagToken:
			if tok.Data == "div" && markers > 0 {
				markers--
				continue
			}
			if len(stack) == 0 {
				continue
			}
			top := stack[len(stack)-1]
			stack, classes = stack[:len(stack)-1], classes[:len(classes)-1]
			switch top {
			case "strong":
				bold--
			case "table":
				table, row, inCell = nil, -1, false
			case "th", "td":
				inCell = false
			case "ol", "ul":
				lists = lists[:len(lists)-1]
			case "div":
				if len(signs) > 0 && signs[len(signs)-1] == cur {
					signs = signs[:len(signs)-1]
				}
				cur = nil
			case "h1", "h2", "p", "li":
				cur = nil
			}
		}
	}
}

func attr(t html.Token, key string) string {
	for _, a := range t.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

// collapse folds each run of white space into one space, as HTML does.
func collapse(s string) string {
	var b strings.Builder
	space := false
	for _, r := range s {
		if r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '\f' {
			space = true
			continue
		}
		if space {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	if space {
		b.WriteByte(' ')
	}
	return b.String()
}

func itoa(n int) string {
	if n < 10 {
		return string(rune('0' + n))
	}
	return itoa(n/10) + string(rune('0'+n%10))
}
