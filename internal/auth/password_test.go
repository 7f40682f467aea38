package auth

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/qingdan/qingdan/internal/apperr"
)

// cheap keeps tests fast; production uses DefaultArgon2.
var cheap = Argon2Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

func TestPassword_O3_hashVerify(t *testing.T) {
	ctx := context.Background()
	h := NewHasher(cheap, 2)
	enc, err := h.Hash(ctx, "correct horse 电池")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(enc, "$argon2id$v=19$m=64,t=1,p=1$") {
		t.Errorf("PHC string %s", enc)
	}
	enc2, err := h.Hash(ctx, "correct horse 电池")
	if err != nil || enc2 == enc {
		t.Errorf("same salt twice or %v", err)
	}
	for pw, want := range map[string]bool{"correct horse 电池": true, "correct horse 电": false, "": false} {
		ok, err := h.Verify(ctx, pw, enc)
		if err != nil || ok != want {
			t.Errorf("Verify(%q) = %v, %v", pw, ok, err)
		}
	}
	if h.NeedsRehash(enc) {
		t.Error("fresh hash needs rehash")
	}
	if !NewHasher(DefaultArgon2, 1).NeedsRehash(enc) || !h.NeedsRehash("garbage") {
		t.Error("NeedsRehash misses a parameter change or a bad hash")
	}
}

func TestPassword_O3_malformedHashes(t *testing.T) {
	h := NewHasher(cheap, 1)
	good, err := h.Hash(context.Background(), "whatever-password")
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(good, "$")
	bad := []string{
		"", "$argon2i$v=19$m=64,t=1,p=1$" + parts[4] + "$" + parts[5],
		"$argon2id$v=16$m=64,t=1,p=1$" + parts[4] + "$" + parts[5],
		"$argon2id$v=19$m=4194304,t=1,p=1$" + parts[4] + "$" + parts[5], // 4 GiB: refused, not allocated
		"$argon2id$v=19$m=64,t=1000,p=1$" + parts[4] + "$" + parts[5],
		"$argon2id$v=19$m=64,t=1,p=0$" + parts[4] + "$" + parts[5],
		"$argon2id$v=19$m=64,t=1,p=1,x=2$" + parts[4] + "$" + parts[5],
		"$argon2id$v=19$m=64,t=1,p=1$!!$" + parts[5],
		"$argon2id$v=19$m=64,t=1,p=1$" + parts[4] + "$" + parts[5][:10],
	}
	for _, b := range bad {
		if ok, err := h.Verify(context.Background(), "whatever-password", b); err == nil || ok {
			t.Errorf("Verify accepted %q", b)
		}
	}
}

func TestPassword_O3_hasherHonoursContext(t *testing.T) {
	h := NewHasher(cheap, 1)
	h.sem <- struct{}{} // occupy the only slot
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	if _, err := h.Hash(ctx, "x"); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("got %v", err)
	}
}

