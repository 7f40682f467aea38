package ident

import (
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/qingdan/qingdan/internal/apperr"
)

var today = time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)

// withCheck appends the GB 11643 check character to 17 digits.
func withCheck(body string) string { return body + string(ResidentCheckChar(body)) }

func TestResidentID_V1_examplePasses(t *testing.T) {
	id, err := ParseResidentID("id_number", "11010519491231002X", today)
	if err != nil {
		t.Fatal(err)
	}
	if id.Region != "110105" || !id.Birth.Equal(time.Date(1949, 12, 31, 0, 0, 0, 0, time.UTC)) || id.Male {
		t.Errorf("parsed %+v", id)
	}
	// Lower-case x and surrounding spaces are normalised.
	id, err = ParseResidentID("id_number", " 11010519491231002x ", today)
	if err != nil || id.Number != "11010519491231002X" {
		t.Errorf("lower-case x: %+v, %v", id, err)
	}
	// Full-width characters from a Chinese input method are read as ASCII.
	id, err = ParseResidentID("id_number", "１１０１０５１９４９１２３１００２ｘ", today)
	if err != nil || id.Number != "11010519491231002X" {
		t.Errorf("full-width: %+v, %v", id, err)
	}
	if err := ValidateResidentID("id_number", "11010519491231002X"); err != nil {
		t.Error(err)
	}
}

func TestResidentID_V1_errors(t *testing.T) {
	cases := []struct {
		in, zh, en string
	}{
		{"", "请填写", "required"},
		{"1101051949123100", "应为18位，实际为16位", "18 characters, got 16"},
		{"110105491231002", "15位", "15-digit"},
		{"1101051949123A002X", "第14位“A”不是数字", "character 14 (“A”)"},
		{"11010519491231002Y", "第18位“Y”", "character 18 (“Y”)"},
		{"11010519491231002Ｚ", "第18位“Z”", "character 18"},
		{"110105194912310\x012X", "第16位“U+0001”", "character 16"},
		{withCheck("11010519490229002"), "出生日期19490229无效", "19490229"},
		{withCheck("11010519491301002"), "出生日期19491301无效", "not a valid birth date"},
		{withCheck("11010517991231002"), "出生日期17991231无效", "not a valid"},
		{withCheck("11010520261124002"), "晚于今天", "in the future"},
		{"110105194912310021", "校验位错误：应为X，实为1", "expected X, got 1"},
	}
	for _, c := range cases {
		_, err := ParseResidentID("id_number", c.in, today)
		e, ok := err.(*apperr.Error)
		if !ok {
			t.Errorf("%q: got %v, want *apperr.Error", c.in, err)
			continue
		}
		if e.Code != apperr.Invalid || e.Field != "id_number" || !strings.Contains(e.Message("zh"), c.zh) || !strings.Contains(e.Message("en"), c.en) {
			t.Errorf("%q: got %+v, want zh ~ %q, en ~ %q", c.in, e, c.zh, c.en)
		}
		if strings.Contains(e.Message("zh")+e.Message("en"), "%!") {
			t.Errorf("%q: format error in %q / %q", c.in, e.Message("zh"), e.Message("en"))
		}
	}
}

func TestResidentID_V1_todayInChinaTime(t *testing.T) {
	// 16:30 UTC on 23 Nov is already 24 Nov in China: someone born that day
	// has a valid number.
	late := time.Date(2026, 11, 23, 16, 30, 0, 0, time.UTC)
	if _, err := ParseResidentID("f", withCheck("11010520261124002"), late); err != nil {
		t.Error(err)
	}
	leap := withCheck("11010520000229001")
	id, err := ParseResidentID("f", leap, today)
	if err != nil || !id.Male {
		t.Errorf("leap day: %+v %v", id, err)
	}
}

func TestResidentID_L7_minor(t *testing.T) {
	id, err := ParseResidentID("f", withCheck("11010520081124002"), today)
	if err != nil {
		t.Fatal(err)
	}
	if !id.Minor(today) || id.AgeAt(today) != 17 {
		t.Errorf("age %d on %v", id.AgeAt(today), today)
	}
	if id.Minor(today.AddDate(0, 0, 1)) {
		t.Error("18 on the birthday")
	}
}

