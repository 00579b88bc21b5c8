package passhash

import (
	"bufio"
	"errors"
	"os"
	"strings"
	"testing"
)

type vector struct {
	line     int
	hash     string
	password string
	expect   string
}

func loadVectors(t testing.TB) []vector {
	t.Helper()
	f, err := os.Open("testdata/vectors.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var vs []vector
	var cur vector
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if strings.HasPrefix(line, "#") || strings.TrimSpace(line) == "" {
			continue
		}
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			t.Fatalf("vectors.txt:%d: no colon", n)
		}
		v = strings.TrimPrefix(v, " ")
		switch k {
		case "hash":
			cur = vector{line: n, hash: v}
		case "password":
			cur.password = v
		case "expect":
			cur.expect = v
			vs = append(vs, cur)
		default:
			t.Fatalf("vectors.txt:%d: unknown key %q", n, k)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(vs) == 0 {
		t.Fatal("no vectors in testdata/vectors.txt")
	}
	return vs
}

func TestVectors(t *testing.T) {
	h, err := New(Cheap)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range loadVectors(t) {
		ok, err := h.Verify(v.hash, v.password)
		var got string
		switch {
		case err != nil:
			got = "malformed"
		case ok:
			got = "match"
		default:
			got = "mismatch"
		}
		if got != v.expect {
			t.Errorf("vectors.txt:%d: got %s (err %v), expect: %s", v.line, got, err, v.expect)
		}
	}
}

func TestHashVerify(t *testing.T) {
	h, err := New(Cheap)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, password, candidate string
		want                      bool
	}{
		{"same", "Correct horse 1", "Correct horse 1", true},
		{"different", "Correct horse 1", "Correct horse 2", false},
		{"prefix", "Correct horse 1", "Correct horse ", false},
		{"empty candidate", "Correct horse 1", "", false},
		{"unicode", "pässwörd-Ω", "pässwörd-Ω", true},
		{"unicode other form", "pässwörd", "pa\u0308sswo\u0308rd", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			enc, err := h.Hash(tt.password)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(enc, "$argon2id$v=19$m=64,t=1,p=1$") {
				t.Errorf("hash %q: unexpected prefix", enc)
			}
			ok, err := h.Verify(enc, tt.candidate)
			if err != nil {
				t.Fatal(err)
			}
			if ok != tt.want {
				t.Errorf("Verify = %v, want %v", ok, tt.want)
			}
		})
	}
}

func TestSaltIsRandom(t *testing.T) {
	h, _ := New(Cheap)
	a, _ := h.Hash("same password")
	b, _ := h.Hash("same password")
	if a == b {
		t.Fatalf("two hashes of one password are equal: %s", a)
	}
}

func TestTooLong(t *testing.T) {
	h, _ := New(Cheap)
	long := strings.Repeat("a", MaxPasswordLen+1)
	if _, err := h.Hash(long); !errors.Is(err, ErrTooLong) {
		t.Errorf("Hash(long) error = %v, want ErrTooLong", err)
	}
	enc, err := h.Hash(long[:MaxPasswordLen])
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := h.Verify(enc, long[:MaxPasswordLen]); !ok || err != nil {
		t.Errorf("Verify(max length) = %v, %v", ok, err)
	}
	if ok, err := h.Verify(enc, long); ok || err != nil {
		t.Errorf("Verify(too long) = %v, %v", ok, err)
	}
}

