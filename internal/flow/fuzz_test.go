package flow

import (
	"bytes"
	"reflect"
	"regexp"
	"strings"
	"testing"
)

var fieldLine = regexp.MustCompile(`^line [1-9][0-9]*, column [0-9]+(: |$)`)

// FuzzParse: any input either gives a flow whose canonical encoding reads
// back into the same flow, or gives nil and mistakes that each name a line.
// Never a panic.
func FuzzParse(f *testing.F) {
	for _, code := range ShippedCodes {
		src, err := ShippedSource(code)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(src)
	}
	f.Add([]byte(small))
	f.Add([]byte(exOfficio))
	f.Add(mustParse(f, small).Canonical())
	f.Add([]byte(strings.Replace(small, "choices: {outcome: [approved, not_approved]}", "choices: {}", 1)))
	f.Add([]byte(strings.Replace(small, "name: 审查", `name: "\u00e9\t\U0001F600"`, 1)))
	f.Add([]byte("code: [\n"))
	f.Add([]byte("a: &x [1]\nb: *x\n"))
	f.Add([]byte("---\n---\n"))
	f.Add([]byte(`{"code":"x","version":1,"steps":[{"id":"a","limit":{"n":-1,"unit":"hours"}}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		fl, err := Parse(data, testOptions)
		if err != nil {
			if fl != nil {
				t.Fatal("a flow returned with an error")
			}
			for _, e := range mistakes(t, err) {
				if !fieldLine.MatchString(e.Field) || e.Message("zh") == "" || e.Message("en") == "" {
					t.Fatalf("mistake without a line or a message: %+v", e)
				}
			}
			return
		}
		c := fl.Canonical()
		back, err := Parse(c, testOptions)
		if err != nil {
			t.Fatalf("canonical encoding %s refused:%s", c, listed(err))
		}
		if !reflect.DeepEqual(fl, back) || !bytes.Equal(back.Canonical(), c) {
			t.Fatalf("canonical encoding does not round-trip: %s", c)
		}
	})
}
