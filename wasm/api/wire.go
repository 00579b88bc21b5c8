package api

import "watchword/wasm/jsonwire"

// The sync types read and write themselves with package jsonwire, so the
// core (core.wasm) carries no reflection-based JSON. The server keeps
// encoding/json and the struct tags above; wire_test.go holds the two to the
// same bytes. The method names are not encoding/json's, so the server's
// encoding is untouched.

// WriteJSON writes p as encoding/json would.
func (p KDFParams) WriteJSON(w *jsonwire.Writer) {
	w.BeginObject()
	w.Key("alg")
	w.String(p.Algorithm)
	w.Key("salt")
	w.Base64(p.Salt)
	w.Key("m")
	w.Uint(uint64(p.MemoryKiB))
	w.Key("t")
	w.Uint(uint64(p.Time))
	w.Key("p")
	w.Uint(uint64(p.Threads))
	w.EndObject()
}

// ReadJSON reads p as encoding/json would (keys match exactly).
func (p *KDFParams) ReadJSON(d *jsonwire.Decoder) error {
	return d.Object(func(k string) (err error) {
		var n uint64
		switch k {
		case "alg":
			p.Algorithm, err = d.String()
		case "salt":
			p.Salt, err = d.Base64()
		case "m":
			n, err = d.Uint(32)
			p.MemoryKiB = uint32(n)
		case "t":
			n, err = d.Uint(32)
			p.Time = uint32(n)
		case "p":
			n, err = d.Uint(8)
			p.Threads = uint8(n)
		default:
			err = d.Unknown(k)
		}
		return err
	})
}

// WriteJSON writes h as encoding/json would.
func (h VaultHeader) WriteJSON(w *jsonwire.Writer) {
	w.BeginObject()
	w.Key("vault_id")
	w.String(h.VaultID)
	w.Key("wrapped_key")
	w.Base64(h.WrappedKey)
	w.Key("kdf")
	h.KDF.WriteJSON(w)
	w.EndObject()
}

// ReadJSON reads h as encoding/json would (keys match exactly).
func (h *VaultHeader) ReadJSON(d *jsonwire.Decoder) error {
	return d.Object(func(k string) (err error) {
		switch k {
		case "vault_id":
			h.VaultID, err = d.String()
		case "wrapped_key":
			h.WrappedKey, err = d.Base64()
		case "kdf":
			err = h.KDF.ReadJSON(d)
		default:
			err = d.Unknown(k)
		}
		return err
	})
}

// WriteJSON writes e as encoding/json would.
func (e Entry) WriteJSON(w *jsonwire.Writer) {
	w.BeginObject()
	w.Key("id")
	w.String(e.ID)
	w.Key("rev")
	w.Int(e.Revision)
	if e.Deleted {
		w.Key("deleted")
		w.Bool(true)
	}
	if len(e.Ciphertext) > 0 {
		w.Key("ct")
		w.Base64(e.Ciphertext)
	}
	w.EndObject()
}

// ReadJSON reads e as encoding/json would (keys match exactly).
func (e *Entry) ReadJSON(d *jsonwire.Decoder) error {
	return d.Object(func(k string) (err error) {
		switch k {
		case "id":
			e.ID, err = d.String()
		case "rev":
			e.Revision, err = d.Int64()
		case "deleted":
			e.Deleted, err = d.Bool()
		case "ct":
			e.Ciphertext, err = d.Base64()
		default:
			err = d.Unknown(k)
		}
		return err
	})
}

// ReadEntries reads an array of entries; null is nil.
func ReadEntries(d *jsonwire.Decoder) ([]Entry, error) {
	if d.Null() {
		return nil, nil
	}
	out := []Entry{}
	err := d.Array(func() error {
		out = append(out, Entry{})
		return out[len(out)-1].ReadJSON(d)
	})
	return out, err
}

// WriteJSON writes r as encoding/json would.
func (r PullResponse) WriteJSON(w *jsonwire.Writer) {
	w.BeginObject()
	w.Key("revision")
	w.Int(r.Revision)
	w.Key("entries")
	if r.Entries == nil {
		w.Null()
	} else {
		w.BeginArray()
		for _, e := range r.Entries {
			e.WriteJSON(w)
		}
		w.EndArray()
	}
	w.Key("more")
	w.Bool(r.More)
	w.EndObject()
}

// ReadJSON reads r as encoding/json would (keys match exactly).
func (r *PullResponse) ReadJSON(d *jsonwire.Decoder) error {
	return d.Object(func(k string) (err error) {
		switch k {
		case "revision":
			r.Revision, err = d.Int64()
		case "entries":
			r.Entries, err = ReadEntries(d)
		case "more":
			r.More, err = d.Bool()
		default:
			err = d.Unknown(k)
		}
		return err
	})
}

// WriteJSON writes c as encoding/json would.
func (c Change) WriteJSON(w *jsonwire.Writer) {
	w.BeginObject()
	w.Key("id")
	w.String(c.ID)
	w.Key("base_rev")
	w.Int(c.BaseRevision)
	if c.Deleted {
		w.Key("deleted")
		w.Bool(true)
	}
	if len(c.Ciphertext) > 0 {
		w.Key("ct")
		w.Base64(c.Ciphertext)
	}
	w.EndObject()
}

