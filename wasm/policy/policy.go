package policy

import (
	"errors"
	"slices"
	"strconv"
	"unicode/utf8"

	"watchword/wasm/jsonwire"
	"watchword/wasm/wrap"
)

// Kind names what a rule checks. The set grows over time: a client meets
// kinds newer than itself in a policy published by a newer server, and
// reports such rules as [Unchecked] instead of guessing (see [Check]).
type Kind string

// The rule kinds this version understands, with the parameters each takes.
const (
	// KindMinLength: at least Min characters (Unicode code points).
	KindMinLength Kind = "min_length"
	// KindMaxLength: at most Max characters (Unicode code points).
	KindMaxLength Kind = "max_length"
	// KindCharClass: at least Min characters (default 1) of class Class.
	KindCharClass Kind = "char_class"
	// KindNoSpace: no white space at all (any Unicode White_Space character,
	// so a no-break space or an ideographic space counts as a space).
	KindNoSpace Kind = "no_space"
	// KindNotCommon: not on the shipped common-password list (compared
	// case-insensitively, see [IsCommon]).
	KindNotCommon Kind = "not_common"
	// KindMinStrength: an estimated strength score (0–4) of at least Min.
	// It needs an [Estimator]; without one the rule is [Unchecked].
	KindMinStrength Kind = "min_strength"
)

// Class is a character class for [KindCharClass] rules.
type Class string

// The character classes this version understands.
const (
	ClassDigit      Class = "digit"       // a decimal digit of any script (Unicode Nd)
	ClassLowerLatin Class = "lower_latin" // a lowercase letter of the Latin script (a–z, é, ß, …)
	ClassUpperLatin Class = "upper_latin" // an uppercase letter of the Latin script (A–Z, É, …)
	ClassLetter     Class = "letter"      // a letter of any script
	ClassSymbol     Class = "symbol"      // punctuation or a symbol (Unicode P* and S*)
)

// Limits on a policy, so a hostile or broken policy document cannot make a
// client do unbounded work or render an endless checklist.
const (
	MaxPolicySize = 64 << 10 // bytes of JSON accepted by Parse
	MaxRules      = 64
	MaxIDLength   = 64   // bytes, rule and policy ids
	MaxLabel      = 256  // bytes, rule labels
	MaxLengthRule = 4096 // the largest Min or Max a length rule may name
)

// ErrMalformed is wrapped by every error Parse returns for a document that is
// not a well-formed policy. An unknown rule kind is not malformed.
var ErrMalformed = errors.New("malformed password policy")

// Policy is a declarative password policy: an ordered list of rules, each
// shown as one checklist line. It is plain data, encoded as JSON by
// [Policy.MarshalJSON] and decoded by [Parse], so a server can publish it and
// a client can check against exactly what was published.
type Policy struct {
	// ID names the policy, for example "account" or "master".
	ID    string `json:"id"`
	Rules []Rule `json:"rules"`
}

// Rule is one requirement of a [Policy]. ID is stable across versions (a UI
// may key translations and per-rule state on it); Label is the English text
// of its checklist line, used when the UI has no translation for ID.
//
// Which parameters (Min, Max, Class) apply depends on Kind. A rule that this
// version cannot interpret, because its kind or one of its members is
// unknown, keeps every member it was decoded with so it encodes back
// unchanged; [Rule.Supported] reports false for it.
type Rule struct {
	ID    string
	Kind  Kind
	Label string
	Min   int
	Max   int
	Class Class

	// extra holds members this version does not know, verbatim.
	extra map[string][]byte
}

// Supported reports whether this version can check r: its kind is known and
// it carries no member this version does not understand. A careful client
// never counts an unsupported rule as passed.
func (r Rule) Supported() bool {
	return known(r.Kind) && len(r.extra) == 0 && (r.Kind != KindCharClass || knownClass(r.Class))
}

// params lists, per known kind, the parameter members it takes.
var params = map[Kind][]string{
	KindMinLength:   {"min"},
	KindMaxLength:   {"max"},
	KindCharClass:   {"class", "min"},
	KindNoSpace:     nil,
	KindNotCommon:   nil,
	KindMinStrength: {"min"},
}

func known(k Kind) bool { _, ok := params[k]; return ok }

