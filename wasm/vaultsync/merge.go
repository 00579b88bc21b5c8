package vaultsync

import (
	"bytes"
	"encoding/binary"

	"watchword/wasm/vault"
	"watchword/wasm/wrap"
)

// EntryMerger merges vault entries (package vault's encoding) field by
// field, without knowing what the fields mean:
//
//   - a field changed on one side only takes that side's value (a removal is
//     a change too);
//   - a field changed on both sides to different values takes the value of
//     the later edit (the entry's modified time; ties broken by the encoded
//     bytes, so the outcome does not depend on which device merges) and the
//     other value goes into the entry's history, with its field's tag;
//   - the modified time is the later of the two;
//   - the history is merged as a list: items either side added are kept,
//     items one side removed (and the other kept) are removed.
//
// Fields and types this build does not know are handled like any other
// field, byte for byte, so merges carry them through untouched. The later
// edit is decided per entry rather than per field because the encoding keeps
// one modified time per entry; either way the losing value is kept.
type EntryMerger struct{}

// Merge implements Merger.
func (EntryMerger) Merge(id string, base, local, remote []byte) ([]byte, error) {
	l, err := vault.ParseEntry(id, local)
	if err != nil {
		return nil, wrap.Error("local version", err)
	}
	r, err := vault.ParseEntry(id, remote)
	if err != nil {
		return nil, wrap.Error("server version", err)
	}
	var b *vault.Entry
	if base != nil {
		if b, err = vault.ParseEntry(id, base); err != nil {
			b = nil // an unreadable base: merge as if there were none
		}
	}
	lt, rt := l.Time(vault.TagModified), r.Time(vault.TagModified)
	localWins := lt.After(rt) || lt.Equal(rt) && bytes.Compare(local, remote) > 0
	win, lose := r, l
	if localWins {
		win, lose = l, r
	}
	replacedAt := lt
	if rt.After(lt) {
		replacedAt = rt
	}

	t := win.Type
	if b != nil && l.Type != r.Type {
		switch {
		case l.Type == b.Type:
			t = r.Type
		case r.Type == b.Type:
			t = l.Type
		}
	}
	out := vault.NewEntry(id, t)
	type lost struct {
		tag vault.Tag
		val []byte
	}
	var losers []lost
	for _, tag := range unionTags(b, l, r) {
		lv, lok := l.Raw(tag)
		rv, rok := r.Raw(tag)
		var bv []byte
		bok := false
		if b != nil {
			bv, bok = b.Raw(tag)
		}
		switch tag {
		case vault.TagModified:
			if lok && (!rok || localWins) {
				out.SetRaw(tag, lv)
			} else if rok {
				out.SetRaw(tag, rv)
			}
			continue
		case vault.TagHistory:
			if h, ok := mergeHistory(bv, lv, rv); ok {
				if len(h) > 0 || lok || rok {
					out.SetRaw(tag, h)
				}
				continue
			}
			// A history this build cannot split is merged like any field.
		}
		lChanged := b == nil || !sameField(bv, bok, lv, lok)
		rChanged := b == nil || !sameField(bv, bok, rv, rok)
		var v []byte
		var ok bool
		switch {
		case !lChanged:
			v, ok = rv, rok
		case !rChanged, sameField(lv, lok, rv, rok):
			v, ok = lv, lok
		default:
			v, ok = win.Raw(tag)
			if lv, lok := lose.Raw(tag); lok && len(lv) > 0 {
				losers = append(losers, lost{tag, lv})
			}
		}
		if ok {
			out.SetRaw(tag, v)
		}
	}
	for _, x := range losers {
		out.AppendHistory(x.tag, x.val, replacedAt)
	}
	return out.MarshalBinary()
}

func sameField(a []byte, aok bool, b []byte, bok bool) bool {
	return aok == bok && bytes.Equal(a, b)
}

// unionTags lists the tags present in any of es (nil ones skipped), in
// increasing order, each once. Each entry's tags are already in increasing
// order (vault.Entry.Tags), so they are merged rather than sorted.
func unionTags(es ...*vault.Entry) []vault.Tag {
	var tags []vault.Tag
	for _, e := range es {
		if e != nil {
			tags = mergeTags(tags, e.Tags())
		}
	}
	return tags
}

