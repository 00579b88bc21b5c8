package policy

import (
	"crypto/rand"
	"errors"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"watchword/wasm/wrap"
)

// Bounds of the generator's options.
const (
	MinPasswordLength = 4
	MaxPasswordLength = 128
	MinWords          = 3
	MaxWords          = 20
	MaxSeparator      = 8 // characters
)

// The character sets of generated passwords. Symbols are the printable ASCII
// punctuation; lookalikes are characters easily misread for one another in
// common fonts, left out when PasswordOptions.NoLookalikes is set.
const (
	lowerSet   = "abcdefghijklmnopqrstuvwxyz"
	upperSet   = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	digitSet   = "0123456789"
	symbolSet  = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"
	lookalikes = "lIO01|`'\""
)

// ErrOptions is wrapped by the generator's errors for options out of bounds.
var ErrOptions = errors.New("invalid generator options")

// PasswordOptions say what random password to make.
type PasswordOptions struct {
	Length       int  `json:"length"` // MinPasswordLength to MaxPasswordLength characters
	Lower        bool `json:"lower"`
	Upper        bool `json:"upper"`
	Digits       bool `json:"digits"`
	Symbols      bool `json:"symbols"`
	NoLookalikes bool `json:"no_lookalikes"`
}

// PassphraseOptions say what passphrase to make from the EFF large word list.
type PassphraseOptions struct {
	Words      int    `json:"words"`     // MinWords to MaxWords
	Separator  string `json:"separator"` // up to MaxSeparator characters, may be empty
	Capitalize bool   `json:"capitalize"`
	Number     bool   `json:"number"` // append one random digit to one random word
}

// DefaultPassword and DefaultPassphrase are the generator's starting options;
// both produce passwords that pass [Account] and [Master].
var (
	DefaultPassword   = PasswordOptions{Length: 20, Lower: true, Upper: true, Digits: true, Symbols: true}
	DefaultPassphrase = PassphraseOptions{Words: 5, Separator: "-", Capitalize: true, Number: true}
)

// Generator makes random passwords and passphrases. Every choice is uniform:
// an index below n is drawn by rejection sampling from 32-bit values, never
// by reducing modulo n, which would favour the smaller indexes. A Generator
// is safe for concurrent use when its reader is (crypto/rand's is). What it
// returns is a secret and must be kept secret.
type Generator struct {
	rand  io.Reader
	words []string
}

// NewGenerator returns a Generator reading randomness from r (crypto/rand's
// Reader in production; other sources are for tests) and drawing passphrase
// words from words, the list [ParseWordlist] returns. With no words it makes
// passwords only: [Generator.Passphrase] fails.
func NewGenerator(r io.Reader, words []string) *Generator {
	return &Generator{rand: r, words: words}
}

// ErrNoWordlist is the error of a passphrase asked of a Generator made
// without a word list.
var ErrNoWordlist = errors.New("generate passphrase: no word list")

var defaultGenerator = NewGenerator(rand.Reader, nil)

// GeneratePassword returns a random password made with crypto/rand.
func GeneratePassword(o PasswordOptions) (string, error) { return defaultGenerator.Password(o) }

// intn returns a uniform random integer in [0, n), 0 < n <= 1<<31.
func (g *Generator) intn(n int) (int, error) {
	if n <= 0 || n > 1<<31 {
		return 0, errors.New("random index below " + strconv.Itoa(n) + ": out of range")
	}
	// Values at or above limit would make the indexes below 2^32 mod n more
	// likely than the rest; they are rejected and drawn again. limit is the
	// largest multiple of n not above 2^32, so fewer than half the draws are
	// rejected even in the worst case.
	limit := (1 << 32) - (1<<32)%uint64(n)
	var b [4]byte
	for {
		if _, err := io.ReadFull(g.rand, b[:]); err != nil {
			return 0, wrap.Error("read randomness", err)
		}
		v := uint64(b[0])<<24 | uint64(b[1])<<16 | uint64(b[2])<<8 | uint64(b[3])
		if v < limit {
			return int(v % uint64(n)), nil
		}
	}
}

// maxAttempts bounds the whole-password rejection loops. Every loop here
// accepts with probability above 5% per attempt, so 1000 attempts fail with
// probability below 1e-22: reaching the bound means a broken random source.
const maxAttempts = 1000

// Password returns a random password of o.Length characters drawn uniformly
// from the union of the chosen sets, containing at least one character of
// each chosen set.
//
// Every draw is uniform, and a password missing a chosen set is thrown away
// whole and drawn again. That makes the result uniform over all passwords
// that contain every set. Placing one character of each set first and
// shuffling would not: it over-represents the smaller sets.
func (g *Generator) Password(o PasswordOptions) (string, error) {
	sets := o.sets()
	switch {
	case len(sets) == 0:
		return "", wrap.Detail(ErrOptions, "choose at least one character set")
	case o.Length < MinPasswordLength || o.Length > MaxPasswordLength:
		return "", wrap.Detail(ErrOptions, "length must be "+strconv.Itoa(MinPasswordLength)+" to "+strconv.Itoa(MaxPasswordLength)+", not "+strconv.Itoa(o.Length))
	case o.Length < len(sets):
		return "", wrap.Detail(ErrOptions, "length "+strconv.Itoa(o.Length)+" is too short for "+strconv.Itoa(len(sets))+" character sets")
	}
	alphabet := strings.Join(sets, "")
	buf := make([]byte, o.Length)
	defer clear(buf)
	for range maxAttempts {
		for i := range buf {
			j, err := g.intn(len(alphabet))
			if err != nil {
				return "", err
			}
			buf[i] = alphabet[j]
		}
		if hasEvery(buf, sets) {
			return string(buf), nil
		}
	}
	return "", errors.New("generate password: the random source keeps missing a character set")
}

