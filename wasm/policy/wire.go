package policy

import "watchword/wasm/jsonwire"

// Check results and generator options cross the bridge; they read and
// write themselves with package jsonwire (see wasm/api/wire.go for why), and
// wire_test.go holds them to encoding/json's bytes.

// WriteJSON writes r as encoding/json would.
func (r Result) WriteJSON(w *jsonwire.Writer) {
	w.BeginObject()
	w.Key("ok")
	w.Bool(r.OK)
	w.Key("rules")
	if r.Rules == nil {
		w.Null()
	} else {
		w.BeginArray()
		for _, rr := range r.Rules {
			w.BeginObject()
			w.Key("id")
			w.String(rr.ID)
			w.Key("kind")
			w.String(string(rr.Kind))
			w.Key("label")
			w.String(rr.Label)
			w.Key("status")
			w.String(string(rr.Status))
			w.EndObject()
		}
		w.EndArray()
	}
	w.Key("common")
	w.Bool(r.Common)
	if r.Strength != nil {
		w.Key("strength")
		r.Strength.WriteJSON(w)
	}
	w.EndObject()
}

// WriteJSON writes s as encoding/json would.
func (s Strength) WriteJSON(w *jsonwire.Writer) {
	w.BeginObject()
	w.Key("score")
	w.Int(int64(s.Score))
	w.Key("guesses")
	w.Float(s.Guesses)
	w.Key("entropy_bits")
	w.Float(s.EntropyBits)
	w.Key("crack_seconds")
	w.Float(s.CrackSeconds)
	w.Key("crack_time")
	w.String(s.CrackTime)
	writeNotes(w, "warnings", s.Warnings)
	writeNotes(w, "suggestions", s.Suggestions)
	w.EndObject()
}

func writeNotes(w *jsonwire.Writer, key string, notes []Note) {
	if len(notes) == 0 {
		return // omitempty
	}
	w.Key(key)
	w.BeginArray()
	for _, n := range notes {
		w.BeginObject()
		w.Key("code")
		w.String(n.Code)
		w.Key("message")
		w.String(n.Message)
		w.EndObject()
	}
	w.EndArray()
}

// ReadJSON reads o as encoding/json would (keys match exactly).
func (o *PasswordOptions) ReadJSON(d *jsonwire.Decoder) error {
	return d.Object(func(k string) (err error) {
		switch k {
		case "length":
			o.Length, err = d.Int()
		case "lower":
			o.Lower, err = d.Bool()
		case "upper":
			o.Upper, err = d.Bool()
		case "digits":
			o.Digits, err = d.Bool()
		case "symbols":
			o.Symbols, err = d.Bool()
		case "no_lookalikes":
			o.NoLookalikes, err = d.Bool()
		default:
			err = d.Unknown(k)
		}
		return err
	})
}

// ReadJSON reads o as encoding/json would (keys match exactly).
func (o *PassphraseOptions) ReadJSON(d *jsonwire.Decoder) error {
	return d.Object(func(k string) (err error) {
		switch k {
		case "words":
			o.Words, err = d.Int()
		case "separator":
			o.Separator, err = d.String()
		case "capitalize":
			o.Capitalize, err = d.Bool()
		case "number":
			o.Number, err = d.Bool()
		default:
			err = d.Unknown(k)
		}
		return err
	})
}
