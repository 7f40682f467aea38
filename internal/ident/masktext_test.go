package ident

import (
	"strings"
	"testing"
)

// L7, O4: personal data typed into free text is masked for the public;
// office contacts, dates, amounts and codes of other kinds are left.
func TestMaskText_L7_findsPersonalDataInFreeText(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"申请人身份证11010519491231002X须核验", "申请人身份证110105********002X须核验"},
		{"号码 11010519491231002x。", "号码 110105********002x。"},
		{"旧证130503670401001", "旧证130503******001"},
		{"联系电话13812345678或0371-67890123", "联系电话138****5678或0371-67890123"},
		{"手机 138 1234 5678", "手机 138 **** 5678"},
		{"+86 138-1234-5678", "+86 138-****-5678"},
		{"１３８１２３４５６７８", "１３８****５６７８"},
		{"账号6222021234567890123", "账号6222***********0123"},
		{"卡号 6222 0212 3456 7890", "卡号 6222 **** **** 7890"},
		{"联系人：王小明，电话12345", "联系人：王**，电话12345"},
		{"姓名: 欧阳娜娜", "姓名: 欧***"},
		{"法定代表人：阿卜杜·热合曼。", "法定代表人：阿******。"},
		{"住址：北京市朝阳区建国路88号1201室，", "住址：北京市朝阳区建国路****，"},
		{"家庭住址：幸福小区3栋", "家庭住址：****"},
		{"来信请寄 zhangsan@example.com", "来信请寄 z*******@example.com"},
		// Left as they are: office phones, hotlines, dates, amounts, codes
		// and article numbers, labels without a colon, empty text.
		{"咨询电话0371-67890123，投诉12345", "咨询电话0371-67890123，投诉12345"},
		{"010 12345678", "010 12345678"},
		{"2026-01-05起施行，收费200元，基本编码0100001000", "2026-01-05起施行，收费200元，基本编码0100001000"},
		{"申请人须为本区户籍居民", "申请人须为本区户籍居民"},
		{"《行政许可法》第32条", "《行政许可法》第32条"},
		{"", ""},
	} {
		if got := MaskText(c.in); got != c.want {
			t.Errorf("MaskText(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// An 18-digit number without a birth date in place is no ID number, but
// it is long enough to be an account: it is masked all the same.
func TestMaskText_L7_longNumbersAreMaskedMoreNeverLess(t *testing.T) {
	for _, in := range []string{"114101990051010382", "20260105120000", "11410199005101011A0100000001"} {
		got := MaskText(in)
		if got == in || !strings.Contains(got, "****") {
			t.Errorf("MaskText(%q) = %q: not masked", in, got)
		}
	}
}

type maskedRecord struct {
	Code  string `mask:"keep"`
	Note  string
	Lines []string
	Kind  kind
	Sub   struct{ Text string }
	Subs  []struct{ Text string }
	Ptr   *struct{ Text string }
	hide  string
}

type kind string

// MaskFields masks every exported text field however deep, but not codes
// tagged to be kept, enumerations or unexported fields.
func TestMaskFields_L7_everyTextFieldButCodes(t *testing.T) {
	const id = "11010519491231002X"
	r := maskedRecord{Code: id, Note: id, Lines: []string{id}, Kind: kind(id), hide: id}
	r.Sub.Text = id
	r.Subs = []struct{ Text string }{{id}}
	r.Ptr = &struct{ Text string }{id}
	MaskFields(&r)
	for name, got := range map[string]string{"Note": r.Note, "Lines": r.Lines[0], "Sub": r.Sub.Text, "Subs": r.Subs[0].Text, "Ptr": r.Ptr.Text} {
		if got != "110105********002X" {
			t.Errorf("%s = %q, not masked", name, got)
		}
	}
	if r.Code != id || string(r.Kind) != id || r.hide != id {
		t.Errorf("kept fields changed: %+v", r)
	}
}
