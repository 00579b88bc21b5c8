package bridge

import (
	"crypto/sha256"
	"encoding/base32"
	"strings"
	"testing"
	"time"
)

// RFC 6238 appendix B: the test secrets are ASCII "12345678901234567890"
// repeated to the hash's size.
func TestTOTPVectors(t *testing.T) {
	secret := func(n int) string {
		return base32.StdEncoding.EncodeToString([]byte(strings.Repeat("1234567890", 7)[:n]))
	}
	tests := []struct {
		name string
		key  string
		unix int64
		want string
	}{
		{"sha1 59", secret(20), 59, "94287082"},
		{"sha1 1111111109", secret(20), 1111111109, "07081804"},
		{"sha1 20000000000", secret(20), 20000000000, "65353130"},
		{"sha256 59 via link", "otpauth://totp/x?secret=" + strings.TrimRight(secret(32), "=") + "&algorithm=SHA256&digits=8", 59, "46119246"},
		{"sha512 1234567890 via link", "otpauth://totp/x?secret=" + strings.TrimRight(secret(64), "=") + "&algorithm=SHA512&digits=8", 1234567890, "93441116"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := parseTOTP(tt.key)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(tt.key, "otpauth:") {
				p.digits = 8
			}
			if got := p.code(time.Unix(tt.unix, 0)); got != tt.want {
				t.Fatalf("code = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestTOTPBadKeys(t *testing.T) {
	for _, key := range []string{"", "not base32 !", "otpauth://hotp/x?secret=GEZDGNBV", "otpauth://totp/x?secret=GEZDGNBV&digits=12", "otpauth://totp/x?secret=GEZDGNBV&algorithm=MD5"} {
		t.Run(key, func(t *testing.T) {
			if _, err := parseTOTP(key); err == nil {
				t.Fatal("accepted")
			}
		})
	}
	t.Run("spaces and lower case", func(t *testing.T) {
		if _, err := parseTOTP(" gezd gnbv gy3t qojq "); err != nil {
			t.Fatal(err)
		}
	})
}

func TestPoWSolve(t *testing.T) {
	c := NewCore()
	ch := "v1.cd3d4eb485fd695f47e562af6c692c12.12.1750000000.mac"
	res, err := c.Call("powSolve", goArgs{ch})
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte(ch + res.(string)))
	if leadingZeros(sum) < 12 {
		t.Fatalf("nonce %s gives %x", res, sum)
	}
	for _, bad := range []string{"v1.x.0.1.m", "v1.x.99.1.m", "nonsense"} {
		if _, err := c.Call("powSolve", goArgs{bad}); err == nil {
			t.Fatalf("%q accepted", bad)
		}
	}
}

func TestStoredValues(t *testing.T) {
	for _, v := range [][]byte{[]byte(`{"a":1}`), {0, 1, 2}, {0xff, 'x'}, []byte("\x00b64:looks encoded"), {}} {
		s := encodeStored(v)
		got, err := decodeStored(s)
		if err != nil || string(got) != string(v) {
			t.Fatalf("%q → %q → %q, %v", v, s, got, err)
		}
	}
	if _, err := decodeStored("\x00garbage"); err == nil {
		t.Fatal("a damaged value decoded")
	}
}
