package kdfhost

import (
	"encoding/base64"
	"errors"
	"strconv"

	"watchword/wasm/api"
	"watchword/wasm/jsonwire"
	"watchword/wasm/vault"
)

// The operations kdf.wasm runs.
const (
	OpCreate = "create" // a new vault under Password (KDF optional)
	OpUnlock = "unlock" // Header's vault key under Password
	OpChange = "change" // Header re-wrapped from Password to NewPassword
	// OpExportKey derives the key of an encrypted export file from its
	// Password: with Params (the file's settings) to open one, without
	// (fresh settings at the KDF cost, a new salt) to write one.
	OpExportKey = "export-key"
)

// KDFRequest is the one call kdf.wasm serves.
type KDFRequest struct {
	Op          string           `json:"op"`
	Password    string           `json:"password"`
	NewPassword string           `json:"new_password,omitempty"`
	Header      *api.VaultHeader `json:"header,omitempty"`
	KDF         *KDFCost         `json:"kdf,omitempty"`
	Params      *api.KDFParams   `json:"params,omitempty"`
}

// KDFCost are the Argon2id costs a caller may choose for a new vault; unset
// ones keep the defaults. The salt is always fresh and the algorithm always
// Argon2id, and api.KDFParams.Validate still applies.
type KDFCost struct {
	MemoryKiB *uint32 `json:"m,omitempty"`
	Time      *uint32 `json:"t,omitempty"`
	Threads   *uint8  `json:"p,omitempty"`
}

// KDFResult answers a KDFRequest: create gives Header and VaultKey, unlock
// VaultKey, change the new Header. VaultKey is standard base64 and must be
// kept secret.
type KDFResult struct {
	Header    *api.VaultHeader `json:"header,omitempty"`
	VaultKey  string           `json:"vaultKey,omitempty"`
	Params    *api.KDFParams   `json:"params,omitempty"`
	ExportKey string           `json:"exportKey,omitempty"`
}

// ReadJSON reads r as encoding/json would with exact keys, where an
// unknown key is an error (the decoder is strict).
func (r *KDFRequest) ReadJSON(d *jsonwire.Decoder) {
	for ok := d.Object(); ok && d.Member(); {
		switch d.Key() {
		case "op":
			r.Op = d.String()
		case "password":
			r.Password = d.String()
		case "new_password":
			r.NewPassword = d.String()
		case "header":
			r.Header = nil
			if !d.Null() {
				r.Header = new(api.VaultHeader)
				r.Header.ReadJSON(d)
			}
		case "kdf":
			r.KDF = nil
			if !d.Null() {
				r.KDF = new(KDFCost)
				r.KDF.ReadJSON(d)
			}
		case "params":
			r.Params = nil
			if !d.Null() {
				r.Params = new(api.KDFParams)
				r.Params.ReadJSON(d)
			}
		default:
			d.Unknown()
		}
	}
}

// ReadJSON reads c; a cost given as null stays unset.
func (c *KDFCost) ReadJSON(d *jsonwire.Decoder) {
	for ok := d.Object(); ok && d.Member(); {
		switch d.Key() {
		case "m":
			c.MemoryKiB = readCost[uint32](d, 32)
		case "t":
			c.Time = readCost[uint32](d, 32)
		case "p":
			c.Threads = readCost[uint8](d, 8)
		default:
			d.Unknown()
		}
	}
}

// readCost reads an unsigned cost of bits bits, or null as unset.
func readCost[T uint8 | uint32](d *jsonwire.Decoder, bits int) *T {
	if d.Null() {
		return nil
	}
	v := T(d.Uint(bits))
	return &v
}

// WriteJSON writes r as encoding/json would, omitting what is unset.
func (r KDFResult) WriteJSON(w *jsonwire.Writer) {
	w.BeginObject()
	if r.Header != nil {
		w.Key("header")
		r.Header.WriteJSON(w)
	}
	if r.VaultKey != "" {
		w.StringField("vaultKey", r.VaultKey)
	}
	if r.Params != nil {
		w.Key("params")
		r.Params.WriteJSON(w)
	}
	if r.ExportKey != "" {
		w.StringField("exportKey", r.ExportKey)
	}
	w.EndObject()
}

// maxRequest bounds a request: a header is a few hundred bytes, and
// passwords beyond a few KiB are a mistake, not a password.
const maxRequest = 64 << 10

// KDF decodes a request, runs it, and returns the JSON of its KDFResult.
// Every failure is an *api.Error: bad requests are api.CodeBadRequest, a
// password that does not open the vault is vault.ErrWrongPassword.
func KDF(req []byte) ([]byte, error) {
	out, _, err := KDFLocal(req, "")
	return out, err
}

// KDFLocal is KDF that, for an unlock, also opens local: device-local data
// of the vault (vault.Key.SealLocal, standard base64) that the caller keeps,
// with the key just derived, and returns it as opened. That is the list
// index the extension shows before its core has opened the entries. It
// travels beside the request, not in its JSON, because it is megabytes
// that JSON would only escape and unescape. Data that does not open
// (damaged, another vault's) answers "", never an error: it is only ever a
// head start.
func KDFLocal(req []byte, local string) (out []byte, opened string, err error) {
	if len(req) > maxRequest {
		return nil, "", api.NewError(api.CodeTooLarge, "the request is larger than "+strconv.Itoa(maxRequest)+" bytes")
	}
	var r KDFRequest
	if err := jsonwire.Decode(req, true, r.ReadJSON); err != nil {
		return nil, "", api.NewError(api.CodeBadRequest, "kdf request: bad JSON: "+err.Error())
	}
	res, opened, err := run(r, local)
	if err != nil {
		return nil, "", asAPIError(err)
	}
	w := jsonwire.NewWriter(nil)
	res.WriteJSON(w)
	out = w.Bytes()
	return out, opened, nil
}

