package api

import "watchword/wasm/jsonwire"

// The sync types read and write themselves with package jsonwire, so the
// core (core.wasm) carries no reflection-based JSON. The server keeps
// encoding/json and the struct tags above; wire_test.go holds the two to the
// same bytes. The method names are not encoding/json's, so the server's
// encoding is untouched. Readers match keys exactly and leave errors in the
// Decoder (see jsonwire.Decoder).

// WriteJSON writes p as encoding/json would.
func (p KDFParams) WriteJSON(w *jsonwire.Writer) {
	w.BeginObject()
	w.StringField("alg", p.Algorithm)
	w.Base64Field("salt", p.Salt)
	w.UintField("m", uint64(p.MemoryKiB))
	w.UintField("t", uint64(p.Time))
	w.UintField("p", uint64(p.Threads))
	w.EndObject()
}

// ReadJSON reads p as encoding/json would.
func (p *KDFParams) ReadJSON(d *jsonwire.Decoder) {
	for ok := d.Object(); ok && d.Member(); {
		switch d.Key() {
		case "alg":
			p.Algorithm = d.String()
		case "salt":
			p.Salt = d.Base64()
		case "m":
			p.MemoryKiB = uint32(d.Uint(32))
		case "t":
			p.Time = uint32(d.Uint(32))
		case "p":
			p.Threads = uint8(d.Uint(8))
		default:
			d.Unknown()
		}
	}
}

// WriteJSON writes h as encoding/json would.
func (h VaultHeader) WriteJSON(w *jsonwire.Writer) {
	w.BeginObject()
	w.StringField("vault_id", h.VaultID)
	w.Base64Field("wrapped_key", h.WrappedKey)
	w.Key("kdf")
	h.KDF.WriteJSON(w)
	w.EndObject()
}

// ReadJSON reads h as encoding/json would.
func (h *VaultHeader) ReadJSON(d *jsonwire.Decoder) {
	for ok := d.Object(); ok && d.Member(); {
		switch d.Key() {
		case "vault_id":
			h.VaultID = d.String()
		case "wrapped_key":
			h.WrappedKey = d.Base64()
		case "kdf":
			h.KDF.ReadJSON(d)
		default:
			d.Unknown()
		}
	}
}

// ReadVaultHeader reads a header that may be null (then nil).
func ReadVaultHeader(d *jsonwire.Decoder) *VaultHeader {
	if d.Null() {
		return nil
	}
	h := new(VaultHeader)
	h.ReadJSON(d)
	return h
}

// WriteJSON writes e as encoding/json would.
func (e Entry) WriteJSON(w *jsonwire.Writer) {
	w.BeginObject()
	w.StringField("id", e.ID)
	w.IntField("rev", e.Revision)
	if e.Deleted {
		w.BoolField("deleted", true)
	}
	if len(e.Ciphertext) > 0 {
		w.Base64Field("ct", e.Ciphertext)
	}
	w.EndObject()
}

// ReadJSON reads e as encoding/json would.
func (e *Entry) ReadJSON(d *jsonwire.Decoder) {
	for ok := d.Object(); ok && d.Member(); {
		switch d.Key() {
		case "id":
			e.ID = d.String()
		case "rev":
			e.Revision = d.Int64()
		case "deleted":
			e.Deleted = d.Bool()
		case "ct":
			e.Ciphertext = d.Base64()
		default:
			d.Unknown()
		}
	}
}

// WriteJSON writes r as encoding/json would.
func (r PullResponse) WriteJSON(w *jsonwire.Writer) {
	w.BeginObject()
	w.IntField("revision", r.Revision)
	w.Key("entries")
	jsonwire.WriteArray(w, r.Entries, Entry.WriteJSON)
	w.BoolField("more", r.More)
	w.EndObject()
}

// ReadJSON reads r as encoding/json would.
func (r *PullResponse) ReadJSON(d *jsonwire.Decoder) {
	for ok := d.Object(); ok && d.Member(); {
		switch d.Key() {
		case "revision":
			r.Revision = d.Int64()
		case "entries":
			r.Entries = jsonwire.ReadArray(d, (*Entry).ReadJSON)
		case "more":
			r.More = d.Bool()
		default:
			d.Unknown()
		}
	}
}

