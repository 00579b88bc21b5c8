package policy

import "watchword/wasm/jsonwire"

// Check results and generator options cross the bridge; they read and
// write themselves with package jsonwire (see wasm/api/wire.go for why), and
// wire_test.go holds them to encoding/json's bytes.

// WriteJSON writes r as encoding/json would.
func (r Result) WriteJSON(w *jsonwire.Writer) {
	w.BeginObject()
	w.BoolField("ok", r.OK)
	w.Key("rules")
	jsonwire.WriteArray(w, r.Rules, RuleResult.WriteJSON)
	w.BoolField("common", r.Common)
	if r.Strength != nil {
		w.Key("strength")
		r.Strength.WriteJSON(w)
	}
	w.EndObject()
}

// WriteJSON writes r as encoding/json would.
func (r RuleResult) WriteJSON(w *jsonwire.Writer) {
	w.BeginObject()
	w.StringField("id", r.ID)
	w.StringField("kind", string(r.Kind))
	w.StringField("label", r.Label)
	w.StringField("status", string(r.Status))
	w.EndObject()
}

// WriteJSON writes s as encoding/json would.
func (s Strength) WriteJSON(w *jsonwire.Writer) {
	w.BeginObject()
	w.IntField("score", int64(s.Score))
	w.FloatField("guesses", s.Guesses)
	w.FloatField("entropy_bits", s.EntropyBits)
	w.FloatField("crack_seconds", s.CrackSeconds)
	w.StringField("crack_time", s.CrackTime)
	writeNotes(w, "warnings", s.Warnings)
	writeNotes(w, "suggestions", s.Suggestions)
	w.EndObject()
}

func writeNotes(w *jsonwire.Writer, key string, notes []Note) {
	if len(notes) == 0 {
		return // omitempty
	}
	w.Key(key)
	jsonwire.WriteArray(w, notes, Note.WriteJSON)
}

// WriteJSON writes n as encoding/json would.
func (n Note) WriteJSON(w *jsonwire.Writer) {
	w.BeginObject()
	w.StringField("code", n.Code)
	w.StringField("message", n.Message)
	w.EndObject()
}

// ReadJSON reads o as encoding/json would (keys match exactly).
func (o *PasswordOptions) ReadJSON(d *jsonwire.Decoder) {
	for ok := d.Object(); ok && d.Member(); {
		switch d.Key() {
		case "length":
			o.Length = d.Int()
		case "lower":
			o.Lower = d.Bool()
		case "upper":
			o.Upper = d.Bool()
		case "digits":
			o.Digits = d.Bool()
		case "symbols":
			o.Symbols = d.Bool()
		case "no_lookalikes":
			o.NoLookalikes = d.Bool()
		default:
			d.Unknown()
		}
	}
}

// ReadJSON reads o as encoding/json would (keys match exactly).
func (o *PassphraseOptions) ReadJSON(d *jsonwire.Decoder) {
	for ok := d.Object(); ok && d.Member(); {
		switch d.Key() {
		case "words":
			o.Words = d.Int()
		case "separator":
			o.Separator = d.String()
		case "capitalize":
			o.Capitalize = d.Bool()
		case "number":
			o.Number = d.Bool()
		default:
			d.Unknown()
		}
	}
}