func TestCreditCode_V2(t *testing.T) {
	body := "91350100M000100Y4"
	code := body + string(CreditCheckChar(body))
	got, err := ValidateCreditCode("credit_code", " "+strings.ToLower(code)+" ")
	if err != nil || got != code {
		t.Fatalf("valid code %s: %q %v", code, got, err)
	}
	if got, err := ValidateCreditCode("credit_code", "９１３５０１００ｍ０００１００Ｙ４３"); err != nil || got != "91350100M000100Y43" {
		t.Errorf("full-width code: %q %v", got, err)
	}
	// A published example: 91350100M000100Y43.
	if _, err := ValidateCreditCode("credit_code", "91350100M000100Y43"); err != nil {
		t.Errorf("published example: %v", err)
	}
	wrong := creditChars[(strings.IndexByte(creditChars, code[17])+1)%31]
	cases := []struct{ in, zh, en string }{
		{"", "请填写", "required"},
		{"91350100M000100Y4", "应为18位，实际为17位", "got 17"},
		{"91350100M000100I43", "第16位“I”", "character 16 (“I”)"},
		{"9135010oM000100Y43", "第8位“O”", "character 8"},
		{"91350100M000100Y4中", "第18位“中”", "character 18"},
		{body + string(wrong), "校验位错误：应为" + string(code[17]) + "，实为" + string(wrong), "expected " + string(code[17])},
	}
	for _, c := range cases {
		_, err := ValidateCreditCode("credit_code", c.in)
		e, ok := err.(*apperr.Error)
		if !ok || e.Code != apperr.Invalid || e.Field != "credit_code" || !strings.Contains(e.Message("zh"), c.zh) || !strings.Contains(e.Message("en"), c.en) {
			t.Errorf("%q: got %v, want zh ~ %q, en ~ %q", c.in, err, c.zh, c.en)
		}
	}
}

// TestCreditCode_V2_everySingleSubstitutionCaught: the mod-31 check with
// weights coprime to 31 detects every single-character error.
func TestCreditCode_V2_everySingleSubstitutionCaught(t *testing.T) {
	code := "91350100M000100Y43"
	for i := 0; i < 18; i++ {
		for j := 0; j < len(creditChars); j++ {
			c := creditChars[j]
			if c == code[i] {
				continue
			}
			bad := code[:i] + string(c) + code[i+1:]
			if _, err := ValidateCreditCode("f", bad); err == nil {
				t.Fatalf("%s accepted", bad)
			}
		}
	}
}