// run runs r; an unlock also answers local opened with the derived key.
func run(r KDFRequest, local string) (KDFResult, string, error) {
	switch r.Op {
	case OpCreate:
		res, err := create(r)
		return res, "", err
	case OpUnlock:
		h, err := needHeader(r)
		if err != nil {
			return KDFResult{}, "", err
		}
		k, err := vault.Unlock(h, r.Password)
		if err != nil {
			return KDFResult{}, "", err
		}
		defer k.Destroy()
		return KDFResult{VaultKey: encodeKey(k)}, openLocal(k, local), nil
	case OpChange:
		h, err := needHeader(r)
		if err != nil {
			return KDFResult{}, "", err
		}
		if r.NewPassword == "" {
			return KDFResult{}, "", api.NewError(api.CodeInvalid, "the new master password is empty")
		}
		nh, err := vault.ChangePassword(h, r.Password, r.NewPassword)
		if err != nil {
			return KDFResult{}, "", err
		}
		return KDFResult{Header: &nh}, "", nil
	case OpExportKey:
		res, err := exportKey(r)
		return res, "", err
	default:
		return KDFResult{}, "", api.NewError(api.CodeBadRequest, "kdf request: unknown op "+strconv.Quote(r.Op)+" (want "+strconv.Quote(OpCreate)+", "+strconv.Quote(OpUnlock)+", "+strconv.Quote(OpChange)+" or "+strconv.Quote(OpExportKey)+")")
	}
}

func create(r KDFRequest) (KDFResult, error) {
	kdf, err := costed(r.KDF)
	if err != nil {
		return KDFResult{}, err
	}
	h, k, err := vault.Create(r.Password, kdf)
	if err != nil {
		return KDFResult{}, err
	}
	defer k.Destroy()
	return KDFResult{Header: &h, VaultKey: encodeKey(k)}, nil
}

// exportKey derives an export file's key: under the file's settings, or
// fresh ones that the answer carries for the file to hold.
func exportKey(r KDFRequest) (KDFResult, error) {
	var kdf api.KDFParams
	if r.Params != nil {
		if r.KDF != nil {
			return KDFResult{}, api.NewError(api.CodeBadRequest, "kdf request: "+r.Op+" takes params or kdf, not both")
		}
		kdf = *r.Params
	} else {
		var err error
		if kdf, err = costed(r.KDF); err != nil {
			return KDFResult{}, err
		}
	}
	key, err := vault.DeriveExportKey(r.Password, kdf)
	if err != nil {
		return KDFResult{}, err
	}
	defer clear(key)
	return KDFResult{Params: &kdf, ExportKey: base64.StdEncoding.EncodeToString(key)}, nil
}

// costed is the default Argon2id settings with a fresh salt and the costs
// c sets, checked against the floors and ceilings.
func costed(c *KDFCost) (api.KDFParams, error) {
	kdf, err := vault.NewKDFParams()
	if err != nil {
		return api.KDFParams{}, err
	}
	if c != nil {
		if c.MemoryKiB != nil {
			kdf.MemoryKiB = *c.MemoryKiB
		}
		if c.Time != nil {
			kdf.Time = *c.Time
		}
		if c.Threads != nil {
			kdf.Threads = *c.Threads
		}
	}
	// Checked here so a bad cost is a clear error before a vault id and
	// key are made.
	if err := kdf.Validate(); err != nil {
		return api.KDFParams{}, err
	}
	return kdf, nil
}

func needHeader(r KDFRequest) (api.VaultHeader, error) {
	if r.Header == nil {
		return api.VaultHeader{}, api.NewError(api.CodeBadRequest, "kdf request: "+r.Op+" needs the vault header")
	}
	if !api.ValidID(r.Header.VaultID) {
		return api.VaultHeader{}, api.NewError(api.CodeBadRequest, "kdf request: the header's vault_id is not a valid id")
	}
	return *r.Header, nil
}

// openLocal opens device-local data sealed under k, or answers "" when
// there is none or it does not open (damaged, or left by another vault).
func openLocal(k *vault.Key, b64 string) string {
	if b64 == "" || len(b64) > base64.StdEncoding.EncodedLen(vault.MaxLocalPlaintext+64) {
		return ""
	}
	ct, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return ""
	}
	pt, err := k.OpenLocal(ct)
	if err != nil {
		return ""
	}
	return string(pt)
}

func encodeKey(k *vault.Key) string {
	raw := k.Bytes()
	defer clear(raw)
	return base64.StdEncoding.EncodeToString(raw)
}

// internalMessage is all JavaScript learns about an unexpected failure: its
// text might hold secrets.
const internalMessage = "internal error"

// asAPIError keeps an *api.Error's code and message (core packages write
// those for people, without secrets) and hides anything else.
func asAPIError(err error) *api.Error {
	var ae *api.Error
	if errors.As(err, &ae) && ae.Code != api.CodeInternal {
		return &api.Error{Code: ae.Code, Message: ae.Message, Details: ae.Details}
	}
	return &api.Error{Code: api.CodeInternal, Message: internalMessage}
}
