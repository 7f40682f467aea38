// Package ident validates the two national identifiers qingdan stores — the
// resident identity number (V1, GB 11643) and the unified social credit code
// (V2, GB 32100) — and masks personal data for public pages (L7, O4).
//
// Validators return *apperr.Error of code Invalid naming the caller's field and
// the precise reason (length, the first bad character and its 1-based
// position, the birth date, the expected check character), so a window clerk
// can correct the entry without guessing. Validation is pure: "today" is a
// parameter so tests and batch imports are deterministic.
package ident

import (
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/qingdan/qingdan/internal/apperr"
)

// chinaZone is UTC+8. China has not observed daylight saving since 1991, so a
// fixed zone is exact for "today" and avoids depending on the tz database.
var chinaZone = time.FixedZone("CST", 8*3600)

// residentWeights are the GB 11643 weights 2^(17-i) mod 11 for digits 1–17.
var residentWeights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

// residentCheck maps (weighted sum mod 11) to the check character.
const residentCheck = "10X98765432"

// ResidentID is a valid 18-character resident identity number (V1), split
// into its parts.
type ResidentID struct {
	Number string    // normalised: 17 digits + check character, "x" upper-cased
	Region string    // digits 1–6, the administrative division at issue
	Birth  time.Time // digits 7–14, midnight UTC of the birth date
	Male   bool      // digit 17 (the sequence number's last digit) is odd for men
}

// AgeAt returns the age in completed years on the calendar day of t (read
// in China time), used to keep minors' cases unpublished (L7).
func (id ResidentID) AgeAt(t time.Time) int {
	t = t.In(chinaZone)
	age := t.Year() - id.Birth.Year()
	if t.Month() < id.Birth.Month() || (t.Month() == id.Birth.Month() && t.Day() < id.Birth.Day()) {
		age--
	}
	return age
}

// Minor reports whether the holder is under 18 on the day of t (L7).
func (id ResidentID) Minor(t time.Time) bool { return id.AgeAt(t) < 18 }

// ValidateResidentID checks s as of today (China time); see ParseResidentID.
func ValidateResidentID(field, s string) error {
	_, err := ParseResidentID(field, s, time.Now())
	return err
}

// ParseResidentID validates s as a resident identity number (V1) with "today"
// taken from now in China time: 18 characters, 17 digits and a check character
// (digit or X; a lower-case x, full-width characters and surrounding spaces
// are accepted and normalised), digits 7–14 a real calendar date not after today and not
// before 1800, and the GB 11643 checksum. The obsolete 15-digit first
// generation number is refused with its own message, since it has no check
// character and cannot be verified.
func ParseResidentID(field, s string, now time.Time) (ResidentID, error) {
	s = narrow(strings.TrimSpace(s))
	n := utf8.RuneCountInString(s)
	if n == 0 {
		return ResidentID{}, apperr.Invalidf(field, "ident.the_resident_id_number_is_required")
	}
	if n == 15 && allDigits(s) {
		return ResidentID{}, apperr.Invalidf(field, "ident.15_digit_first_generation_id_numbers")
	}
	if n != 18 {
		return ResidentID{}, apperr.Invalidf(field, "ident.a_resident_id_number_has_18", n)
	}
	b := []byte(s) // n == 18 runes; if any is multi-byte the position check below reports it
	for i, r := range []rune(s) {
		switch {
		case i < 17 && (r < '0' || r > '9'):
			return ResidentID{}, apperr.Invalidf(field, "ident.character_of_the_resident_id_number", i+1, show(r))
		case i == 17 && !(r >= '0' && r <= '9' || r == 'X' || r == 'x'):
			return ResidentID{}, apperr.Invalidf(field, "ident.character_18_of_the_resident_id", show(r))
		}
	}
	if b[17] == 'x' {
		b[17] = 'X'
	}
	y, m, d := atoi(b[6:10]), atoi(b[10:12]), atoi(b[12:14])
	birth := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if m < 1 || m > 12 || birth.Day() != d || birth.Month() != time.Month(m) || y < 1800 {
		return ResidentID{}, apperr.Invalidf(field, "ident.digits_7_14_of_the_resident", string(b[6:14]))
	}
	ty, tm, td := now.In(chinaZone).Date()
	if birth.After(time.Date(ty, tm, td, 0, 0, 0, 0, time.UTC)) {
		return ResidentID{}, apperr.Invalidf(field, "ident.the_birth_date_in_the_resident", string(b[6:14]))
	}
	if want := ResidentCheckChar(string(b[:17])); b[17] != want {
		return ResidentID{}, apperr.Invalidf(field, "ident.wrong_check_character_in_the_resident", want, b[17])
	}
	return ResidentID{Number: string(b), Region: string(b[:6]), Birth: birth, Male: (b[16]-'0')%2 == 1}, nil
}

