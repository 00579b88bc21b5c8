package vaultsync

import (
	"watchword/wasm/api"
	"watchword/wasm/jsonwire"
)

// The engine's stored state and its status read and write themselves with
// package jsonwire (see wasm/api/wire.go for why); wire_test.go holds each
// to encoding/json's bytes, which is also what devices stored before.

// WriteJSON writes m as encoding/json would.
func (m meta) WriteJSON(w *jsonwire.Writer) {
	w.BeginObject()
	w.Key("vault_id")
	w.String(m.VaultID)
	if m.Cursor != 0 {
		w.Key("cursor")
		w.Int(m.Cursor)
	}
	if m.Seq != 0 {
		w.Key("seq")
		w.Uint(m.Seq)
	}
	if m.Paused {
		w.Key("paused")
		w.Bool(true)
	}
	if !m.SyncedAt.IsZero() {
		w.Key("synced_at")
		w.Time(m.SyncedAt)
	}
	if m.HeaderOK {
		w.Key("header_ok")
		w.Bool(true)
	}
	if m.Header != nil {
		w.Key("header")
		m.Header.WriteJSON(w)
	}
	w.EndObject()
}

// ReadJSON reads m as encoding/json would (keys match exactly).
func (m *meta) ReadJSON(d *jsonwire.Decoder) error {
	return d.Object(func(k string) (err error) {
		switch k {
		case "vault_id":
			m.VaultID, err = d.String()
		case "cursor":
			m.Cursor, err = d.Int64()
		case "seq":
			m.Seq, err = d.Uint(64)
		case "paused":
			m.Paused, err = d.Bool()
		case "synced_at":
			m.SyncedAt, err = d.Time()
		case "header_ok":
			m.HeaderOK, err = d.Bool()
		case "header":
			if d.Null() {
				m.Header = nil
				return nil
			}
			m.Header = new(api.VaultHeader)
			err = m.Header.ReadJSON(d)
		default:
			err = d.Unknown(k)
		}
		return err
	})
}

// WriteJSON writes r as encoding/json would.
func (r record) WriteJSON(w *jsonwire.Writer) {
	w.BeginObject()
	w.Key("id")
	w.String(r.ID)
	if r.Rev != 0 {
		w.Key("rev")
		w.Int(r.Rev)
	}
	if len(r.Base) > 0 {
		w.Key("base")
		w.Base64(r.Base)
	}
	if r.BaseDeleted {
		w.Key("bdel")
		w.Bool(true)
	}
	if r.Pending {
		w.Key("pend")
		w.Bool(true)
	}
	if len(r.Local) > 0 {
		w.Key("local")
		w.Base64(r.Local)
	}
	if r.LocalDeleted {
		w.Key("ldel")
		w.Bool(true)
	}
	if r.Seq != 0 {
		w.Key("seq")
		w.Uint(r.Seq)
	}
	if len(r.Trash) > 0 {
		w.Key("trash")
		w.Base64(r.Trash)
	}
	w.EndObject()
}

// ReadJSON reads r as encoding/json would (keys match exactly).
func (r *record) ReadJSON(d *jsonwire.Decoder) error {
	return d.Object(func(k string) (err error) {
		switch k {
		case "id":
			r.ID, err = d.String()
		case "rev":
			r.Rev, err = d.Int64()
		case "base":
			r.Base, err = d.Base64()
		case "bdel":
			r.BaseDeleted, err = d.Bool()
		case "pend":
			r.Pending, err = d.Bool()
		case "local":
			r.Local, err = d.Base64()
		case "ldel":
			r.LocalDeleted, err = d.Bool()
		case "seq":
			r.Seq, err = d.Uint(64)
		case "trash":
			r.Trash, err = d.Base64()
		default:
			err = d.Unknown(k)
		}
		return err
	})
}

// WriteJSON writes p as encoding/json would.
func (p problem) WriteJSON(w *jsonwire.Writer) {
	w.BeginObject()
	w.Key("id")
	w.String(p.ID)
	w.Key("rev")
	w.Int(p.Rev)
	w.Key("reason")
	w.String(p.Reason)
	w.EndObject()
}

// ReadJSON reads p as encoding/json would (keys match exactly).
func (p *problem) ReadJSON(d *jsonwire.Decoder) error {
	return d.Object(func(k string) (err error) {
		switch k {
		case "id":
			p.ID, err = d.String()
		case "rev":
			p.Rev, err = d.Int64()
		case "reason":
			p.Reason, err = d.String()
		default:
			err = d.Unknown(k)
		}
		return err
	})
}

// WriteJSON writes o as encoding/json would.
func (o outbox) WriteJSON(w *jsonwire.Writer) {
	w.BeginObject()
	w.Key("req")
	o.Req.WriteJSON(w)
	w.Key("seqs")
	if o.Seqs == nil {
		w.Null()
	} else {
		w.BeginArray()
		for _, s := range o.Seqs {
			w.Uint(s)
		}
		w.EndArray()
	}
	w.EndObject()
}

// ReadJSON reads o as encoding/json would (keys match exactly).
func (o *outbox) ReadJSON(d *jsonwire.Decoder) error {
	return d.Object(func(k string) (err error) {
		switch k {
		case "req":
			err = o.Req.ReadJSON(d)
		case "seqs":
			if d.Null() {
				o.Seqs = nil
				return nil
			}
			o.Seqs = []uint64{}
			err = d.Array(func() error {
				s, err := d.Uint(64)
				o.Seqs = append(o.Seqs, s)
				return err
			})
		default:
			err = d.Unknown(k)
		}
		return err
	})
}

// WriteJSON writes s as encoding/json would.
func (s Status) WriteJSON(w *jsonwire.Writer) {
	w.BeginObject()
	s.WriteMembers(w)
	w.EndObject()
}

// WriteMembers writes the members of s into an object the caller has begun,
// for a caller that embeds a Status in its own answer.
func (s Status) WriteMembers(w *jsonwire.Writer) {
	w.Key("state")
	w.String(string(s.State))
	if !s.SyncedAt.IsZero() {
		w.Key("synced_at")
		w.Time(s.SyncedAt)
	}
	if s.Reason != "" {
		w.Key("reason")
		w.String(s.Reason)
	}
	if s.Code != "" {
		w.Key("code")
		w.String(string(s.Code))
	}
	w.Key("pending")
	w.Int(int64(s.Pending))
	w.Key("damaged")
	w.Int(int64(s.Damaged))
	w.Key("hidden")
	w.Int(int64(s.Hidden))
}

// jsonValue is a value that writes itself.
type jsonValue interface{ WriteJSON(w *jsonwire.Writer) }

// encode writes one stored value.
func encode(v jsonValue) []byte {
	w := jsonwire.NewWriter(nil)
	v.WriteJSON(w)
	return w.Bytes()
}

// decode reads one stored value, skipping members a newer version added.
func decode(b []byte, v interface {
	ReadJSON(d *jsonwire.Decoder) error
}) error {
	return jsonwire.Decode(b, false, v.ReadJSON)
}