func TestNeedsRehash(t *testing.T) {
	cheap, _ := New(Cheap)
	stronger := Cheap
	stronger.Time = 2
	strong, _ := New(stronger)
	enc, _ := cheap.Hash("pw")
	tests := []struct {
		name string
		h    *Hasher
		enc  string
		want bool
	}{
		{"same setting", cheap, enc, false},
		{"setting raised", strong, enc, true},
		{"malformed", cheap, "$argon2id$v=19$", true},
		{"shorter salt", cheap, "$argon2id$v=19$m=64,t=1,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.h.NeedsRehash(tt.enc); got != tt.want {
				t.Errorf("NeedsRehash = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestDummy(t *testing.T) {
	h, _ := New(Cheap)
	if h.Dummy("anything") {
		t.Error("Dummy reported a match")
	}
	// The dummy path must cost what a real verification with the configured
	// setting costs: same parameters, same salt and key sizes.
	if h.dummy.Params != Cheap {
		t.Errorf("dummy params %+v, want %+v", h.dummy.Params, Cheap)
	}
	if len(h.dummy.Salt) != Cheap.SaltLen || len(h.dummy.Key) != Cheap.KeyLen {
		t.Errorf("dummy salt/key sizes %d/%d", len(h.dummy.Salt), len(h.dummy.Key))
	}
}

func TestNewRefusesBadParams(t *testing.T) {
	mod := func(f func(*Params)) Params { p := Default; f(&p); return p }
	tests := []struct {
		name string
		p    Params
	}{
		{"zero", Params{}},
		{"no threads", mod(func(p *Params) { p.Threads = 0 })},
		{"too many threads", mod(func(p *Params) { p.Threads = MaxThreads + 1 })},
		{"memory below 8 KiB per lane", mod(func(p *Params) { p.Threads = 4; p.MemoryKiB = 31 })},
		{"memory too high", mod(func(p *Params) { p.MemoryKiB = MaxMemoryKiB + 1 })},
		{"no time", mod(func(p *Params) { p.Time = 0 })},
		{"time too high", mod(func(p *Params) { p.Time = MaxTime + 1 })},
		{"short salt", mod(func(p *Params) { p.SaltLen = MinSaltLen - 1 })},
		{"long salt", mod(func(p *Params) { p.SaltLen = MaxSaltLen + 1 })},
		{"short key", mod(func(p *Params) { p.KeyLen = MinKeyLen - 1 })},
		{"long key", mod(func(p *Params) { p.KeyLen = MaxKeyLen + 1 })},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := New(tt.p); err == nil {
				t.Errorf("New(%+v) succeeded", tt.p)
			}
		})
	}
	for _, p := range []Params{Default, Cheap} {
		if _, err := New(p); err != nil {
			t.Errorf("New(%+v): %v", p, err)
		}
	}
}

const good = "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc"

var malformed = []struct{ name, enc string }{
	{"empty", ""},
	{"no leading dollar", "argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc"},
	{"argon2i", "$argon2i$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc"},
	{"bcrypt", "$2b$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy"},
	{"old version", "$argon2id$v=16$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc"},
	{"no version", "$argon2id$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc"},
	{"params reordered", "$argon2id$v=19$t=2,m=65536,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc"},
	{"extra param", "$argon2id$v=19$m=65536,t=2,p=1,k=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc"},
	{"leading zero", "$argon2id$v=19$m=065536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc"},
	{"signed number", "$argon2id$v=19$m=+65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc"},
	{"negative", "$argon2id$v=19$m=65536,t=-2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc"},
	{"absurd memory", "$argon2id$v=19$m=4294967295,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc"},
	{"overflowing memory", "$argon2id$v=19$m=99999999999999999999,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc"},
	{"absurd time", "$argon2id$v=19$m=65536,t=100000,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc"},
	{"zero time", "$argon2id$v=19$m=65536,t=0,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc"},
	{"zero threads", "$argon2id$v=19$m=65536,t=2,p=0$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc"},
	{"threads over 255", "$argon2id$v=19$m=65536,t=2,p=257$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc"},
	{"memory under 8 per lane", "$argon2id$v=19$m=15,t=2,p=2$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc"},
	{"empty salt", "$argon2id$v=19$m=65536,t=2,p=1$$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc"},
	{"short salt", "$argon2id$v=19$m=65536,t=2,p=1$c29tZQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc"},
	{"padded salt", "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ=$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc"},
	{"url-safe base64", "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAphqfAK2Vm9hPP_"},
	{"non-canonical base64", "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHR$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc"},
	{"short hash", "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMa"},
	{"trailing field", good + "$"},
	{"trailing newline", good + "\n"},
}

func TestParseMalformed(t *testing.T) {
	h, _ := New(Cheap)
	for _, tt := range malformed {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := Parse(tt.enc); !errors.Is(err, ErrMalformed) {
				t.Errorf("Parse error = %v, want ErrMalformed", err)
			}
			ok, err := h.Verify(tt.enc, "password")
			if ok || !errors.Is(err, ErrMalformed) {
				t.Errorf("Verify = %v, %v; want false, ErrMalformed", ok, err)
			}
		})
	}
}

func TestParseRoundTrip(t *testing.T) {
	x, err := Parse(good)
	if err != nil {
		t.Fatal(err)
	}
	if x.MemoryKiB != 65536 || x.Time != 2 || x.Threads != 1 || string(x.Salt) != "somesalt" || len(x.Key) != 32 {
		t.Errorf("Parse = %+v", x)
	}
	if s := x.String(); s != good {
		t.Errorf("String = %q, want %q", s, good)
	}
}

// FuzzParse checks that Parse never panics, and that whatever it accepts is
// within bounds and re-encodes to exactly the input (one spelling per hash).
func FuzzParse(f *testing.F) {
	seeds := 0
	for _, v := range loadVectors(f) {
		f.Add(v.hash)
		seeds++
	}
	for _, m := range malformed {
		f.Add(m.enc)
		seeds++
	}
	if seeds == 0 {
		f.Fatal("empty seed corpus")
	}
	f.Fuzz(func(t *testing.T, s string) {
		x, err := Parse(s)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("Parse(%q) error %v does not wrap ErrMalformed", s, err)
			}
			return
		}
		if err := x.Params.Validate(); err != nil {
			t.Fatalf("Parse(%q) accepted out-of-bounds params: %v", s, err)
		}
		if got := x.String(); got != s {
			t.Fatalf("round trip: Parse(%q).String() = %q", s, got)
		}
	})
}

func BenchmarkVerifyDefault(b *testing.B) {
	h, _ := New(Default)
	enc, _ := h.Hash("benchmark password")
	for b.Loop() {
		h.Verify(enc, "benchmark password")
	}
}