// ResidentCheckChar returns the GB 11643 check character for the first 17
// digits of body. It panics if body has fewer than 17 bytes or a non-digit
// among them: callers pass validated input (tests, demo data generators).
func ResidentCheckChar(body string) byte {
	sum := 0
	for i := 0; i < 17; i++ {
		c := body[i]
		if c < '0' || c > '9' {
			panic("ident: ResidentCheckChar: non-digit")
		}
		sum += int(c-'0') * residentWeights[i]
	}
	return residentCheck[sum%11]
}

// creditChars is the GB 32100 alphabet: digits and upper-case letters
// without I, O, Z, S, V (too easily confused with 1, 0, 2, 5, U).
const creditChars = "0123456789ABCDEFGHJKLMNPQRTUWXY"

// creditWeights are 3^i mod 31 for characters 1–17.
var creditWeights = [17]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}

// creditValue maps a byte to its value in creditChars, or -1.
var creditValue = func() (t [256]int8) {
	for i := range t {
		t[i] = -1
	}
	for i := 0; i < len(creditChars); i++ {
		t[creditChars[i]] = int8(i)
	}
	return t
}()

// ValidateCreditCode validates s as a unified social credit code (V2) and
// returns it normalised (trimmed, upper-cased, full-width characters made
// ASCII). Lower-case letters are accepted because people type them; the letters I, O, Z, S, V are not part
// of the alphabet and are reported with their position.
func ValidateCreditCode(field, s string) (string, error) {
	s = strings.ToUpper(narrow(strings.TrimSpace(s)))
	n := utf8.RuneCountInString(s)
	if n == 0 {
		return "", apperr.Invalidf(field, "ident.the_unified_social_credit_code_is")
	}
	if n != 18 {
		return "", apperr.Invalidf(field, "ident.a_unified_social_credit_code_has", n)
	}
	for i, r := range []rune(s) {
		if r >= utf8.RuneSelf || creditValue[r] < 0 {
			return "", apperr.Invalidf(field, "ident.character_of_the_unified_social_credit", i+1, show(r))
		}
	}
	if want := CreditCheckChar(s[:17]); s[17] != want {
		return "", apperr.Invalidf(field, "ident.wrong_check_character_in_the_unified", want, s[17])
	}
	return s, nil
}

// CreditCheckChar returns the GB 32100 check character for the first 17
// characters of body. It panics on characters outside the alphabet or a body
// shorter than 17: callers pass validated input.
func CreditCheckChar(body string) byte {
	sum := 0
	for i := 0; i < 17; i++ {
		v := creditValue[body[i]]
		if v < 0 {
			panic("ident: CreditCheckChar: character outside the GB 32100 alphabet")
		}
		sum += int(v) * creditWeights[i]
	}
	return creditChars[(31-sum%31)%31]
}

// narrow maps full-width digits and Latin letters (U+FF10–FF19, FF21–FF3A,
// FF41–FF5A), which Chinese input methods produce, to ASCII, so that
// "１１０１…" is read as the number the person meant. strings.TrimSpace
// already removes the ideographic space U+3000.
func narrow(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '０' && r <= '９' || r >= 'Ａ' && r <= 'Ｚ' || r >= 'ａ' && r <= 'ｚ' {
			return r - 0xFEE0
		}
		return r
	}, s)
}

// show renders r for an error message: itself when printable, otherwise its
// code point, so an invisible or control character is still identifiable.
func show(r rune) string {
	if r == utf8.RuneError || !unicode.IsPrint(r) {
		return fmt.Sprintf("U+%04X", r)
	}
	return string(r)
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// atoi parses ASCII digits already checked by the caller.
func atoi(b []byte) int {
	n := 0
	for _, c := range b {
		n = n*10 + int(c-'0')
	}
	return n
}
