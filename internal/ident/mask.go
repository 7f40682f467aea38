package ident

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Masking for public disclosure (L7, O4). Every public page renders personal
// data through these functions; none of them fails, whatever the input, and
// each replaces what it hides rune by rune with '*' unless documented
// otherwise, so the hidden characters never reach the page. The choices follow
// national practice for public listings (双公示, court and credit websites):
//
//	MaskResidentID  110105********002X   region kept, birth date (digits 7–14) hidden
//	MaskName        张*, 欧***, J***       first character kept (the surname's first character)
//	MaskPhone       138****5678, 010-****5678, 0755-***4567
//	MaskAddress     北京市朝阳区建国路****   kept down to district/town/street or road
//	MaskBankAccount 6222***********1234   first 4 and last 4 digits kept
//
// Invalid input is masked more, never less: a value that does not look like
// what the function expects keeps at most a short head and tail.

const star = '*'

// MaskResidentID hides the birth date of a resident ID number: an 18-character
// number keeps the region (digits 1–6) and the sequence and check (15–18), as
// in 110105********002X; a 15-digit first-generation number hides its digits
// 7–12 (YYMMDD). Anything else keeps at most its first 3 and last 2 runes and
// always hides at least half. Surrounding spaces are trimmed.
func MaskResidentID(s string) string {
	s = strings.TrimSpace(s)
	r := []rune(s)
	switch {
	case len(r) == 18:
		return keep(r, 6, 4)
	case len(r) == 15:
		return keep(r, 6, 3)
	default:
		return keepShort(r, 3, 2)
	}
}

// MaskName keeps the first character of a personal name and hides the rest,
// one '*' per character: 张三 → 张*, 欧阳娜娜 → 欧***. We keep only the
// first character even of a compound surname (欧阳, 司马) because telling a
// compound surname from a surname plus given name needs a dictionary and
// guessing wrong would reveal a given-name character; the length is kept
// because readers expect 张** for a three-character name. A one-character
// name becomes "*". Separators (·, spaces) are hidden too.
func MaskName(s string) string {
	r := []rune(strings.TrimSpace(s))
	if len(r) <= 1 {
		return strings.Repeat(string(star), len(r))
	}
	return keep(r, 1, 0)
}

// MaskPhone hides the middle of a phone number and keeps separators:
// 13812345678 → 138****5678, +86 138 1234 5678 → +86 138 **** 5678,
// 010-12345678 → 010-****5678, 0755-1234567 → 0755-***4567. Digits (any
// Unicode decimal digit, so full-width ones too) are counted as the number;
// everything else is kept where it is. It keeps the country code, the mobile
// prefix or the area code, and the last 4 digits, but always hides at least 4
// digits (half of them for numbers shorter than 8), giving up tail digits
// first and then head digits.
func MaskPhone(s string) string {
	r := []rune(strings.TrimSpace(s))
	var d []int // positions of digits in r
	for i, c := range r {
		if unicode.IsDigit(c) {
			d = append(d, i)
		}
	}
	n := len(d)
	if n == 0 {
		return string(r)
	}
	digits := make([]rune, n)
	for i, p := range d {
		digits[i] = r[p]
		if c := r[p]; c >= '０' && c <= '９' {
			// Full-width digits, as typed by a Chinese input method, are
			// read like ASCII ones to recognise the prefix or area code.
			digits[i] = c - '０' + '0'
		}
	}
	head, tail := phoneHead(r, d, digits), 4
	hide := 4
	if n < 8 {
		hide = (n + 1) / 2
	}
	for head+tail > n-hide && tail > 0 {
		tail--
	}
	for head+tail > n-hide && head > 0 {
		head--
	}
	out := append([]rune(nil), r...)
	for i := head; i < n-tail; i++ {
		out[d[i]] = star
	}
	return string(out)
}

// phoneHead says how many leading digits of a phone number are not personal:
// a country code (86), a mobile network prefix (3 digits) or an area code.
func phoneHead(r []rune, d []int, digits []rune) int {
	n := len(digits)
	cc := 0
	if n == 13 && digits[0] == '8' && digits[1] == '6' && digits[2] == '1' {
		cc = 2 // 86 + mobile
	}
	if cc > 0 || (n == 11 && digits[0] == '1') {
		return cc + 3
	}
	if digits[0] != '0' || n < 2 {
		return 0
	}
	// A landline: the area code is the first digit group when the number is
	// written with a separator (0755-…), otherwise 3 digits for 010 and 02x
	// and 4 for the rest, as the national numbering plan assigns them.
	group := 1
	for group < n && d[group] == d[group-1]+1 {
		group++
	}
	if group < n && (group == 3 || group == 4) {
		return group
	}
	if digits[1] == '1' || digits[1] == '2' {
		return 3
	}
	return 4
}