func (o PasswordOptions) sets() []string {
	var sets []string
	for _, s := range []struct {
		on  bool
		set string
	}{{o.Lower, lowerSet}, {o.Upper, upperSet}, {o.Digits, digitSet}, {o.Symbols, symbolSet}} {
		if !s.on {
			continue
		}
		if o.NoLookalikes {
			s.set = strings.Map(func(c rune) rune {
				if strings.ContainsRune(lookalikes, c) {
					return -1
				}
				return c
			}, s.set)
		}
		sets = append(sets, s.set)
	}
	return sets
}

func hasEvery(b []byte, sets []string) bool {
	for _, set := range sets {
		found := false
		for _, c := range b {
			if strings.IndexByte(set, c) >= 0 {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// Passphrase returns o.Words words chosen uniformly and independently from
// the EFF large word list (7,776 words, so log2(7776) ≈ 12.9 bits each),
// joined by o.Separator. Capitalize upper-cases each word's first letter
// (no added strength, but it satisfies composition rules); Number appends
// one uniform random digit to one uniformly chosen word.
func (g *Generator) Passphrase(o PassphraseOptions) (string, error) {
	if o.Words < MinWords || o.Words > MaxWords {
		return "", wrap.Detail(ErrOptions, "words must be "+strconv.Itoa(MinWords)+" to "+strconv.Itoa(MaxWords)+", not "+strconv.Itoa(o.Words))
	}
	if !utf8.ValidString(o.Separator) || utf8.RuneCountInString(o.Separator) > MaxSeparator {
		return "", wrap.Detail(ErrOptions, "separator must be at most "+strconv.Itoa(MaxSeparator)+" characters of UTF-8")
	}
	list := g.words
	if len(list) == 0 {
		return "", ErrNoWordlist
	}
	words := make([]string, o.Words)
	for i := range words {
		j, err := g.intn(len(list))
		if err != nil {
			return "", err
		}
		words[i] = list[j]
		if o.Capitalize {
			words[i] = strings.ToUpper(words[i][:1]) + words[i][1:]
		}
	}
	if o.Number {
		w, err := g.intn(len(words))
		if err != nil {
			return "", err
		}
		d, err := g.intn(len(digitSet))
		if err != nil {
			return "", err
		}
		words[w] += digitSet[d : d+1]
	}
	return strings.Join(words, o.Separator), nil
}

// PasswordFor generates passwords with o until one passes p (checked with
// ctx, as [Check] would) and returns it. It fails when o cannot satisfy p,
// for example when p asks for a digit and o leaves digits out, naming the
// rules that kept failing.
func (g *Generator) PasswordFor(p Policy, o PasswordOptions, ctx Context) (string, error) {
	return generateFor(p, ctx, func() (string, error) { return g.Password(o) })
}

// PassphraseFor is [Generator.PasswordFor] for passphrases.
func (g *Generator) PassphraseFor(p Policy, o PassphraseOptions, ctx Context) (string, error) {
	return generateFor(p, ctx, func() (string, error) { return g.Passphrase(o) })
}

// forAttempts bounds PasswordFor: options that suit the policy pass on the
// first try nearly always, so repeated failure means they do not suit it.
const forAttempts = 32

func generateFor(p Policy, ctx Context, gen func() (string, error)) (string, error) {
	var last Result
	for range forAttempts {
		pw, err := gen()
		if err != nil {
			return "", err
		}
		last = Check(p, pw, ctx)
		if last.OK {
			return pw, nil
		}
	}
	ids := append(last.Failed(), last.Unchecked()...)
	return "", wrap.Detail(ErrOptions, "the options cannot satisfy policy "+strconv.Quote(p.ID)+" (rules "+strings.Join(ids, ", ")+")")
}

// WordlistSize is the number of words on the EFF large word list.
const WordlistSize = 7776

// ParseWordlist reads the EFF large word list as the EFF publishes it (one
// "dice-roll<TAB>word" line per word, package lists or the file the
// extension ships) and returns its words. It checks what the generator's
// uniformity rests on: exactly WordlistSize words, none repeated.
func ParseWordlist(text []byte) ([]string, error) {
	lines, err := splitLines(text)
	if err != nil {
		return nil, wrap.Error("word list", err)
	}
	if lines.len() != WordlistSize {
		return nil, errors.New("word list: " + strconv.Itoa(lines.len()) + " words, want " + strconv.Itoa(WordlistSize))
	}
	words := make([]string, lines.len())
	seen := make(map[string]struct{}, len(words))
	for i := range words {
		_, w, ok := strings.Cut(lines.at(i), "\t")
		if !ok || w == "" || !utf8.ValidString(w) {
			return nil, errors.New("word list: line " + strconv.Itoa(i+1) + " is malformed")
		}
		if _, dup := seen[w]; dup {
			return nil, errors.New("word list: " + strconv.Quote(w) + " appears twice")
		}
		seen[w] = struct{}{}
		words[i] = w
	}
	return words, nil
}
