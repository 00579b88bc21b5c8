package bridge

import (
	"context"
	"strconv"
	"sync"
	"time"

	"watchword/wasm/api"
	"watchword/wasm/jsonwire"
	"watchword/wasm/vault"
	"watchword/wasm/vaultsync"
)

// Sync methods: the unlocked vault's entries live in the sync engine
// (package vaultsync), whose local copy and journal are in storage.local.
//
//	syncStart(configJSON, host)  → status    (sync_js.go)
//	syncStop()                   → undefined
//	syncStatus()                 → status
//	syncNow()                    → status    (resolves with the round's outcome)
//	syncSetEnabled(on)           → status    (sync_js.go; on is a boolean)
//	syncNotify(revision)         → undefined (sync_js.go; revision is a number)
//	syncConnectLocal(account, storage) → undefined (sync_js.go)
//	syncEntries()                → {entries, failed, report}, as entriesOpen
//	syncEntry(id)                → one entry, as entriesOpen shows it
//	syncListIndex(idsJSON?)      → {entries: [row], failed: [id], unknown: [id]}:
//	                               the list's rows, of every entry or of those named
//	syncSave(formJSON)           → {id}      (the change is in storage)
//	syncDelete(id)               → undefined (the change is in storage)
//	syncMatchLoad()              → {logins, failed}, as matchLoad
//
// configJSON is {account, header?, enabled?, connected?}: the account id (or
// "local" for a vault with no account), the vault header to upload when the
// account has none yet, whether sync is switched on, and whether the
// account may sync now (false until its address is confirmed: the engine
// then works locally and syncs once started again with connected true).
// status is vaultsync.Status as JSON plus the account.
func init() {
	register("syncStop", (*Core).syncStop)
	register("syncStatus", (*Core).syncStatusMethod)
	register("syncNow", (*Core).syncNow)
	register("syncEntries", (*Core).syncEntries)
	register("syncEntry", (*Core).syncEntry)
	register("syncListIndex", (*Core).syncListIndex)
	register("syncSave", (*Core).syncSave)
	register("syncDelete", (*Core).syncDelete)
	register("syncMatchLoad", (*Core).syncMatchLoad)
}

// SyncHost is what the service worker lends the sync engine.
type SyncHost struct {
	// Storage is storage.local (sync_js.go); the engine namespaces every
	// key by account.
	Storage vaultsync.Storage
	// Fetch carries the sync API; nil for a local-only vault or an
	// account that may not sync yet.
	Fetch Fetcher
	// OnStatus, if set, receives the status JSON after every change (the
	// service worker tells the popup).
	OnStatus func(status []byte)
	// Clock drives debouncing and periodic sync; nil is the real clock.
	Clock vaultsync.Clock
}

// SyncConfig is syncStart's configuration.
type SyncConfig struct {
	Account   string           `json:"account"`
	Header    *api.VaultHeader `json:"header,omitempty"`
	Enabled   *bool            `json:"enabled,omitempty"`
	Connected bool             `json:"connected,omitempty"`
	// DebounceMS and PeriodMS tune automatic sync (0: the engine's
	// defaults, 2 s and 5 minutes).
	DebounceMS int `json:"debounce_ms,omitempty"`
	PeriodMS   int `json:"period_ms,omitempty"`
}

// ReadJSON reads cfg as encoding/json would (keys match exactly).
func (cfg *SyncConfig) ReadJSON(d *jsonwire.Decoder) {
	for ok := d.Object(); ok && d.Member(); {
		switch d.Key() {
		case "account":
			cfg.Account = d.String()
		case "header":
			cfg.Header = api.ReadVaultHeader(d)
		case "enabled":
			cfg.Enabled = nil
			if !d.Null() {
				b := d.Bool()
				cfg.Enabled = &b
			}
		case "connected":
			cfg.Connected = d.Bool()
		case "debounce_ms":
			cfg.DebounceMS = d.Int()
		case "period_ms":
			cfg.PeriodMS = d.Int()
		default:
			d.Unknown()
		}
	}
}

// syncSlot holds the engine of the unlocked vault and the key it was opened
// with: when the core is locked or loads another vault the engine is
// closed before anything else is asked of it.
type syncSlot struct {
	mu      sync.Mutex
	eng     *vaultsync.Engine
	key     *vault.Key // the core's key when the engine was opened
	own     *vault.Key // the engine's own copy of it, destroyed after the engine stops
	account string
}

