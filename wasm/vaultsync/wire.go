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
	w.StringField("vault_id", m.VaultID)
	if m.Cursor != 0 {
		w.IntField("cursor", m.Cursor)
	}
	if m.Seq != 0 {
		w.UintField("seq", m.Seq)
	}
	if m.Paused {
		w.BoolField("paused", true)
	}
	if !m.SyncedAt.IsZero() {
		w.TimeField("synced_at", m.SyncedAt)
	}
	if m.HeaderOK {
		w.BoolField("header_ok", true)
	}
	if m.Header != nil {
		w.Key("header")
		m.Header.WriteJSON(w)
	}
	w.EndObject()
}

// ReadJSON reads m as encoding/json would.
func (m *meta) ReadJSON(d *jsonwire.Decoder) {
	for ok := d.Object(); ok && d.Member(); {
		switch d.Key() {
		case "vault_id":
			m.VaultID = d.String()
		case "cursor":
			m.Cursor = d.Int64()
		case "seq":
			m.Seq = d.Uint(64)
		case "paused":
			m.Paused = d.Bool()
		case "synced_at":
			m.SyncedAt = d.Time()
		case "header_ok":
			m.HeaderOK = d.Bool()
		case "header":
			m.Header = api.ReadVaultHeader(d)
		default:
			d.Unknown()
		}
	}
}

// WriteJSON writes r as encoding/json would.
func (r record) WriteJSON(w *jsonwire.Writer) {
	w.BeginObject()
	w.StringField("id", r.ID)
	if r.Rev != 0 {
		w.IntField("rev", r.Rev)
	}
	if len(r.Base) > 0 {
		w.Base64Field("base", r.Base)
	}
	if r.BaseDeleted {
		w.BoolField("bdel", true)
	}
	if r.Pending {
		w.BoolField("pend", true)
	}
	if len(r.Local) > 0 {
		w.Base64Field("local", r.Local)
	}
	if r.LocalDeleted {
		w.BoolField("ldel", true)
	}
	if r.Seq != 0 {
		w.UintField("seq", r.Seq)
	}
	if len(r.Trash) > 0 {
		w.Base64Field("trash", r.Trash)
	}
	w.EndObject()
}

// ReadJSON reads r as encoding/json would.
func (r *record) ReadJSON(d *jsonwire.Decoder) {
	for ok := d.Object(); ok && d.Member(); {
		switch d.Key() {
		case "id":
			r.ID = d.String()
		case "rev":
			r.Rev = d.Int64()
		case "base":
			r.Base = d.Base64()
		case "bdel":
			r.BaseDeleted = d.Bool()
		case "pend":
			r.Pending = d.Bool()
		case "local":
			r.Local = d.Base64()
		case "ldel":
			r.LocalDeleted = d.Bool()
		case "seq":
			r.Seq = d.Uint(64)
		case "trash":
			r.Trash = d.Base64()
		default:
			d.Unknown()
		}
	}
}

// WriteJSON writes p as encoding/json would.
func (p problem) WriteJSON(w *jsonwire.Writer) {
	w.BeginObject()
	w.StringField("id", p.ID)
	w.IntField("rev", p.Rev)
	w.StringField("reason", p.Reason)
	w.EndObject()
}

// ReadJSON reads p as encoding/json would.
func (p *problem) ReadJSON(d *jsonwire.Decoder) {
	for ok := d.Object(); ok && d.Member(); {
		switch d.Key() {
		case "id":
			p.ID = d.String()
		case "rev":
			p.Rev = d.Int64()
		case "reason":
			p.Reason = d.String()
		default:
			d.Unknown()
		}
	}
}

// WriteJSON writes o as encoding/json would.
func (o outbox) WriteJSON(w *jsonwire.Writer) {
	w.BeginObject()
	w.Key("req")
	o.Req.WriteJSON(w)
	w.Key("seqs")
	jsonwire.WriteArray(w, o.Seqs, func(s uint64, w *jsonwire.Writer) { w.Uint(s) })
	w.EndObject()
}

// ReadJSON reads o as encoding/json would.
func (o *outbox) ReadJSON(d *jsonwire.Decoder) {
	for ok := d.Object(); ok && d.Member(); {
		switch d.Key() {
		case "req":
			o.Req.ReadJSON(d)
		case "seqs":
			o.Seqs = jsonwire.ReadArray(d, func(s *uint64, d *jsonwire.Decoder) { *s = d.Uint(64) })
		default:
			d.Unknown()
		}
	}
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
	w.StringField("state", string(s.State))
	if !s.SyncedAt.IsZero() {
		w.TimeField("synced_at", s.SyncedAt)
	}
	if s.Reason != "" {
		w.StringField("reason", s.Reason)
	}
	if s.Code != "" {
		w.StringField("code", string(s.Code))
	}
	w.IntField("pending", int64(s.Pending))
	w.IntField("damaged", int64(s.Damaged))
	w.IntField("hidden", int64(s.Hidden))
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
func decode(b []byte, v interface{ ReadJSON(d *jsonwire.Decoder) }) error {
	return jsonwire.Decode(b, false, v.ReadJSON)
}
