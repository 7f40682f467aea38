package ident

import (
	"reflect"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaskText masks the personal data it can find inside free text typed by
// staff (an item's conditions, notes, addresses …) before the text is shown
// to the public (L7, O4). What it finds:
//
//   - numbers, written with ASCII or full-width digits and optionally in
//     groups split by single spaces or hyphens: a resident ID number (18
//     characters, the last a digit or X, or 15 digits, with a birth date in
//     place; MaskResidentID), a mobile number (11 digits from 13–19, or
//     with 86 before it; MaskPhone), and any other number of 12 digits or
//     more that is not a landline (a bank card or account; MaskBankAccount).
//   - e-mail addresses: all of the part before @ but its first character.
//   - the name after a label for a person (联系人, 姓名, 申请人, 经办人,
//     负责人, 法定代表人, 户主, 监护人, 代理人, 委托人) and a colon
//     (MaskName), and the address after a label for a home (住址, 家庭住址,
//     现住址, 住所, 居住地址, 户籍地址, 家庭地址) and a colon, up to the next
//     punctuation (MaskAddress).
//
// What it leaves: landline numbers with their area code (0371-67890123,
// 010 12345678) and other numbers of fewer than 12 digits, since a list's
// guides must show the offices' phones (C10) and the text is full of dates,
// amounts and article numbers; and the names of people that no label
// introduces (张三同意 …): telling a name from other Chinese text needs a
// dictionary of names and would still guess. Those are for the author not
// to type; the masking catches the forms people do type.
func MaskText(s string) string {
	// Each pass runs only on text that has what it looks for: public pages
	// mask every text field of every version they show.
	if strings.ContainsFunc(s, func(r rune) bool { _, ok := digitOf(r); return ok }) {
		s = maskNumbers(s)
	}
	if strings.ContainsAny(s, ":：") {
		s = maskLabelled(s)
	}
	if strings.IndexByte(s, '@') >= 0 {
		s = email.ReplaceAllStringFunc(s, func(m string) string {
			local, domain, _ := strings.Cut(m, "@")
			r := []rune(local)
			return string(r[0]) + strings.Repeat(string(star), len(r)-1) + "@" + domain
		})
	}
	return s
}

// Labels that introduce a natural person's name or home address, before a
// colon (optional spaces around it).
var (
	personLabels = []string{"联系人", "姓名", "申请人", "经办人", "负责人", "法定代表人", "户主", "监护人", "代理人", "委托人"}
	homeLabels   = []string{"住址", "住所", "居住地址", "户籍地址", "家庭地址"}
	email        = regexp.MustCompile(`[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}`)
)

// maskLabelled masks the value after each colon whose label names a
// person (MaskName: the name's Han characters and ·, at most 12) or a home
// (maskHome: up to the next punctuation or space). A scan, not a regular
// expression: public pages pass every text field through it.
func maskLabelled(s string) string {
	var b strings.Builder
	last := 0
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		if r != ':' && r != '：' {
			continue
		}
		before := strings.TrimRight(s[:i-size], " \t")
		j := i
		for j < len(s) && (s[j] == ' ' || s[j] == '\t') {
			j++
		}
		end, person := j, hasLabel(before, personLabels)
		if !person && !hasLabel(before, homeLabels) {
			continue
		}
		for n := 0; end < len(s); n++ {
			c, w := utf8.DecodeRuneInString(s[end:])
			if person && (n == 12 || !(unicode.Is(unicode.Han, c) || c == '·' || c == '•')) ||
				!person && (unicode.IsSpace(c) || strings.ContainsRune("，,。;；、)）", c)) {
				break
			}
			end += w
		}
		if end == j {
			continue
		}
		b.WriteString(s[last:j])
		if person {
			b.WriteString(MaskName(s[j:end]))
		} else {
			b.WriteString(maskHome(s[j:end]))
		}
		last, i = end, end
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

func hasLabel(before string, labels []string) bool {
	for _, l := range labels {
		if strings.HasSuffix(before, l) {
			return true
		}
	}
	return false
}

// maskHome masks an address as MaskAddress does, but always hides
// something: a home address that is only a district would otherwise show.
func maskHome(s string) string {
	if m := MaskAddress(s); m != s {
		return m
	}
	return "****"
}

// digitOf reads r as a decimal digit, ASCII or full-width.
func digitOf(r rune) (byte, bool) {
	switch {
	case r >= '0' && r <= '9':
		return byte(r), true
	case r >= '０' && r <= '９':
		return byte(r - '０' + '0'), true
	}
	return 0, false
}

// maskNumbers finds every number in s (digits, possibly in groups split by
// one space or hyphen, an ID's final X) and masks those that are personal.
func maskNumbers(s string) string {
	r := []rune(s)
	var out []rune
	for i := 0; i < len(r); {
		if _, ok := digitOf(r[i]); !ok {
			out = append(out, r[i])
			i++
			continue
		}
		// The number: digits, and a separator only between two digits.
		j, grouped := i, false
		var digits []byte
		for j < len(r) {
			if d, ok := digitOf(r[j]); ok {
				digits = append(digits, d)
				j++
				continue
			}
			if (r[j] == ' ' || r[j] == '-') && j+1 < len(r) {
				if _, ok := digitOf(r[j+1]); ok {
					grouped = true
					j++
					continue
				}
			}
			break
		}
		if len(digits) == 17 && j < len(r) && (r[j] == 'X' || r[j] == 'x' || r[j] == 'Ｘ' || r[j] == 'ｘ') {
			digits = append(digits, 'X')
			j++
		}
		out = append(out, []rune(maskNumber(string(r[i:j]), string(digits), grouped))...)
		i = j
	}
	return string(out)
}

// maskNumber masks one number found in text: text as written, digits its
// digits (an ID's X included).
func maskNumber(text, digits string, grouped bool) string {
	n := len(digits)
	switch {
	case !grouped && (n == 18 || n == 15) && looksLikeResidentID(digits):
		return MaskResidentID(text)
	case n == 11 && digits[0] == '1' && digits[1] >= '3',
		n == 13 && strings.HasPrefix(digits, "86") && digits[2] == '1' && digits[3] >= '3':
		return MaskPhone(text)
	case digits[0] == '0' && n <= 12:
		return text // a landline with its area code: an office's number
	case n >= 12:
		return MaskBankAccount(text)
	}
	return text
}

// looksLikeResidentID reports whether an 18- or 15-digit number has a
// birth date where an ID number has it. The check character is not
// required: a mistyped ID number is still someone's.
func looksLikeResidentID(d string) bool {
	var y, m, day int
	switch len(d) {
	case 18:
		y, m, day = atoi([]byte(d[6:10])), atoi([]byte(d[10:12])), atoi([]byte(d[12:14]))
		if strings.IndexByte(d[:17], 'X') >= 0 {
			return false
		}
	case 15:
		y, m, day = 1900+atoi([]byte(d[6:8])), atoi([]byte(d[8:10])), atoi([]byte(d[10:12]))
		if strings.IndexByte(d, 'X') >= 0 {
			return false
		}
	default:
		return false
	}
	return y >= 1850 && y <= 2100 && m >= 1 && m <= 12 && day >= 1 && day <= 31
}

// MaskFields masks, in place, every field of the struct p points to that
// holds free text: each exported field of type string or []string,
// through structs, slices, arrays and pointers, passes through MaskText.
// A field tagged `mask:"keep"` is left as it is: codes whose format is
// validated (a credit code, an item's codes, a hash) and which must stay
// exact. Named string types (enumerations) are not free text and are left
// too. So a text field added to a published type is masked without anyone
// remembering to; p must not share what it reaches with anyone who needs
// it unmasked (mask a deep copy).
func MaskFields(p any) {
	v := reflect.ValueOf(p)
	if v.Kind() != reflect.Pointer || v.IsNil() {
		panic("ident: MaskFields needs a non-nil pointer")
	}
	maskValue(v.Elem())
}

var stringType = reflect.TypeOf("")

func maskValue(v reflect.Value) {
	switch v.Kind() {
	case reflect.String:
		if v.Type() == stringType && v.CanSet() {
			v.SetString(MaskText(v.String()))
		}
	case reflect.Pointer:
		if !v.IsNil() {
			maskValue(v.Elem())
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			maskValue(v.Index(i))
		}
	case reflect.Struct:
		t := v.Type()
		for i := range t.NumField() {
			if f := t.Field(i); f.IsExported() && f.Tag.Get("mask") != "keep" {
				maskValue(v.Field(i))
			}
		}
	}
}