// statusJSON is what syncStatus answers: the status and the account.
func statusJSON(account string, st vaultsync.Status) []byte {
	w := jsonwire.NewWriter(nil)
	w.BeginObject()
	st.WriteMembers(w)
	w.StringField("account", account)
	w.EndObject()
	return w.Bytes()
}

// StartSync opens the sync engine of the unlocked vault for cfg.Account,
// closing the one running. With cfg.Connected and host.Fetch it syncs at
// once and then automatically; otherwise it keeps changes locally.
func (c *Core) StartSync(ctx context.Context, cfg SyncConfig, host SyncHost) (Result, error) {
	if cfg.Account != vaultsync.LocalAccount && !api.ValidID(cfg.Account) {
		return nil, api.NewError(api.CodeBadRequest, "sync: account "+strconv.Quote(cfg.Account)+" is not valid")
	}
	if host.Storage == nil {
		return nil, api.NewError(api.CodeBadRequest, "sync: no storage given")
	}
	k, err := c.unlocked()
	if err != nil {
		return nil, err
	}
	if cfg.Header != nil && cfg.Header.VaultID != k.VaultID() {
		return nil, api.NewError(api.CodeConflict, "sync: the header is of another vault than the unlocked one")
	}
	// The engine gets its own copy of the key: locking destroys the core's
	// at once, while a sync round still running must finish with a key that
	// works (with a destroyed one every entry it pulls would look damaged).
	raw := k.Bytes()
	own, err := vault.NewKey(k.VaultID(), raw)
	clear(raw)
	if err != nil {
		return nil, err
	}
	c.sync.mu.Lock()
	defer c.sync.mu.Unlock()
	c.sync.closeLocked()
	account := cfg.Account
	vc := vaultsync.Config{
		Storage:  host.Storage,
		Account:  account,
		Keyring:  own,
		Merger:   vaultsync.EntryMerger{},
		Header:   cfg.Header,
		Clock:    host.Clock,
		Debounce: time.Duration(cfg.DebounceMS) * time.Millisecond,
		Period:   time.Duration(cfg.PeriodMS) * time.Millisecond,
	}
	if cfg.Connected && host.Fetch != nil && account != vaultsync.LocalAccount {
		vc.Transport = fetchTransport{host.Fetch}
	}
	if host.OnStatus != nil {
		vc.OnStatus = func(st vaultsync.Status) { host.OnStatus(statusJSON(account, st)) }
	}
	eng, err := vaultsync.Open(ctx, vc)
	if err != nil {
		own.Destroy()
		return nil, err
	}
	if cfg.Enabled != nil && vc.Transport != nil && *cfg.Enabled != (eng.Status().State != vaultsync.StatePaused) {
		if err := eng.SetSyncEnabled(ctx, *cfg.Enabled); err != nil {
			eng.Close()
			own.Destroy()
			return nil, err
		}
	}
	c.sync.eng, c.sync.key, c.sync.own, c.sync.account = eng, k, own, account
	eng.Start()
	return JSON(statusJSON(account, eng.Status())), nil
}

// closeLocked stops the engine. Its key copy is destroyed once a round
// still running has finished: Sync on a closed engine waits for it, then
// returns at once.
func (s *syncSlot) closeLocked() {
	if s.eng != nil {
		eng, own := s.eng, s.own
		eng.Close()
		go func() {
			_ = eng.Sync(context.Background())
			own.Destroy()
		}()
	}
	s.eng, s.key, s.own, s.account = nil, nil, nil, ""
}

// stop stops the engine (the core was locked or loaded another vault).
func (s *syncSlot) stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closeLocked()
}

// engine returns the running engine when it belongs to the unlocked vault.
// A locked core, or one unlocked with another key since, closes it: an
// engine never works with a key the user has put away.
func (c *Core) engine() (*vaultsync.Engine, string, error) {
	// c.mu is never taken while holding c.sync.mu (setKey holds c.mu and
	// stops the engine), so the key is read first.
	k, err := c.unlocked()
	c.sync.mu.Lock()
	defer c.sync.mu.Unlock()
	if err != nil || c.sync.key != k || c.sync.eng == nil {
		c.sync.closeLocked()
		if err != nil {
			return nil, "", err
		}
		return nil, "", api.NewError(api.CodeLocked, "sync has not been started for the unlocked vault")
	}
	return c.sync.eng, c.sync.account, nil
}