func knownClass(c Class) bool {
	switch c {
	case ClassDigit, ClassLowerLatin, ClassUpperLatin, ClassLetter, ClassSymbol:
		return true
	}
	return false
}

// UnmarshalJSON decodes one rule. Parameters of a known kind are decoded and
// validated; members this version does not know are kept verbatim. It lets
// encoding/json (the server's) read rules; the core reads them with
// [Rule.ReadJSON].
func (r *Rule) UnmarshalJSON(b []byte) error {
	return jsonwire.Decode(b, false, r.ReadJSON)
}

// ReadJSON reads one rule as [Rule.UnmarshalJSON] describes.
func (r *Rule) ReadJSON(d *jsonwire.Decoder) {
	if d.Null() {
		d.Fail("rule is null")
		return
	}
	m := make(map[string][]byte)
	for ok := d.Object(); ok && d.Member(); {
		k := d.Key()
		m[k] = append([]byte(nil), d.Raw()...) // the caller may reuse its buffer
	}
	if d.Err() != nil {
		return
	}
	*r = Rule{}
	// take reads and removes the member name with read; null leaves the
	// default, as in encoding/json.
	take := func(name string, read func(d *jsonwire.Decoder)) {
		raw, ok := m[name]
		if !ok {
			return
		}
		delete(m, name)
		if err := jsonwire.Decode(raw, false, read); err != nil {
			d.Fail("member " + strconv.Quote(name) + ": " + err.Error())
		}
	}
	var kind, class string
	take("id", func(d *jsonwire.Decoder) { r.ID = d.String() })
	take("kind", func(d *jsonwire.Decoder) { kind = d.String() })
	take("label", func(d *jsonwire.Decoder) { r.Label = d.String() })
	r.Kind = Kind(kind)
	if r.Kind == KindCharClass {
		r.Min = 1 // "at least one" unless the rule says otherwise
	}
	// Parameters are decoded only for kinds this version knows: a newer kind
	// may give the same member names other types, and must still decode.
	for _, name := range params[r.Kind] {
		take(name, func(d *jsonwire.Decoder) {
			if d.Null() {
				return
			}
			switch name {
			case "min":
				r.Min = d.Int()
			case "max":
				r.Max = d.Int()
			case "class":
				class = d.String()
			}
		})
	}
	r.Class = Class(class)
	if len(m) > 0 {
		r.extra = m
	}
}

// MarshalJSON encodes r with its known members and any member kept from
// decoding. Keys come out sorted, so the encoding is deterministic.
func (r Rule) MarshalJSON() ([]byte, error) {
	w := jsonwire.NewWriter(nil)
	r.WriteJSON(w)
	return w.Bytes(), nil
}

// WriteJSON writes r as [Rule.MarshalJSON] describes.
func (r Rule) WriteJSON(w *jsonwire.Writer) {
	keys := make([]string, 0, 6+len(r.extra))
	for k := range r.extra {
		keys = append(keys, k)
	}
	keys = append(keys, "id", "kind", "label")
	keys = append(keys, params[r.Kind]...)
	slices.Sort(keys)
	keys = slices.Compact(keys)
	w.BeginObject()
	for _, k := range keys {
		switch k {
		case "id":
			w.StringField(k, r.ID)
			continue
		case "kind":
			w.StringField(k, string(r.Kind))
			continue
		case "label":
			w.StringField(k, r.Label)
			continue
		}
		w.Key(k)
		if slices.Contains(params[r.Kind], k) {
			switch k {
			case "min":
				w.Int(int64(r.Min))
			case "max":
				w.Int(int64(r.Max))
			case "class":
				w.String(string(r.Class))
			}
		} else {
			w.Raw(jsonwire.AppendCompact(nil, r.extra[k]))
		}
	}
	w.EndObject()
}

// WriteJSON writes p as encoding/json writes it.
func (p Policy) WriteJSON(w *jsonwire.Writer) {
	w.BeginObject()
	w.StringField("id", p.ID)
	w.Key("rules")
	jsonwire.WriteArray(w, p.Rules, Rule.WriteJSON)
	w.EndObject()
}

// ReadJSON reads p without validating it (see [Parse]); members it does not
// know are skipped unless d is strict.
func (p *Policy) ReadJSON(d *jsonwire.Decoder) {
	for ok := d.Object(); ok && d.Member(); {
		switch d.Key() {
		case "id":
			p.ID = d.String()
		case "rules":
			p.Rules = jsonwire.ReadArray(d, (*Rule).ReadJSON)
		default:
			d.Unknown()
		}
	}
}