func TestPassword_O3_rules(t *testing.T) {
	cases := []struct{ login, name, pw, want string }{
		{"zhangsan", "张三", "short", "至少需要10个字符，当前为5个"},
		{"zhangsan", "张三", "密码密码密码密码密", "至少需要10个字符，当前为9个"},
		{"zhangsan", "张三", "aaaaaaaaaaaa", "同一个字符"},
		{"zhangsan", "张三", "            ", "空白"},
		{"zhangsan", "张三", "ZhangSan2026!", "账号名"},
		{"zhangsan", "张三", "my-zhangsan-pw", "账号名"},
		{"zhangsan", "张三", "\xff\xfe234567890", "无效字符"},
		{"zhangsan", "张三", "密码密码密码密码密码", "重复"},
		{"zhangsan", "张三", "abcabcabcabc", "重复"},
		{"zhangsan", "张三", strings.Repeat("ab", 65), "最多128个字符，当前为130个"},
		// Sequences and keyboard runs (issue #11.8).
		{"zhangsan", "张三", "1234567890", "连续或重复"},
		{"zhangsan", "张三", "0987654321", "连续或重复"},
		{"zhangsan", "张三", "qwertyuiop", "过于常见"},
		{"zhangsan", "张三", "poiuytrewq", "连续或重复"},
		{"zhangsan", "张三", "1qaz2wsx3edc", "连续或重复"},
		{"zhangsan", "张三", "mnopqr987654", "连续或重复"},
		{"zhangsan", "张三", "13912345678", "连续或重复"},
		// Common passwords, dressed up or not.
		{"zhangsan", "张三", "password12", "过于常见"},
		{"zhangsan", "张三", "P@ssw0rd2026!", "过于常见"},
		{"zhangsan", "张三", "Admin@2026!!", "过于常见"},
		{"zhangsan", "张三", "5201314woaini", "过于常见"},
		{"zhangsan", "张三", "iloveyou1314", "过于常见"},
		// The person's name.
		{"zhangsan", "张三", "张三的密码是2026", "姓名"},
		{"zhaomin", "赵 敏", "my赵敏pass-2026", "姓名"},
		// One kind of character.
		{"zhangsan", "张三", "correcthorsebattery", "两类"},
		{"zhangsan", "张三", "我的密码又长又难猜啊", "两类"},
		// Good ones.
		{"zhangsan", "张三", "correct horse", ""},
		{"", "", "correct horse", ""},
		{"zhangsan", "张三", "Lantern-Orchid-58", ""},
		{"zhangsan", "张三", "我的密码又长又难猜2026", ""},
		{"admin", "赵敏", "qingdan-demo", ""},
	}
	for _, c := range cases {
		err := CheckPasswordRules(c.login, c.name, c.pw)
		if c.want == "" {
			if err != nil {
				t.Errorf("%q refused: %v", c.pw, err)
			}
			continue
		}
		var e *apperr.Error
		if !errors.As(err, &e) || e.Code != apperr.Invalid || e.Field != "password" || !strings.Contains(e.Message("zh"), c.want) || e.Message("en") == "" {
			t.Errorf("%q: got %v, want …%s…", c.pw, err, c.want)
		}
	}
}

func BenchmarkPassword_defaultParams(b *testing.B) {
	h := NewHasher(DefaultArgon2, 1)
	for b.Loop() {
		if _, err := h.Hash(context.Background(), "correct horse battery"); err != nil {
			b.Fatal(err)
		}
	}
}

// FuzzPHC_O3: whatever a corrupted hash column holds, reading it never
// panics and never yields parameters beyond the limits.
func FuzzPHC_O3(f *testing.F) {
	h := NewHasher(cheap, 1)
	good, err := h.Hash(context.Background(), "whatever-password")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add("$argon2id$v=19$m=65536,t=2,p=2$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA")
	f.Add("$argon2id$v=19$m=1,t=1,p=1$$")
	f.Fuzz(func(t *testing.T, s string) {
		p, salt, key, err := decodePHC(s)
		if err != nil {
			if !h.NeedsRehash(s) {
				t.Fatal("unreadable hash does not need a rehash")
			}
			return
		}
		if p.Memory > maxArgonMemory || p.Time > maxArgonTime || p.Threads < 1 || len(salt) < 8 || len(key) < 16 || len(key) > maxArgonKeyLen {
			t.Fatalf("accepted %q as %+v", s, p)
		}
	})
}

// FuzzPasswordRules_O3: the rules never panic and always answer with the
// field "password".
func FuzzPasswordRules_O3(f *testing.F) {
	f.Add("zhangsan", "张三", "correct horse")
	f.Add("", "", "\xff")
	f.Fuzz(func(t *testing.T, login, name, pw string) {
		if err := CheckPasswordRules(login, name, pw); err != nil {
			if e := apperr.As(err); e.Code != apperr.Invalid || e.Field != "password" {
				t.Fatalf("%v", err)
			}
		}
	})
}