func (c *Core) syncStop(Args) (Result, error) {
	c.sync.stop()
	return nil, nil
}

func (c *Core) syncStatusMethod(Args) (Result, error) {
	e, acct, err := c.engine()
	if err != nil {
		return nil, err
	}
	return JSON(statusJSON(acct, e.Status())), nil
}

// syncNow runs one sync round. Its outcome (offline, needs attention) is in
// the status it resolves with; only a missing engine rejects.
func (c *Core) syncNow(Args) (Result, error) {
	e, acct, err := c.engine()
	if err != nil {
		return nil, err
	}
	if st := e.Status().State; st != vaultsync.StateLocal && st != vaultsync.StatePaused {
		_ = e.Sync(context.Background()) // the outcome is in the status
	}
	return JSON(statusJSON(acct, e.Status())), nil
}

// SetSyncEnabled switches sync on (a catch-up sync starts at once) or off.
func (c *Core) SetSyncEnabled(on bool) (Result, error) {
	e, acct, err := c.engine()
	if err != nil {
		return nil, err
	}
	if e.Status().State != vaultsync.StateLocal {
		if err := e.SetSyncEnabled(context.Background(), on); err != nil {
			return nil, err
		}
	}
	return JSON(statusJSON(acct, e.Status())), nil
}

// Notify passes on the server's announcement of revision rev.
func (c *Core) Notify(rev int64) error {
	e, _, err := c.engine()
	if err != nil {
		return err
	}
	e.Notify(rev)
	return nil
}

// ConnectLocal moves the local-only vault in s into account's namespace so
// that its first sync uploads it as it is (vaultsync.ConnectLocalVault).
func ConnectLocal(ctx context.Context, s vaultsync.Storage, account string) error {
	return vaultsync.ConnectLocalVault(ctx, s, account)
}

// engineOpened opens every live entry of the engine's local copy for display.
// Entries whose ciphertext does not open are listed as failed, never shown.
func engineOpened(e *vaultsync.Engine) []vault.Opened {
	v := e.View()
	out := make([]vault.Opened, 0, len(v.Items)+len(v.Damaged))
	for _, it := range v.Items {
		en, err := vault.ParseEntry(it.ID, it.Plaintext)
		out = append(out, vault.Opened{ID: it.ID, Entry: en, Err: err})
	}
	for _, id := range v.Damaged {
		out = append(out, vault.Opened{ID: id, Err: api.NewError(api.CodeDecrypt, "entry "+id+" does not open")})
	}
	return out
}

func (c *Core) syncEntries(Args) (Result, error) {
	e, _, err := c.engine()
	if err != nil {
		return nil, err
	}
	return JSON(vault.DefaultSchema().AppendVaultJSON(nil, engineOpened(e))), nil
}

// syncListIndex answers the rows of the vault list (vault.Schema's
// AppendListRowJSON) for every entry of a type this version knows, with the
// ids of the entries that did not open (failed) and of those of unknown
// types (unknown), which the list counts. Entries are parsed one at a time
// and only rows cross to JavaScript: no secret leaves the core, and the peak
// memory of opening a large vault stays far below that of syncEntries.
//
// Given a JSON array of ids, it answers the same for just those entries,
// so a list follows saves and sync rounds without opening the whole vault:
// an id in none of the three lists has no entry any more. An id can be both
// listed and failed: a damaged copy from the server beside the local one.
func (c *Core) syncListIndex(a Args) (Result, error) {
	var ids []string
	if a.Present(0) {
		var err error
		if ids, err = argPatchIDs(a, 0); err != nil {
			return nil, err
		}
		if ids == nil {
			return nil, badArg(0, "want an array of entry ids")
		}
	}
	e, _, err := c.engine()
	if err != nil {
		return nil, err
	}
	var v vaultsync.View
	if ids == nil {
		v = e.View()
	} else {
		v = e.ViewOf(ids)
	}
	schema := vault.DefaultSchema()
	failed, unknown := v.Damaged, []string(nil) // ids of what the list counts
	out := make([]byte, 0, 160*len(v.Items)+64)
	out = append(out, `{"entries":[`...)
	first := true
	for i := range v.Items {
		it := &v.Items[i]
		en, err := vault.ParseEntry(it.ID, it.Plaintext)
		it.Plaintext = nil // rows only from here on
		if err != nil {
			failed = append(failed, it.ID)
			continue
		}
		mark := len(out)
		if !first {
			out = append(out, ',')
		}
		var shown bool
		if out, shown = schema.AppendListRowJSON(out, en); !shown {
			out = out[:mark]
			unknown = append(unknown, it.ID)
			continue
		}
		first = false
	}
	out = appendIDs(append(out, `],"failed":`...), failed)
	out = appendIDs(append(out, `,"unknown":`...), unknown)
	return JSON(append(out, '}')), nil
}