// Parse decodes and validates a policy document such as one published by the
// server. Unknown rule kinds and unknown members are accepted and kept (they
// are reported as [Unchecked] by [Check]); anything else that is wrong —
// bad JSON, a missing or duplicate id, an out-of-range parameter of a known
// kind, a document over the limits — is an error wrapping [ErrMalformed].
func Parse(data []byte) (Policy, error) {
	if len(data) > MaxPolicySize {
		return Policy{}, wrap.Detail(ErrMalformed, strconv.Itoa(len(data))+" bytes is over the "+strconv.Itoa(MaxPolicySize)+"-byte limit")
	}
	var p Policy
	if err := jsonwire.Decode(data, false, p.ReadJSON); err != nil {
		return Policy{}, wrap.Detail(ErrMalformed, err.Error())
	}
	if err := p.Validate(); err != nil {
		return Policy{}, err
	}
	return p, nil
}

// Validate reports whether p is well formed: ids present, unique and short,
// labels present, parameters of known kinds in range, within the limits. The
// error wraps [ErrMalformed].
func (p Policy) Validate() error {
	if err := validID(p.ID); err != nil {
		return wrap.Detail(ErrMalformed, "policy id: "+err.Error())
	}
	if len(p.Rules) == 0 {
		return wrap.Detail(ErrMalformed, "policy "+strconv.Quote(p.ID)+" has no rules")
	}
	if len(p.Rules) > MaxRules {
		return wrap.Detail(ErrMalformed, "policy "+strconv.Quote(p.ID)+" has "+strconv.Itoa(len(p.Rules))+" rules, over the limit of "+strconv.Itoa(MaxRules))
	}
	seen := make(map[string]bool, len(p.Rules))
	for i, r := range p.Rules {
		if err := r.validate(); err != nil {
			return wrap.Detail(ErrMalformed, "rule "+strconv.Itoa(i)+" ("+strconv.Quote(r.ID)+"): "+err.Error())
		}
		if seen[r.ID] {
			return wrap.Detail(ErrMalformed, "duplicate rule id "+strconv.Quote(r.ID))
		}
		seen[r.ID] = true
	}
	return nil
}

func validID(id string) error {
	switch {
	case id == "":
		return errors.New("empty")
	case len(id) > MaxIDLength:
		return errors.New("longer than " + strconv.Itoa(MaxIDLength) + " bytes")
	case !utf8.ValidString(id):
		return errors.New("not valid UTF-8")
	}
	return nil
}

func (r Rule) validate() error {
	if err := validID(r.ID); err != nil {
		return errors.New("id: " + err.Error())
	}
	if r.Kind == "" {
		return errors.New("no kind")
	}
	if len(r.Kind) > MaxIDLength {
		return errors.New("kind longer than " + strconv.Itoa(MaxIDLength) + " bytes")
	}
	if r.Label == "" || len(r.Label) > MaxLabel || !utf8.ValidString(r.Label) {
		return errors.New("label must be 1 to " + strconv.Itoa(MaxLabel) + " bytes of UTF-8")
	}
	switch r.Kind {
	case KindMinLength:
		if r.Min < 1 || r.Min > MaxLengthRule {
			return errors.New("min must be 1 to " + strconv.Itoa(MaxLengthRule) + ", not " + strconv.Itoa(r.Min))
		}
	case KindMaxLength:
		if r.Max < 1 || r.Max > MaxLengthRule {
			return errors.New("max must be 1 to " + strconv.Itoa(MaxLengthRule) + ", not " + strconv.Itoa(r.Max))
		}
	case KindCharClass:
		// An unknown class is a newer server's business, not malformed.
		if r.Class == "" {
			return errors.New("no class")
		}
		if r.Min < 1 || r.Min > MaxLengthRule {
			return errors.New("min must be 1 to " + strconv.Itoa(MaxLengthRule) + ", not " + strconv.Itoa(r.Min))
		}
	case KindMinStrength:
		if r.Min < 0 || r.Min > MaxScore {
			return errors.New("min must be 0 to " + strconv.Itoa(MaxScore) + ", not " + strconv.Itoa(r.Min))
		}
	}
	return nil
}