// mergeTags merges two increasing lists into one, each tag once.
func mergeTags(a, b []vault.Tag) []vault.Tag {
	out := make([]vault.Tag, 0, len(a)+len(b))
	for len(a) > 0 && len(b) > 0 {
		switch {
		case a[0] < b[0]:
			out, a = append(out, a[0]), a[1:]
		case b[0] < a[0]:
			out, b = append(out, b[0]), b[1:]
		default:
			out, a, b = append(out, a[0]), a[1:], b[1:]
		}
	}
	return append(append(out, a...), b...)
}

// splitList splits a list value (items, each a uvarint length and that many
// bytes: package vault's encoding of history) into its raw items.
func splitList(b []byte) ([][]byte, bool) {
	var items [][]byte
	for len(b) > 0 {
		l, n := binary.Uvarint(b)
		if n <= 0 || l > uint64(len(b)-n) {
			return nil, false
		}
		items = append(items, b[:n+int(l)])
		b = b[n+int(l):]
	}
	return items, true
}

// mergeHistory merges three versions of a history list item by item: the
// local items in order, less those the server's side removed, then the items
// only the server's side added. Items are compared as whole encoded items.
func mergeHistory(base, local, remote []byte) ([]byte, bool) {
	bi, ok1 := splitList(base)
	li, ok2 := splitList(local)
	ri, ok3 := splitList(remote)
	if !ok1 || !ok2 || !ok3 {
		return nil, false
	}
	count := func(items [][]byte) map[string]int {
		m := make(map[string]int, len(items))
		for _, it := range items {
			m[string(it)]++
		}
		return m
	}
	bc, rc, lc := count(bi), count(ri), count(li)
	// lAdded[x]: copies of x the local side added beyond base.
	lAdded := make(map[string]int)
	for x, n := range lc {
		if d := n - bc[x]; d > 0 {
			lAdded[x] = d
		}
	}
	// removed[x]: how many copies of x the server's side dropped from base.
	removed := make(map[string]int)
	for x, n := range bc {
		if d := n - rc[x]; d > 0 {
			removed[x] = d
		}
	}
	var out []byte
	for _, it := range li {
		if removed[string(it)] > 0 {
			removed[string(it)]--
			continue
		}
		out = append(out, it...)
	}
	// added[x]: copies the server's side added beyond base and beyond what
	// the local side already holds.
	for _, it := range ri {
		x := string(it)
		if bc[x] > 0 {
			bc[x]--
			continue
		}
		if lAdded[x] > 0 {
			lAdded[x]--
			continue
		}
		out = append(out, it...)
	}
	return out, true
}

// SchemaViewer is a Viewer over a vault schema: entries whose type the
// schema does not know are not shown (they are kept and synced untouched).
type SchemaViewer struct{ Schema *vault.Schema }

// CanShow implements Viewer.
func (v SchemaViewer) CanShow(plaintext []byte) bool {
	e, err := vault.ParseEntry("", plaintext)
	return err == nil && !v.Schema.Status(e).Unknown
}

// SchemaReport counts, with schema s, what this device cannot show of the
// live entries: entries of unknown types ("3 entries need a newer
// version"), entries with fields it does not know, archived entries.
// Entries that fail to open are not counted here; see View.Damaged.
func (e *Engine) SchemaReport(s *vault.Schema) vault.Report {
	e.mu.Lock()
	type sealed struct {
		id string
		ct []byte
	}
	var in []sealed
	for id, r := range e.records {
		if ct, live := r.current(); live {
			in = append(in, sealed{id, ct})
		}
	}
	e.mu.Unlock()
	var rep vault.Report
	for _, x := range in {
		pt, err := e.cfg.Keyring.Open(x.id, x.ct)
		if err != nil {
			continue
		}
		ent, err := vault.ParseEntry(x.id, pt)
		if err != nil {
			rep.Add(vault.Status{Unknown: true})
			continue
		}
		rep.Add(s.Status(ent))
	}
	return rep
}
