package casework

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Case numbers and query codes (V3). A number is public and readable: the
// body's division code, the year and a sequence (330199-2026-000123), so it
// is guessable, and a case is never looked up by its number alone: the
// public also gives the secret query code handed out at application. Only
// a hash of the code is kept. The hash covers the number too, so equal
// codes of two cases hash differently and one table of hashes serves no
// other case. (The code guards the public lookup, whose attempts the
// portal throttles; whoever reads the database reads the cases anyway.)

// NumberOf formats a case number: body code, year, sequence (at least six
// digits, more once a body opens a millionth case in a year).
func NumberOf(bodyCode string, year int, seq int64) string {
	return fmt.Sprintf("%s-%04d-%06d", bodyCode, year, seq)
}

// ParseNumber reads a case number into its parts, refusing anything else
// with an Invalid error on field.
func ParseNumber(field, s string) (bodyCode string, year int, seq int64, err error) {
	parts := strings.Split(s, "-")
	if len(parts) != 3 || !bodyCodeOK(parts[0]) || len(parts[1]) != 4 || len(parts[2]) < 6 ||
		!digits(parts[1]) || !digits(parts[2]) {
		return "", 0, 0, errNumber(field, s)
	}
	year, _ = strconv.Atoi(parts[1])
	seq, err = strconv.ParseInt(parts[2], 10, 64)
	if err != nil || seq < 1 || year < 2000 {
		return "", 0, 0, errNumber(field, s)
	}
	return parts[0], year, seq, nil
}

// bodyCodeOK: a division code of 6, 9 or 12 digits (org's body codes).
func bodyCodeOK(s string) bool {
	return (len(s) == 6 || len(s) == 9 || len(s) == 12) && digits(s)
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// queryAlphabet leaves out what people misread: 0/O, 1/I/L.
const queryAlphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"

// QueryCodeLength is the length of a query code: 31⁸ ≈ 8.5·10¹¹ codes.
const QueryCodeLength = 8

// NewQueryCode draws a query code from random (crypto/rand.Reader in
// production), each character uniform over the alphabet.
func NewQueryCode(random io.Reader) (string, error) {
	out := make([]byte, 0, QueryCodeLength)
	buf := make([]byte, 16)
	// 248 = 8·31: a byte below it maps uniformly onto the alphabet.
	const limit = 256 - 256%len(queryAlphabet)
	for len(out) < QueryCodeLength {
		if _, err := io.ReadFull(random, buf); err != nil {
			return "", fmt.Errorf("casework: query code: %w", err)
		}
		for _, b := range buf {
			if int(b) < limit && len(out) < QueryCodeLength {
				out = append(out, queryAlphabet[int(b)%len(queryAlphabet)])
			}
		}
	}
	return string(out), nil
}

// normalCode is a code as typed, made canonical: spaces and hyphens
// dropped, letters upper-cased.
func normalCode(code string) string {
	return strings.ToUpper(strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' || r == '\u3000' {
			return -1
		}
		return r
	}, code))
}

// QueryCodeHash is what a case keeps of its query code: hex SHA-256 over
// the number and the code.
func QueryCodeHash(number, code string) string {
	h := sha256.Sum256([]byte("qingdan query code v1\x00" + number + "\x00" + normalCode(code)))
	return hex.EncodeToString(h[:])
}

// CheckQueryCode verifies a query code typed by the public against the
// case, in constant time. A wrong code is the same NotFound as a number
// that does not exist, so the answer tells nothing about which numbers do.
func (c Case) CheckQueryCode(code string) error {
	want := []byte(c.QueryCodeHash)
	got := []byte(QueryCodeHash(c.Number, code))
	if len(want) == 0 || subtle.ConstantTimeCompare(want, got) != 1 {
		return errNoSuchCase()
	}
	return nil
}