// appendIDs appends ids as a JSON array, [] when there are none.
func appendIDs(dst []byte, ids []string) []byte {
	if ids == nil {
		ids = []string{}
	}
	w := jsonwire.NewWriter(dst)
	w.Strings(ids)
	return w.Bytes()
}

// entry reads one live entry from the engine.
func entry(e *vaultsync.Engine, id string) (*vault.Entry, error) {
	if !api.ValidID(id) {
		return nil, api.NewError(api.CodeBadRequest, "entry id "+strconv.Quote(id)+" is not valid")
	}
	pt, err := e.Get(id)
	if err != nil {
		return nil, err
	}
	en, err := vault.ParseEntry(id, pt)
	if err != nil {
		return nil, api.NewError(api.CodeDecrypt, "entry "+id+" cannot be read")
	}
	return en, nil
}

// argEntry reads the live entry whose id is the first argument.
func (c *Core) argEntry(a Args) (*vault.Entry, error) {
	e, _, err := c.engine()
	if err != nil {
		return nil, err
	}
	id, err := argString(a, 0)
	if err != nil {
		return nil, err
	}
	return entry(e, id)
}

func (c *Core) syncEntry(a Args) (Result, error) {
	en, err := c.argEntry(a)
	if err != nil {
		return nil, err
	}
	return JSON(vault.DefaultSchema().AppendJSON(nil, en)), nil
}

// syncSave applies an edit form (vault.Schema.ApplyEdit) to the entry the
// form names, or makes a new entry of the form's type, and records the
// change in the engine's journal. It resolves once storage holds the change.
func (c *Core) syncSave(a Args) (Result, error) {
	e, _, err := c.engine()
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
	var en *vault.Entry
	if head.ID != "" {
		if en, err = entry(e, head.ID); err != nil {
			return nil, err
		}
	} else {
		t, ok := schema.TypeByName(head.Type)
		if !ok {
			return nil, badArg(0, "unknown entry type "+strconv.Quote(head.Type))
		}
		id, err := vault.NewEntryID()
		if err != nil {
			return nil, err
		}
		en = vault.NewEntry(id, t)
	}
	if err := schema.ApplyEdit(en, form, time.Now()); err != nil {
		return nil, err
	}
	pt, err := en.MarshalBinary()
	if err != nil {
		return nil, err
	}
	if err := e.Put(context.Background(), en.ID, pt); err != nil {
		return nil, err
	}
	return writeJSON(func(w *jsonwire.Writer) {
		w.BeginObject()
		w.StringField("id", en.ID)
		w.EndObject()
	})
}

// syncDelete deletes an entry. Entries this build shows read-only (archived,
// or of a type it does not know) are never deleted here.
func (c *Core) syncDelete(a Args) (Result, error) {
	e, _, err := c.engine()
	if err != nil {
		return nil, err
	}
	id, err := argString(a, 0)
	if err != nil {
		return nil, err
	}
	en, err := entry(e, id)
	if err != nil {
		return nil, err
	}
	if vault.DefaultSchema().Status(en).ReadOnly() {
		return nil, api.NewError(api.CodeForbidden, "this entry is read-only in this version of Watchword")
	}
	return nil, e.Delete(context.Background(), id)
}

// syncMatchLoad builds autofill's index (see matchLoad) from the engine's
// local copy, so the ciphertexts never travel through JavaScript.
func (c *Core) syncMatchLoad(Args) (Result, error) {
	e, _, err := c.engine()
	if err != nil {
		return nil, err
	}
	k, err := c.unlocked()
	if err != nil {
		return nil, err
	}
	if err := useSuffixes(); err != nil {
		return nil, err
	}
	ix, failed := newLoginIndex(k, engineOpened(e))
	c.mu.Lock()
	c.logins = ix
	c.mu.Unlock()
	return writeValue(loadResult{Logins: ix.count, Failed: failed})
}
