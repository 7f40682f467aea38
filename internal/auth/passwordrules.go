package auth

import (
	_ "embed"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/qingdan/qingdan/internal/apperr"
)

// MinPasswordRunes is the minimum password length in characters (O3).
const MinPasswordRunes = 10

// MaxPasswordRunes bounds a password (long passphrases are welcome; a
// megabyte is an attack on the hash).
const MaxPasswordRunes = 128

// maxPasswordBytes is MaxPasswordRunes of the widest UTF-8 characters.
const maxPasswordBytes = 4 * MaxPasswordRunes

// PasswordHistory is how many of an account's passwords a new one may not
// repeat: the current one and the ones before it (O3).
const PasswordHistory = 5

// commonPasswords is the bundled list of passwords and words people choose
// first (one lower-case entry a line, # comments): the password, or its
// core once leading and trailing digits and symbols are taken off and
// look-alike digits read as letters, must not be one of them.
//
//go:embed common_passwords.txt
var commonPasswordsText string

var commonPasswords = func() map[string]bool {
	m := map[string]bool{}
	for _, l := range strings.Split(commonPasswordsText, "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			m[l] = true
		}
	}
	return m
}()

// runLines are the orders in which people type "sequences": the alphabet,
// the digits and the rows and columns of a keyboard. A run is three or more
// characters that follow each other in one of them, forwards or backwards.
var runLines = []string{
	"abcdefghijklmnopqrstuvwxyz", "01234567890",
	"qwertyuiop", "asdfghjkl", "zxcvbnm",
	"1qaz", "2wsx", "3edc", "4rfv", "5tgb", "6yhn", "7ujm", "8ik,", "9ol.", "0p;/",
	"qaz", "wsx", "edc", "rfv", "tgb", "yhn", "ujm",
	"1qaz2wsx3edc4rfv5tgb6yhn7ujm", "qazwsxedcrfvtgbyhnujm", "!qaz@wsx#edc$rfv%tgb",
	"!@#$%^&*()",
}

// minFreeRunes is how many characters must be left once runs and repeats
// are taken out of a password: what is left is what a guesser cannot
// predict.
const minFreeRunes = 6

func ruleError(key string, args ...any) *apperr.Error {
	return apperr.New(apperr.Invalid, "password", key, args...)
}

// CheckPasswordRules enforces the password rules (O3) for the account login
// of the staff member name, naming the field "password":
//   - MinPasswordRunes to MaxPasswordRunes characters, not only spaces;
//   - at least two kinds of character among letters, digits and others;
//   - not mostly sequences, keyboard runs or repeats: at least minFreeRunes
//     characters outside runs (abc, 123, qwerty, 1qaz2wsx, 987 …) and
//     repeats (aaa, a unit repeated: abcabc, 121212);
//   - not a common password (the bundled list), also once leading and
//     trailing digits and symbols are taken off and 0/1/3/4/5/@/$ read as
//     o/i/e/a/s/a/s ("P@ssw0rd2026!" is "password");
//   - not containing the login or the person's name (case-insensitively).
//
// Not repeating the account's last PasswordHistory passwords is checked
// by the Service, which holds their hashes.
func CheckPasswordRules(login, name, password string) error {
	if !utf8.ValidString(password) {
		return ruleError("auth.the_password_contains_invalid_characters")
	}
	n := utf8.RuneCountInString(password)
	if n < MinPasswordRunes {
		return apperr.Invalidf("password", "auth.the_password_needs_at_least_characters", MinPasswordRunes, n)
	}
	if n > MaxPasswordRunes {
		return apperr.Invalidf("password", "auth.the_password_may_have_at_most", MaxPasswordRunes, n)
	}
	if strings.TrimFunc(password, unicode.IsSpace) == "" {
		return ruleError("auth.the_password_cannot_be_only_spaces")
	}
	lower := strings.ToLower(password)
	if l := strings.TrimSpace(strings.ToLower(login)); l != "" && strings.Contains(lower, l) {
		return ruleError("auth.the_password_cannot_contain_the_account")
	}
	if nm := strings.ToLower(strings.Join(strings.Fields(name), "")); utf8.RuneCountInString(nm) >= 2 &&
		strings.Contains(strings.ToLower(strings.Join(strings.Fields(password), "")), nm) {
		return ruleError("auth.the_password_cannot_contain_your_name")
	}
	if repeatedUnit(lower) {
		return ruleError("auth.the_password_cannot_be_one_character")
	}
	if commonPasswords[lower] || commonPasswords[passwordCore(lower)] {
		return ruleError("auth.this_password_is_too_common_and")
	}
	if freeRunes(lower) < minFreeRunes {
		return ruleError("auth.the_password_is_mostly_a_sequence")
	}
	if kinds(password) < 2 {
		return ruleError("auth.the_password_needs_at_least_two")
	}
	return nil
}

// kinds counts the kinds of character in s: letters, digits, others.
func kinds(s string) int {
	var letter, digit, other bool
	for _, r := range s {
		switch {
		case unicode.IsLetter(r):
			letter = true
		case unicode.IsDigit(r):
			digit = true
		default:
			other = true
		}
	}
	n := 0
	for _, b := range []bool{letter, digit, other} {
		if b {
			n++
		}
	}
	return n
}

// repeatedUnit reports whether s is one group of characters repeated
// (aaaa, abab, 123123).
func repeatedUnit(s string) bool {
	rs := []rune(s)
	for size := 1; size <= len(rs)/2; size++ {
		if len(rs)%size != 0 {
			continue
		}
		unit := string(rs[:size])
		if strings.Repeat(unit, len(rs)/size) == s {
			return true
		}
	}
	return false
}

// leet reads look-alike digits and symbols as the letters they stand for.
var leet = strings.NewReplacer("0", "o", "1", "i", "3", "e", "4", "a", "5", "s", "7", "t", "@", "a", "$", "s")

// passwordCore is a lower-case password without its leading and trailing
// digits and symbols, look-alikes read as letters: the word people dress
// up ("Password2026!" → "password").
func passwordCore(lower string) string {
	core := strings.TrimFunc(lower, func(r rune) bool { return !unicode.IsLetter(r) })
	return leet.Replace(core)
}

// freeRunes counts the characters of s outside runs (runLines) and repeats
// of one character three or more times.
func freeRunes(s string) int {
	rs := []rune(s)
	covered := make([]bool, len(rs))
	for i := 0; i < len(rs); i++ {
		j := i + 1
		for j < len(rs) && (rs[j] == rs[i] || follows(rs[j-1], rs[j])) {
			j++
		}
		if j-i >= 3 {
			for k := i; k < j; k++ {
				covered[k] = true
			}
		}
	}
	free := 0
	for _, c := range covered {
		if !c {
			free++
		}
	}
	return free
}

// follows reports whether b comes right after or right before a in one of
// the runLines, or repeats it.
func follows(a, b rune) bool {
	if a == b {
		return true
	}
	pair, back := string([]rune{a, b}), string([]rune{b, a})
	for _, l := range runLines {
		if strings.Contains(l, pair) || strings.Contains(l, back) {
			return true
		}
	}
	return false
}
