package bridge

import (
	"encoding/base64"
	"encoding/binary"
	"strconv"
	"time"

	"watchword/wasm/api"
	"watchword/wasm/jsonwire"
	"watchword/wasm/vault"
)

// Vault methods:
//
//	vaultLoad(headerJSON, vaultKeyBase64) → undefined
//	vaultLock()                           → undefined
//	entriesOpen(batch)                    → {entries, failed, report}
//	entrySeal(formJSON, ciphertext?)      → {id, ct}
//	vaultSealLocal(data)                  → base64 of data sealed as device-local
//
// header is an api.VaultHeader; vaultKey is the raw vault key in standard
// base64, which must be kept secret (chrome.storage.session only). Loading
// leaves the core unlocked with that vault.
//
// The core never sees the master password: creating a vault, unlocking it
// and changing its password run in kdf.wasm (package kdfhost), which hands
// back the vault key that vaultLoad then takes, so core.wasm does not link
// Argon2id.
func init() {
	register("vaultLoad", (*Core).vaultLoad)
	register("vaultLock", (*Core).vaultLock)
	register("entriesOpen", (*Core).entriesOpen)
	register("entrySeal", (*Core).entrySeal)
	register("vaultSealLocal", (*Core).vaultSealLocal)
}

// setKey makes k the unlocked vault, destroying the one it replaces.
func (c *Core) setKey(k *vault.Key) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.key != nil && c.key != k {
		c.sync.stop() // its engine belongs to the key put away
		c.key.Destroy()
	}
	c.key = k
}

// unlocked returns the unlocked vault key, or a locked error.
func (c *Core) unlocked() (*vault.Key, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.key == nil {
		return nil, api.NewError(api.CodeLocked, "the vault is locked")
	}
	return c.key, nil
}

func argHeader(a Args, i int) (api.VaultHeader, error) {
	var h api.VaultHeader
	if err := argJSON(a, i, h.ReadJSON); err != nil {
		return h, err
	}
	if !api.ValidID(h.VaultID) {
		return h, badArg(i, "the header's vault_id is not a valid id")
	}
	return h, nil
}

func (c *Core) vaultLoad(a Args) (Result, error) {
	h, err := argHeader(a, 0)
	if err != nil {
		return nil, err
	}
	raw, err := argBase64(a, 1)
	if err != nil {
		return nil, err
	}
	defer clear(raw)
	k, err := vault.NewKey(h.VaultID, raw)
	if err != nil {
		return nil, err
	}
	c.setKey(k)
	return nil, nil
}

func (c *Core) vaultLock(Args) (Result, error) {
	c.setKey(nil)
	return nil, nil
}

// vaultSealLocal seals data the extension keeps on this device only (the
// list index it shows at the next unlock, before the entries are open)
// under the unlocked vault key: vault.Key.SealLocal, in standard base64 for
// storage.local. kdf.wasm opens it right after deriving the key.
func (c *Core) vaultSealLocal(a Args) (Result, error) {
	data, err := argString(a, 0)
	if err != nil {
		return nil, err
	}
	k, err := c.unlocked()
	if err != nil {
		return nil, err
	}
	ct, err := k.SealLocal([]byte(data))
	if err != nil {
		return nil, err
	}
	return base64.StdEncoding.EncodeToString(ct), nil
}

// The binary batch accepted by entriesOpen, for the unlock path, where
// JSON and base64 would cost more than the decryption:
//
//	byte 0         batchV1
//	then per entry:
//	  32 bytes     entry id, lowercase hex (api.IDSize*2)
//	  4 bytes      ciphertext length n, big-endian, at most api.MaxEntryCiphertext
//	  n bytes      ciphertext
const (
	batchV1       = 0x01
	batchIDLen    = 2 * api.IDSize
	batchRecordHd = batchIDLen + 4
)

// AppendBatch appends entries to a binary batch for entriesOpen (dst empty:
// a new batch). JavaScript builds the same layout; this is the reference.
func AppendBatch(dst []byte, entries []vault.Sealed) []byte {
	if len(dst) == 0 {
		dst = append(dst, batchV1)
	}
	for _, e := range entries {
		dst = append(dst, e.ID...)
		dst = binary.BigEndian.AppendUint32(dst, uint32(len(e.Ciphertext)))
		dst = append(dst, e.Ciphertext...)
	}
	return dst
}

// parseBatch decodes a binary batch. The ciphertexts alias b.
func parseBatch(b []byte) ([]vault.Sealed, error) {
	if len(b) == 0 || b[0] != batchV1 {
		return nil, api.NewError(api.CodeUnsupported, "unknown entry batch format")
	}
	b = b[1:]
	var out []vault.Sealed
	for len(b) > 0 {
		if len(b) < batchRecordHd {
			return nil, api.NewError(api.CodeBadRequest, "entry batch is truncated after "+strconv.Itoa(len(out))+" entries")
		}
		id := string(b[:batchIDLen])
		n := binary.BigEndian.Uint32(b[batchIDLen:batchRecordHd])
		b = b[batchRecordHd:]
		if !api.ValidID(id) {
			return nil, api.NewError(api.CodeBadRequest, "entry batch: entry "+strconv.Itoa(len(out))+" has no valid id")
		}
		if n > api.MaxEntryCiphertext || int(n) > len(b) {
			return nil, api.NewError(api.CodeBadRequest, "entry batch: entry "+id+" has a bad length")
		}
		out = append(out, vault.Sealed{ID: id, Ciphertext: b[:n:n]})
		b = b[n:]
	}
	return out, nil
}