// ReadJSON reads c as encoding/json would (keys match exactly).
func (c *Change) ReadJSON(d *jsonwire.Decoder) error {
	return d.Object(func(k string) (err error) {
		switch k {
		case "id":
			c.ID, err = d.String()
		case "base_rev":
			c.BaseRevision, err = d.Int64()
		case "deleted":
			c.Deleted, err = d.Bool()
		case "ct":
			c.Ciphertext, err = d.Base64()
		default:
			err = d.Unknown(k)
		}
		return err
	})
}

// WriteJSON writes r as encoding/json would.
func (r PushRequest) WriteJSON(w *jsonwire.Writer) {
	w.BeginObject()
	w.Key("idempotency_key")
	w.String(r.IdempotencyKey)
	w.Key("changes")
	if r.Changes == nil {
		w.Null()
	} else {
		w.BeginArray()
		for _, c := range r.Changes {
			c.WriteJSON(w)
		}
		w.EndArray()
	}
	w.EndObject()
}

// ReadJSON reads r as encoding/json would (keys match exactly).
func (r *PushRequest) ReadJSON(d *jsonwire.Decoder) error {
	return d.Object(func(k string) (err error) {
		switch k {
		case "idempotency_key":
			r.IdempotencyKey, err = d.String()
		case "changes":
			if d.Null() {
				r.Changes = nil
				return nil
			}
			r.Changes = []Change{}
			err = d.Array(func() error {
				r.Changes = append(r.Changes, Change{})
				return r.Changes[len(r.Changes)-1].ReadJSON(d)
			})
		default:
			err = d.Unknown(k)
		}
		return err
	})
}

// WriteJSON writes c as encoding/json would.
func (c ChangeResult) WriteJSON(w *jsonwire.Writer) {
	w.BeginObject()
	w.Key("id")
	w.String(c.ID)
	w.Key("accepted")
	w.Bool(c.Accepted)
	if c.Revision != 0 {
		w.Key("rev")
		w.Int(c.Revision)
	}
	if c.Current != nil {
		w.Key("current")
		c.Current.WriteJSON(w)
	}
	w.EndObject()
}

// ReadJSON reads c as encoding/json would (keys match exactly).
func (c *ChangeResult) ReadJSON(d *jsonwire.Decoder) error {
	return d.Object(func(k string) (err error) {
		switch k {
		case "id":
			c.ID, err = d.String()
		case "accepted":
			c.Accepted, err = d.Bool()
		case "rev":
			c.Revision, err = d.Int64()
		case "current":
			if d.Null() {
				c.Current = nil
				return nil
			}
			c.Current = new(Entry)
			err = c.Current.ReadJSON(d)
		default:
			err = d.Unknown(k)
		}
		return err
	})
}

// WriteJSON writes r as encoding/json would.
func (r PushResponse) WriteJSON(w *jsonwire.Writer) {
	w.BeginObject()
	w.Key("revision")
	w.Int(r.Revision)
	w.Key("results")
	if r.Results == nil {
		w.Null()
	} else {
		w.BeginArray()
		for _, c := range r.Results {
			c.WriteJSON(w)
		}
		w.EndArray()
	}
	w.EndObject()
}

// ReadJSON reads r as encoding/json would (keys match exactly).
func (r *PushResponse) ReadJSON(d *jsonwire.Decoder) error {
	return d.Object(func(k string) (err error) {
		switch k {
		case "revision":
			r.Revision, err = d.Int64()
		case "results":
			if d.Null() {
				r.Results = nil
				return nil
			}
			r.Results = []ChangeResult{}
			err = d.Array(func() error {
				r.Results = append(r.Results, ChangeResult{})
				return r.Results[len(r.Results)-1].ReadJSON(d)
			})
		default:
			err = d.Unknown(k)
		}
		return err
	})
}

// ReadJSON reads r as encoding/json would (keys match exactly).
func (r *RevisionResponse) ReadJSON(d *jsonwire.Decoder) error {
	return d.Object(func(k string) (err error) {
		if k == "revision" {
			r.Revision, err = d.Int64()
			return err
		}
		return d.Unknown(k)
	})
}

// ReadJSON reads e as encoding/json would (keys match exactly).
func (e *Error) ReadJSON(d *jsonwire.Decoder) error {
	return d.Object(func(k string) (err error) {
		var s string
		switch k {
		case "code":
			s, err = d.String()
			e.Code = Code(s)
		case "message":
			e.Message, err = d.String()
		case "details":
			e.Details, err = d.Strings()
		default:
			err = d.Unknown(k)
		}
		return err
	})
}

// ReadJSON reads r as encoding/json would (keys match exactly).
func (r *ErrorResponse) ReadJSON(d *jsonwire.Decoder) error {
	return d.Object(func(k string) (err error) {
		switch k {
		case "error":
			err = r.Error.ReadJSON(d)
		case "request_id":
			r.RequestID, err = d.String()
		default:
			err = d.Unknown(k)
		}
		return err
	})
}