func TestMask_L7_and_O4_examples(t *testing.T) {
	cases := []struct {
		f    func(string) string
		in   string
		want string
	}{
		{MaskResidentID, "11010519491231002X", "110105********002X"},
		{MaskResidentID, "110105491231002", "110105******002"},
		{MaskResidentID, "1234", "12**"},
		{MaskResidentID, "", ""},
		{MaskName, "张三", "张*"},
		{MaskName, "欧阳娜娜", "欧***"},
		{MaskName, "王小明", "王**"},
		{MaskName, "阿依古丽·买买提", "阿*******"},
		{MaskName, "李", "*"},
		{MaskName, "", ""},
		{MaskPhone, "13812345678", "138****5678"},
		{MaskPhone, "+86 138 1234 5678", "+86 138 **** 5678"},
		{MaskPhone, "8613812345678", "86138****5678"},
		{MaskPhone, "010-12345678", "010-****5678"},
		{MaskPhone, "01012345678", "010****5678"},
		{MaskPhone, "0755-1234567", "0755-****567"},
		{MaskPhone, "07551234567", "0755****567"},
		{MaskPhone, "(0571)87654321", "(0571)****4321"},
		{MaskPhone, "87654321", "****4321"},
		{MaskPhone, "12345", "***45"},
		{MaskPhone, "１３８１２３４５６７８", "１３８****５６７８"},
		{MaskPhone, "无", "无"},
		{MaskAddress, "北京市朝阳区建国路88号SOHO现代城A座1201", "北京市朝阳区建国路****"},
		{MaskAddress, "广东省深圳市南山区粤海街道科技园路1号", "广东省深圳市南山区粤海街道科技园路****"},
		{MaskAddress, "江苏省昆山市玉山镇前进西路3号", "江苏省昆山市玉山镇前进西路****"},
		{MaskAddress, "北京市朝阳区幸福城市花园3号楼", "北京市朝阳区****"},
		{MaskAddress, "上海市浦东新区阳光小区东路5号", "上海市浦东新区****"},
		{MaskAddress, "哈尔滨市道里区中央大街12号", "哈尔滨市道里区中央大街****"},
		{MaskAddress, "某某县城关镇张家村三组15号", "某某县城关镇****"},
		{MaskAddress, "幸福里3号", "****"},
		{MaskAddress, "北京市朝阳区", "北京市朝阳区"},
		{MaskAddress, "", ""},
		{MaskBankAccount, "6222021234567890123", "6222***********0123"},
		{MaskBankAccount, "6222 0212 3456 7890", "6222 **** **** 7890"},
		{MaskBankAccount, "12345678", "****5678"},
		{MaskBankAccount, "123", "**3"},
	}
	for _, c := range cases {
		if got := c.f(c.in); got != c.want {
			t.Errorf("mask(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// hiddenOK checks the masking contract on in → out: where out has '*', the
// input's rune at that place is gone, and every rune of out is either '*' or
// the input's rune at the same place (the maskers never move characters).
func hiddenOK(t *testing.T, name, in, out string) {
	t.Helper()
	ir, or := []rune(strings.TrimSpace(in)), []rune(out)
	if len(ir) != len(or) {
		t.Fatalf("%s(%q) = %q: length changed", name, in, out)
	}
	for i := range or {
		if or[i] != '*' && or[i] != ir[i] {
			t.Fatalf("%s(%q) = %q: rune %d changed", name, in, out, i)
		}
	}
}

func FuzzResidentID_V1(f *testing.F) {
	for _, s := range []string{"11010519491231002X", "110105491231002", "", "x", "11010519490229002X", "1101051949123100２X"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		id, err := ParseResidentID("f", s, today)
		if err != nil {
			if _, ok := err.(*apperr.Error); !ok {
				t.Fatalf("error %T", err)
			}
			return
		}
		// Anything accepted is a well-formed number whose check we recompute.
		if len(id.Number) != 18 || ResidentCheckChar(id.Number[:17]) != id.Number[17] || id.Birth.After(today) {
			t.Fatalf("accepted %q as %+v", s, id)
		}
		m := MaskResidentID(id.Number)
		if strings.Contains(m, id.Number[6:14]) || m[6:14] != "********" {
			t.Fatalf("birth date visible in %q", m)
		}
	})
}

func FuzzCreditCode_V2(f *testing.F) {
	for _, s := range []string{"91350100M000100Y43", "", "91350100M000100Y4", "9135010oM000100Y43"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		code, err := ValidateCreditCode("f", s)
		if err != nil {
			if _, ok := err.(*apperr.Error); !ok {
				t.Fatalf("error %T", err)
			}
			return
		}
		if len(code) != 18 || CreditCheckChar(code[:17]) != code[17] {
			t.Fatalf("accepted %q as %q", s, code)
		}
	})
}

func FuzzMaskResidentID_L7(f *testing.F) {
	f.Add("11010519491231002X")
	f.Add("110105491231002")
	f.Add("ab")
	f.Fuzz(func(t *testing.T, s string) {
		out := MaskResidentID(s)
		hiddenOK(t, "MaskResidentID", s, out)
		r, o := []rune(strings.TrimSpace(s)), []rune(out)
		switch len(r) {
		case 18:
			for i := 6; i < 14; i++ {
				if o[i] != '*' {
					t.Fatalf("digit %d visible in %q", i+1, out)
				}
			}
		case 15:
			for i := 6; i < 12; i++ {
				if o[i] != '*' {
					t.Fatalf("digit %d visible in %q", i+1, out)
				}
			}
		default:
			if hidden := strings.Count(out, "*"); hidden < len(r)-len(r)/2 {
				t.Fatalf("%q hides less than half", out)
			}
		}
	})
}

func FuzzMaskName_L7(f *testing.F) {
	f.Add("张三")
	f.Add("欧阳娜娜")
	f.Add("\xff\xfe")
	f.Fuzz(func(t *testing.T, s string) {
		out := MaskName(s)
		hiddenOK(t, "MaskName", s, out)
		o := []rune(out)
		for i := 1; i < len(o); i++ {
			if o[i] != '*' {
				t.Fatalf("%q reveals rune %d", out, i)
			}
		}
		if len(o) == 1 && o[0] != '*' {
			t.Fatalf("one-rune name %q not hidden", out)
		}
	})
}

func FuzzMaskPhone_L7(f *testing.F) {
	for _, s := range []string{"13812345678", "+86 138 1234 5678", "010-12345678", "0755-1234567", "１３８", "", "0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := MaskPhone(s)
		hiddenOK(t, "MaskPhone", s, out)
		digits, visible := 0, 0
		for i, c := range []rune(strings.TrimSpace(s)) {
			if unicode.IsDigit(c) {
				digits++
				if []rune(out)[i] != '*' {
					visible++
				}
			}
		}
		hide := 4
		if digits < 8 {
			hide = (digits + 1) / 2
		}
		if digits-visible < hide {
			t.Fatalf("%q → %q hides %d of %d digits", s, out, digits-visible, digits)
		}
	})
}

func FuzzMaskBankAccount_L7(f *testing.F) {
	f.Add("6222021234567890123")
	f.Add("6222 0212 3456 7890")
	f.Add("1")
	f.Fuzz(func(t *testing.T, s string) {
		out := MaskBankAccount(s)
		hiddenOK(t, "MaskBankAccount", s, out)
		n, visible := 0, 0
		o := []rune(out)
		for i, c := range []rune(strings.TrimSpace(s)) {
			if unicode.IsDigit(c) || unicode.IsLetter(c) {
				n++
				if o[i] != '*' {
					visible++
				}
			}
		}
		if visible > 8 || (n < 12 && visible > n/2) {
			t.Fatalf("%q → %q keeps %d of %d", s, out, visible, n)
		}
	})
}

func FuzzMaskAddress_L7(f *testing.F) {
	f.Add("北京市朝阳区建国路88号SOHO现代城A座1201")
	f.Add("某某县城关镇张家村三组15号")
	f.Add("区区区路")
	f.Fuzz(func(t *testing.T, s string) {
		out := MaskAddress(s)
		kept := strings.TrimSuffix(out, "****")
		if !strings.HasPrefix(strings.TrimSpace(s), kept) {
			t.Fatalf("%q → %q is not a prefix plus ****", s, out)
		}
		if kept != strings.TrimSpace(s) && kept+"****" != out {
			t.Fatalf("%q → %q", s, out)
		}
		for _, c := range kept {
			if unicode.IsDigit(c) || c == utf8.RuneError {
				t.Fatalf("%q → %q keeps a digit", s, out)
			}
		}
	})
}