// WriteJSON writes c as encoding/json would.
func (c Change) WriteJSON(w *jsonwire.Writer) {
	w.BeginObject()
	w.StringField("id", c.ID)
	w.IntField("base_rev", c.BaseRevision)
	if c.Deleted {
		w.BoolField("deleted", true)
	}
	if len(c.Ciphertext) > 0 {
		w.Base64Field("ct", c.Ciphertext)
	}
	w.EndObject()
}

// ReadJSON reads c as encoding/json would.
func (c *Change) ReadJSON(d *jsonwire.Decoder) {
	for ok := d.Object(); ok && d.Member(); {
		switch d.Key() {
		case "id":
			c.ID = d.String()
		case "base_rev":
			c.BaseRevision = d.Int64()
		case "deleted":
			c.Deleted = d.Bool()
		case "ct":
			c.Ciphertext = d.Base64()
		default:
			d.Unknown()
		}
	}
}

// WriteJSON writes r as encoding/json would.
func (r PushRequest) WriteJSON(w *jsonwire.Writer) {
	w.BeginObject()
	w.StringField("idempotency_key", r.IdempotencyKey)
	w.Key("changes")
	jsonwire.WriteArray(w, r.Changes, Change.WriteJSON)
	w.EndObject()
}

// ReadJSON reads r as encoding/json would.
func (r *PushRequest) ReadJSON(d *jsonwire.Decoder) {
	for ok := d.Object(); ok && d.Member(); {
		switch d.Key() {
		case "idempotency_key":
			r.IdempotencyKey = d.String()
		case "changes":
			r.Changes = jsonwire.ReadArray(d, (*Change).ReadJSON)
		default:
			d.Unknown()
		}
	}
}

// WriteJSON writes c as encoding/json would.
func (c ChangeResult) WriteJSON(w *jsonwire.Writer) {
	w.BeginObject()
	w.StringField("id", c.ID)
	w.BoolField("accepted", c.Accepted)
	if c.Revision != 0 {
		w.IntField("rev", c.Revision)
	}
	if c.Current != nil {
		w.Key("current")
		c.Current.WriteJSON(w)
	}
	w.EndObject()
}

// ReadJSON reads c as encoding/json would.
func (c *ChangeResult) ReadJSON(d *jsonwire.Decoder) {
	for ok := d.Object(); ok && d.Member(); {
		switch d.Key() {
		case "id":
			c.ID = d.String()
		case "accepted":
			c.Accepted = d.Bool()
		case "rev":
			c.Revision = d.Int64()
		case "current":
			c.Current = nil
			if !d.Null() {
				c.Current = new(Entry)
				c.Current.ReadJSON(d)
			}
		default:
			d.Unknown()
		}
	}
}

// WriteJSON writes r as encoding/json would.
func (r PushResponse) WriteJSON(w *jsonwire.Writer) {
	w.BeginObject()
	w.IntField("revision", r.Revision)
	w.Key("results")
	jsonwire.WriteArray(w, r.Results, ChangeResult.WriteJSON)
	w.EndObject()
}

// ReadJSON reads r as encoding/json would.
func (r *PushResponse) ReadJSON(d *jsonwire.Decoder) {
	for ok := d.Object(); ok && d.Member(); {
		switch d.Key() {
		case "revision":
			r.Revision = d.Int64()
		case "results":
			r.Results = jsonwire.ReadArray(d, (*ChangeResult).ReadJSON)
		default:
			d.Unknown()
		}
	}
}

// ReadJSON reads r as encoding/json would.
func (r *RevisionResponse) ReadJSON(d *jsonwire.Decoder) {
	for ok := d.Object(); ok && d.Member(); {
		if d.Key() == "revision" {
			r.Revision = d.Int64()
		} else {
			d.Unknown()
		}
	}
}

// ReadJSON reads e as encoding/json would.
func (e *Error) ReadJSON(d *jsonwire.Decoder) {
	for ok := d.Object(); ok && d.Member(); {
		switch d.Key() {
		case "code":
			e.Code = Code(d.String())
		case "message":
			e.Message = d.String()
		case "details":
			e.Details = d.Strings()
		default:
			d.Unknown()
		}
	}
}

// ReadJSON reads r as encoding/json would.
func (r *ErrorResponse) ReadJSON(d *jsonwire.Decoder) {
	for ok := d.Object(); ok && d.Member(); {
		switch d.Key() {
		case "error":
			r.Error.ReadJSON(d)
		case "request_id":
			r.RequestID = d.String()
		default:
			d.Unknown()
		}
	}
}