// parseEntriesJSON decodes the JSON form entriesOpen accepts: api.Entry
// records as the server's pull pages carry them. Tombstones are skipped.
func parseEntriesJSON(b []byte) ([]vault.Sealed, error) {
	var in []api.Entry
	err := jsonwire.Decode(b, false, func(d *jsonwire.Decoder) { in = jsonwire.ReadArray(d, (*api.Entry).ReadJSON) })
	if err != nil {
		return nil, api.NewError(api.CodeBadRequest, "entries: bad JSON: "+err.Error())
	}
	out := make([]vault.Sealed, 0, len(in))
	for _, e := range in {
		if e.Deleted {
			continue
		}
		out = append(out, vault.Sealed{ID: e.ID, Ciphertext: e.Ciphertext})
	}
	return out, nil
}

// entriesOpen opens a batch of entries: a Uint8Array in the binary batch
// format, or JSON (a string or its bytes) of api.Entry records. An entry that
// does not open is listed under failed with its code; the others open.
func (c *Core) entriesOpen(a Args) (Result, error) {
	if err := need(a, 1); err != nil {
		return nil, err
	}
	k, err := c.unlocked()
	if err != nil {
		return nil, err
	}
	b, err := argBytes(a, 0)
	if err != nil {
		return nil, err
	}
	var sealed []vault.Sealed
	if first := firstNonSpace(b); first == '[' {
		sealed, err = parseEntriesJSON(b)
	} else {
		sealed, err = parseBatch(b)
	}
	if err != nil {
		return nil, err
	}
	opened := k.OpenEntries(sealed)
	// Roughly the plaintext size plus JSON framing: one allocation.
	out := make([]byte, 0, len(b)+128*len(sealed)+64)
	out = vault.DefaultSchema().AppendVaultJSON(out, opened)
	return JSON(out), nil
}

func firstNonSpace(b []byte) byte {
	for _, c := range b {
		switch c {
		case ' ', '\t', '\r', '\n':
			continue
		}
		return c
	}
	return 0
}

// sealedJSON is entrySeal's result: what is stored and pushed (api.Change's
// id and ct).
type sealedJSON struct {
	ID         string `json:"id"`
	Ciphertext []byte `json:"ct"`
}

func (s sealedJSON) WriteJSON(w *jsonwire.Writer) {
	w.BeginObject()
	w.StringField("id", s.ID)
	w.Base64Field("ct", s.Ciphertext)
	w.EndObject()
}

// formHead is the part of an edit form that says which entry it edits or
// what type of entry it makes.
type formHead struct{ ID, Type string }

// readFormHead reads a form's id and type, leaving the rest of the form
// to vault.Schema.ApplyEdit, which refuses what it does not know.
func readFormHead(form []byte) (formHead, error) {
	var h formHead
	err := jsonwire.Decode(form, false, func(d *jsonwire.Decoder) {
		for ok := d.Object(); ok && d.Member(); {
			switch d.Key() {
			case "id":
				h.ID = d.String()
			case "type":
				h.Type = d.String()
			default:
				d.Skip()
			}
		}
	})
	if err != nil {
		return h, badArg(0, "bad JSON: "+err.Error())
	}
	return h, nil
}

// entrySeal applies an edit form (see vault.Schema.ApplyEdit) and seals the
// result. With ciphertext (the entry's current ciphertext: a Uint8Array, or
// standard base64 as stored and synced) it edits that entry, keeping every
// field the form does not name and every field this version does not know.
// Without it, it makes a new entry of the form's type, with the form's id or
// a fresh one. The result's ct is standard base64 (as api.Change carries it).
func (c *Core) entrySeal(a Args) (Result, error) {
	k, err := c.unlocked()
	if err != nil {
		return nil, err
	}
	form, err := argBytes(a, 0)
	if err != nil {
		return nil, err
	}
	head, err := readFormHead(form)
	if err != nil {
		return nil, err
	}
	schema := vault.DefaultSchema()
	var e *vault.Entry
	if a.Present(1) {
		ct, err := argBinary(a, 1)
		if err != nil {
			return nil, err
		}
		if !api.ValidID(head.ID) {
			return nil, badArg(0, "an edit names the entry's id")
		}
		if e, err = k.OpenEntry(head.ID, ct); err != nil {
			return nil, err
		}
	} else {
		t, ok := schema.TypeByName(head.Type)
		if !ok {
			return nil, badArg(0, "unknown entry type "+strconv.Quote(head.Type))
		}
		id := head.ID
		if id == "" {
			if id, err = vault.NewEntryID(); err != nil {
				return nil, err
			}
		} else if !api.ValidID(id) {
			return nil, badArg(0, "entry id "+strconv.Quote(id)+" is not valid")
		}
		e = vault.NewEntry(id, t)
	}
	if err := schema.ApplyEdit(e, form, time.Now()); err != nil {
		return nil, err
	}
	ct, err := k.SealEntry(e)
	if err != nil {
		return nil, err
	}
	return writeValue(sealedJSON{ID: e.ID, Ciphertext: ct})
}