// A division suffix ends an administrative division or a road, with its level:
// 1 province, 2 prefecture, 3 county, 4 township, 5 road. 市 is a prefecture
// or a county-level city (江苏省昆山市), so it takes level 2 or 3. Longer
// suffixes come first so that 街道 wins over 街 and 道.
type divisionSuffix struct {
	s     string
	level int
}

var divisionSuffixes = []divisionSuffix{
	{"特别行政区", 1}, {"自治区", 1}, {"自治州", 2}, {"自治县", 3}, {"自治旗", 3},
	{"街道", 4}, {"地区", 2}, {"大街", 5}, {"大道", 5}, {"胡同", 5}, {"苏木", 4},
	{"省", 1}, {"市", 2}, {"州", 2}, {"盟", 2}, {"县", 3}, {"区", 3}, {"旗", 3},
	{"镇", 4}, {"乡", 4}, {"路", 5}, {"街", 5}, {"巷", 5}, {"弄", 5}, {"道", 5},
}

// notDivision are characters that, before 区, make a compound that is not a
// district (小区 a housing estate, 园区, 校区, 景区, 厂区, 营区, 矿区, 社区 a
// community): keeping them would narrow the place to a few buildings.
const notDivision = "小园校景厂营矿社"

// MaskAddress keeps an address down to its district, town or sub-district and
// the road, and hides the rest with exactly four '*' (so the number of hidden
// characters is not revealed either): 北京市朝阳区建国路88号1201 →
// 北京市朝阳区建国路****.
//
// The kept part is a chain of divisions read from the start, each a name of
// at least one character and a suffix of a lower level than the one before
// (省 → 市 → 区/县 → 镇/乡/街道 → 路/街/巷), cut before the first digit and
// ending at the first road. Reading stops at the first suffix out of order,
// so 北京市朝阳区幸福城市花园 keeps 北京市朝阳区, not 幸福城市. Housing estates
// (小区), villages (村), groups (组), buildings and rooms are therefore always
// hidden, and an address with no recognisable division is hidden entirely.
// Where this misreads an unusual address it hides more, never less.
func MaskAddress(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	prefix := s
	for i, c := range s {
		if unicode.IsDigit(c) || c == utf8.RuneError {
			prefix = s[:i]
			break
		}
	}
	cut, level := 0, 0
	for i := 0; i < len(prefix); {
		matched := false
		for _, suf := range divisionSuffixes {
			if i == cut || !strings.HasPrefix(prefix[i:], suf.s) {
				continue // a division needs a name before its suffix
			}
			lv := suf.level
			if suf.s == "区" {
				if prev, _ := utf8.DecodeLastRuneInString(prefix[:i]); strings.ContainsRune(notDivision, prev) {
					// An estate or a campus: what follows (东路 of
					// 阳光小区东路) would still name it, so stop here.
					i, matched = len(prefix), true
					break
				}
			}
			if suf.s == "市" && level >= 2 {
				lv = 3
			}
			if lv <= level {
				i = len(prefix) // out of order: stop reading
				matched = true
				break
			}
			i += len(suf.s)
			cut, level, matched = i, lv, true
			if lv == 5 {
				i = len(prefix)
			}
			break
		}
		if !matched {
			_, size := utf8.DecodeRuneInString(prefix[i:])
			i += size
		}
	}
	if cut == len(s) {
		return s
	}
	return s[:cut] + "****"
}

// MaskBankAccount keeps the first 4 characters (the issuing bank) and the last
// 4 of an account or card number and hides the others; spaces and dashes stay
// in place: 6222021234567890123 → 6222***********0123, 6222 0212 3456 7890 →
// 6222 **** **** 7890. Letters count like digits (some corporate accounts
// have them). A number shorter than 12 characters keeps only its last
// min(4, n/2).
func MaskBankAccount(s string) string {
	r := []rune(strings.TrimSpace(s))
	var d []int
	for i, c := range r {
		if unicode.IsDigit(c) || unicode.IsLetter(c) {
			d = append(d, i)
		}
	}
	n := len(d)
	head, tail := 4, 4
	if n < 12 {
		head = 0
		tail = min(4, n/2)
	}
	out := append([]rune(nil), r...)
	for i := head; i < n-tail; i++ {
		out[d[i]] = star
	}
	return string(out)
}

// keep returns r with everything but the first head and last tail runes
// replaced by '*'. The caller guarantees head+tail <= len(r).
func keep(r []rune, head, tail int) string {
	out := make([]rune, len(r))
	for i, c := range r {
		if i < head || i >= len(r)-tail {
			out[i] = c
		} else {
			out[i] = star
		}
	}
	return string(out)
}

// keepShort is keep for values of unexpected shape: it keeps at most head and
// tail runes but always hides at least half of them.
func keepShort(r []rune, head, tail int) string {
	for head+tail > len(r)/2 && tail > 0 {
		tail--
	}
	for head+tail > len(r)/2 && head > 0 {
		head--
	}
	return keep(r, head, tail)
}
