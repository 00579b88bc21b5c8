package bridge

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base32"
	"encoding/binary"
	"hash"
	"math/bits"
	"strconv"
	"strings"
	"time"

	"watchword/wasm/api"
	"watchword/wasm/jsonwire"
	"watchword/wasm/vault"
	"watchword/wasm/weburl"
)

// Code methods:
//
//	totpCode(id, nowMillis)  → {code, period, remaining}
//	powSolve(challenge)      → nonce
//
// totpCode computes the current one-time code (RFC 6238) of a login's
// authenticator key, read from the sync engine's copy of the entry; the key
// never leaves the core. nowMillis is the time as JavaScript's Date.now()
// gives it, as a decimal string.
//
// powSolve solves the server's registration proof of work: it finds a
// decimal nonce such that SHA-256(challenge || nonce) starts with the
// number of zero bits the challenge's third field names.
func init() {
	register("totpCode", (*Core).totpCode)
	register("powSolve", (*Core).powSolve)
}

// totpParams is an authenticator key: the secret and how codes are made.
type totpParams struct {
	secret []byte
	digits int
	period int
	alg    func() hash.Hash
}

// parseTOTP reads what the totp field holds: a base32 setup key (spaces and
// lower case allowed, padding optional) or an otpauth://totp/ URI.
func parseTOTP(s string) (totpParams, error) {
	p := totpParams{digits: 6, period: 30, alg: sha1.New}
	s = strings.TrimSpace(s)
	if strings.HasPrefix(strings.ToLower(s), "otpauth://") {
		u, err := weburl.Parse(s)
		if err != nil || !strings.EqualFold(u.Host, "totp") {
			return p, api.NewError(api.CodeInvalid, "the authenticator link is not an otpauth://totp/ link")
		}
		q := weburl.Query(u.RawQuery)
		s = q.Get("secret")
		if d := q.Get("digits"); d != "" {
			n, err := strconv.Atoi(d)
			if err != nil || n < 6 || n > 8 {
				return p, api.NewError(api.CodeInvalid, "the authenticator link asks for "+strconv.Quote(d)+" digits (6 to 8 work)")
			}
			p.digits = n
		}
		if d := q.Get("period"); d != "" {
			n, err := strconv.Atoi(d)
			if err != nil || n < 1 || n > 3600 {
				return p, api.NewError(api.CodeInvalid, "the authenticator link has a bad period")
			}
			p.period = n
		}
		switch strings.ToUpper(q.Get("algorithm")) {
		case "", "SHA1":
		case "SHA256":
			p.alg = sha256.New
		case "SHA512":
			p.alg = sha512.New
		default:
			return p, api.NewError(api.CodeInvalid, "the authenticator link uses an unknown algorithm")
		}
	}
	key := strings.ToUpper(strings.NewReplacer(" ", "", "-", "", "=", "").Replace(s))
	secret, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(key)
	if err != nil || len(secret) == 0 {
		return p, api.NewError(api.CodeInvalid, "the authenticator key is not a valid setup key")
	}
	p.secret = secret
	return p, nil
}

// code returns the code for the time step containing t (RFC 4226 §5.3
// dynamic truncation).
func (p totpParams) code(t time.Time) string {
	step := uint64(t.Unix()) / uint64(p.period)
	m := hmac.New(p.alg, p.secret)
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], step)
	m.Write(msg[:])
	sum := m.Sum(nil)
	off := sum[len(sum)-1] & 0x0f
	v := binary.BigEndian.Uint32(sum[off:off+4]) & 0x7fffffff
	mod := uint32(1)
	for range p.digits {
		mod *= 10
	}
	s := strconv.FormatUint(uint64(v%mod), 10)
	return strings.Repeat("0", p.digits-len(s)) + s
}

func (c *Core) totpCode(a Args) (Result, error) {
	ms, err := argString(a, 1)
	if err != nil {
		return nil, err
	}
	n, err := strconv.ParseInt(ms, 10, 64)
	if err != nil || n < 0 {
		return nil, badArg(1, "want the time in milliseconds")
	}
	en, err := c.argEntry(a)
	if err != nil {
		return nil, err
	}
	secret := en.String(vault.TagTOTP)
	if secret == "" {
		return nil, api.NewError(api.CodeNotFound, "this entry has no authenticator key")
	}
	p, err := parseTOTP(secret)
	if err != nil {
		return nil, err
	}
	now := time.UnixMilli(n)
	return writeJSON(func(w *jsonwire.Writer) {
		w.BeginObject()
		w.StringField("code", p.code(now))
		w.IntField("period", int64(p.period))
		w.IntField("remaining", int64(p.period-int(now.Unix()%int64(p.period))))
		w.EndObject()
	})
}

// maxPoWDifficulty is the hardest challenge solved: the server asks for far
// less, and 2^32 hashes would already take minutes in a browser.
const maxPoWDifficulty = 32

func (c *Core) powSolve(a Args) (Result, error) {
	ch, err := argString(a, 0)
	if err != nil {
		return nil, err
	}
	parts := strings.Split(ch, ".")
	if len(parts) != 5 {
		return nil, badArg(0, "not a proof-of-work challenge")
	}
	d, err := strconv.Atoi(parts[2])
	if err != nil || d < 1 || d > maxPoWDifficulty {
		return nil, api.NewError(api.CodeBadServerAnswer, "the server asked for an impossible check")
	}
	return solvePoW(ch, d)
}

func solvePoW(challenge string, difficulty int) (string, error) {
	buf := []byte(challenge)
	n := len(buf)
	for i := uint64(0); i < 1<<40; i++ {
		buf = strconv.AppendUint(buf[:n], i, 10)
		if leadingZeros(sha256.Sum256(buf)) >= difficulty {
			return strconv.FormatUint(i, 10), nil
		}
	}
	return "", api.NewError(api.CodeInternal, "the registration check could not be solved")
}

func leadingZeros(sum [sha256.Size]byte) int {
	n := 0
	for _, b := range sum {
		if b != 0 {
			return n + bits.LeadingZeros8(b)
		}
		n += 8
	}
	return n
}
