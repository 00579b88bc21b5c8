package vaultsync

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"maps"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"watchword/wasm/api"
	"watchword/wasm/wrap"
)

// Config is what Open needs. Storage, Account, Keyring and Merger are
// required; Transport is nil for a local-only vault.
type Config struct {
	Storage Storage
	// Account is the account id the vault belongs to, or LocalAccount.
	Account   string
	Keyring   Keyring
	Merger    Merger
	Viewer    Viewer // nil: every entry can be shown
	Transport Transport
	// Header is the vault header to upload when the account has no vault
	// yet (the first device, or a local vault being connected).
	Header *api.VaultHeader
	Clock  Clock // nil: SystemClock
	// PullPage is the page size of pulls; 0 means api.DefaultPullPage.
	PullPage int
	// Debounce is how long after a local change an automatic sync starts
	// (0: 2s); Period is the interval of periodic sync (0: 5 minutes).
	Debounce time.Duration
	Period   time.Duration
	// OnStatus, if set, is called (in its own goroutine) after the status
	// changes.
	OnStatus func(Status)
}

// Engine is the sync engine of one vault on one device for one account.
// It is safe for concurrent use. Local changes (Put, Delete) are durable when
// they return and never wait for the network.
type Engine struct {
	cfg Config
	st  namespaced

	syncMu sync.Mutex // one sync at a time

	mu       sync.Mutex
	meta     meta
	records  map[string]*record
	pending  int // records with Pending set (setRecordLocked keeps it)
	problems map[string]problem
	status   Status
	closed   bool

	sched scheduler
}

// Open loads the engine's state for cfg.Account from storage. A new
// namespace is initialised for cfg.Keyring's vault; a namespace that holds
// another vault is refused (CodeConflict), so two vaults are never mixed.
func Open(ctx context.Context, cfg Config) (*Engine, error) {
	if cfg.Storage == nil || cfg.Keyring == nil || cfg.Merger == nil {
		return nil, api.NewError(api.CodeInvalid, "open sync engine: storage, keyring and merger are required")
	}
	p, err := nsPrefix(cfg.Account)
	if err != nil {
		return nil, err
	}
	if cfg.Clock == nil {
		cfg.Clock = SystemClock{}
	}
	if cfg.PullPage <= 0 || cfg.PullPage > api.MaxPullPage {
		cfg.PullPage = api.DefaultPullPage
	}
	if cfg.Debounce <= 0 {
		cfg.Debounce = 2 * time.Second
	}
	if cfg.Period <= 0 {
		cfg.Period = 5 * time.Minute
	}
	e := &Engine{
		cfg:      cfg,
		st:       namespaced{s: cfg.Storage, prefix: p},
		records:  make(map[string]*record),
		problems: make(map[string]problem),
	}
	if err := e.load(ctx); err != nil {
		return nil, wrap.Error("open sync engine", err)
	}
	e.refreshStatusLocked(e.initialState())
	return e, nil
}

func (e *Engine) load(ctx context.Context) error {
	vid := e.cfg.Keyring.VaultID()
	b, err := e.st.Get(ctx, keyMeta)
	switch {
	case errors.Is(err, ErrNoValue):
		e.meta = meta{VaultID: vid, Header: e.cfg.Header}
		return e.st.Write(ctx, Batch{Put: map[string][]byte{keyMeta: encode(&e.meta)}})
	case err != nil:
		return wrap.Error("read state", err)
	}
	if err := decode(b, &e.meta); err != nil {
		return wrap.Error("read state", err)
	}
	if e.meta.VaultID != vid {
		return api.NewError(api.CodeConflict, "this device holds another vault for this account")
	}
	if e.meta.Header == nil && e.cfg.Header != nil {
		e.meta.Header = e.cfg.Header
	}
	// One scan reads records and problems together: a browser's storage
	// can only list everything, so each scan costs a read of the whole
	// vault.
	return e.st.Scan(ctx, "", func(k string, v []byte) error {
		switch {
		case strings.HasPrefix(k, keyRecordPrefix):
			r := new(record)
			if err := decodeRecord(v, r); err != nil || r.ID != strings.TrimPrefix(k, keyRecordPrefix) {
				return errors.New("read entry " + strings.TrimPrefix(k, keyRecordPrefix) + ": damaged local record")
			}
			e.setRecordLocked(r)
		case strings.HasPrefix(k, keyProblemPfx):
			var p problem
			if err := decode(v, &p); err != nil {
				return wrap.Error("read problem "+k, err)
			}
			e.problems[p.ID] = p
		}
		return nil
	})
}

// VaultID returns the id of the vault this engine syncs.
func (e *Engine) VaultID() string { return e.meta.VaultID }

// Account returns the account this engine's data belongs to.
func (e *Engine) Account() string { return e.cfg.Account }

// ErrNotFound is returned for an entry that does not exist (or is deleted).
var ErrNotFound error = &api.Error{Code: api.CodeNotFound, Message: "no such entry"}

// Put creates or replaces entry id with plaintext. It seals the plaintext,
// writes it to the journal and returns once storage holds it; the change is
// sent by a later sync.
func (e *Engine) Put(ctx context.Context, id string, plaintext []byte) error {
	if !api.ValidID(id) {
		return api.NewError(api.CodeInvalid, "entry id "+strconv.Quote(id)+" is not valid")
	}
	ct, err := e.cfg.Keyring.Seal(id, plaintext)
	if err != nil {
		return wrap.Error("put entry "+id, err)
	}
	return e.change(ctx, id, ct, false)
}

// Delete deletes entry id (a tombstone is synced; the ciphertext is kept on
// the device). Deleting an entry that does not exist returns ErrNotFound.
func (e *Engine) Delete(ctx context.Context, id string) error {
	return e.change(ctx, id, nil, true)
}

// Plain is an entry's id and plaintext, for PutMany.
type Plain struct {
	ID        string
	Plaintext []byte
}

// PutMany puts several entries as one journal write, so an import of
// thousands of entries costs one storage call and one push round, not one
// each. Either every entry is journaled or, on an error, none is.
func (e *Engine) PutMany(ctx context.Context, entries []Plain) error {
	if len(entries) == 0 {
		return nil
	}
	cts := make([][]byte, len(entries))
	for i, p := range entries {
		if !api.ValidID(p.ID) {
			return api.NewError(api.CodeInvalid, "entry id "+strconv.Quote(p.ID)+" is not valid")
		}
		ct, err := e.cfg.Keyring.Seal(p.ID, p.Plaintext)
		if err != nil {
			return wrap.Error("put entry "+p.ID, err)
		}
		cts[i] = ct
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return api.NewError(api.CodeInvalid, "the sync engine is closed")
	}
	m := e.meta
	var b Batch
	staged := make([]*record, 0, len(entries))
	seen := make(map[string]bool, len(entries))
	for i, p := range entries {
		if seen[p.ID] {
			return api.NewError(api.CodeInvalid, "entry "+p.ID+" is put twice")
		}
		seen[p.ID] = true
		r, err := e.stageLocked(&m, p.ID, cts[i], false)
		if err != nil {
			return err
		}
		b.put(keyRecordPrefix+p.ID, encode(r))
		staged = append(staged, r)
	}
	b.put(keyMeta, encode(&m))
	if err := e.st.Write(ctx, b); err != nil {
		return wrap.Error("save "+strconv.Itoa(len(entries))+" entries", err)
	}
	e.meta = m
	for _, r := range staged {
		e.setRecordLocked(r)
	}
	e.refreshStatusLocked("")
	e.sched.changed(e)
	return nil
}

func (e *Engine) change(ctx context.Context, id string, ct []byte, deleted bool) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return api.NewError(api.CodeInvalid, "the sync engine is closed")
	}
	m := e.meta
	r, err := e.stageLocked(&m, id, ct, deleted)
	if err != nil {
		return err
	}
	var b Batch
	b.put(keyMeta, encode(&m))
	b.put(keyRecordPrefix+id, encode(r))
	if err := e.st.Write(ctx, b); err != nil {
		return wrap.Error("save entry "+id, err)
	}
	e.meta = m
	e.setRecordLocked(r)
	e.refreshStatusLocked("")
	e.sched.changed(e)
	return nil
}

// stageLocked returns the record of id after a local change (ct, or a
// delete), numbered with the next of m's sequence numbers; nothing is
// written or installed yet.
func (e *Engine) stageLocked(m *meta, id string, ct []byte, deleted bool) (*record, error) {
	old := e.records[id]
	r := &record{ID: id}
	if old != nil {
		r = old.clone()
	}
	cur, live := r.current()
	if deleted {
		if !live {
			return nil, ErrNotFound
		}
		r.Trash = cur
	}
	// A delete is journaled even for an entry the server has never
	// acknowledged: a push of its creation may be in flight, and the
	// tombstone makes sure it does not come back.
	r.Pending, r.Local, r.LocalDeleted = true, ct, deleted
	m.Seq++
	r.Seq = m.Seq
	return r, nil
}

// Get returns the plaintext of live entry id. An entry whose ciphertext does
// not open is never returned (api.CodeDecrypt).
func (e *Engine) Get(id string) ([]byte, error) {
	e.mu.Lock()
	r := e.records[id]
	var ct []byte
	live := false
	if r != nil {
		ct, live = r.current()
	}
	e.mu.Unlock()
	if !live {
		return nil, ErrNotFound
	}
	pt, err := e.cfg.Keyring.Open(id, ct)
	if err != nil {
		return nil, wrap.Error("get entry "+id, err)
	}
	return pt, nil
}

// Item is one live entry's plaintext.
type Item struct {
	ID        string
	Plaintext []byte
}

// View is the decrypted vault as this device shows it.
type View struct {
	Items   []Item   // entries this build can show, sorted by id
	Hidden  int      // live entries of types this build does not know
	Damaged []string // entries whose ciphertext does not open, sorted
}

// View opens every live entry. Entries that fail to open are listed in
// Damaged and never returned; entries the Viewer cannot show are counted.
func (e *Engine) View() View {
	return e.view(nil, true, true)
}

// All is View with the entries of types this build does not know among
// the Items too (Hidden is 0): every live entry that opens, for an export
// that must carry them unchanged.
func (e *Engine) All() View {
	return e.view(nil, true, false)
}

// ViewOf is View restricted to the entries ids names: what changed for a
// list that follows the vault without opening all of it again. An id with
// no live entry and no damage is in neither Items nor Damaged. It leaves the
// status's Hidden count, which is the whole vault's, alone.
func (e *Engine) ViewOf(ids []string) View {
	return e.view(ids, false, true)
}

func (e *Engine) view(ids []string, all, filter bool) View {
	e.mu.Lock()
	type sealed struct {
		id string
		ct []byte
	}
	var in []sealed
	damaged := make(map[string]bool)
	if all {
		for id, r := range e.records {
			if ct, live := r.current(); live {
				in = append(in, sealed{id, ct})
			}
		}
		for id := range e.problems {
			damaged[id] = true
		}
	} else {
		seen := make(map[string]bool, len(ids))
		for _, id := range ids {
			if seen[id] {
				continue
			}
			seen[id] = true
			if r := e.records[id]; r != nil {
				if ct, live := r.current(); live {
					in = append(in, sealed{id, ct})
				}
			}
			if _, bad := e.problems[id]; bad {
				damaged[id] = true
			}
		}
	}
	e.mu.Unlock()
	var v View
	for _, s := range in {
		pt, err := e.cfg.Keyring.Open(s.id, s.ct)
		if err != nil {
			damaged[s.id] = true
			continue
		}
		if filter && e.cfg.Viewer != nil && !e.cfg.Viewer.CanShow(pt) {
			v.Hidden++
			continue
		}
		v.Items = append(v.Items, Item{ID: s.id, Plaintext: pt})
	}
	// sort.Slice: a generic sort of Item would add its own ~25 KB to core.wasm.
	sort.Slice(v.Items, func(i, j int) bool { return v.Items[i].ID < v.Items[j].ID })
	v.Damaged = slices.Sorted(maps.Keys(damaged))
	if all && filter {
		e.mu.Lock()
		e.status.Hidden = v.Hidden
		e.refreshStatusLocked("")
		e.mu.Unlock()
	}
	return v
}

// Pending returns the number of local changes not yet acknowledged.
func (e *Engine) Pending() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.pendingLocked()
}

func (e *Engine) pendingLocked() int {
	return e.pending
}

// setRecordLocked makes r the record of its entry. Every record change goes
// through here so the count of pending records stays exact without a walk
// over the whole vault on each save (which made filling a large vault
// quadratic).
func (e *Engine) setRecordLocked(r *record) {
	if old := e.records[r.ID]; old != nil && old.Pending {
		e.pending--
	}
	if r.Pending {
		e.pending++
	}
	e.records[r.ID] = r
}

// Revision returns the server revision up to which this device has applied
// every change.
func (e *Engine) Revision() int64 {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.meta.Cursor
}

// newKey returns a fresh idempotency key.
func newKey() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // never fails (Go 1.24+)
	return hex.EncodeToString(b[:])
}

// Sync brings the device and the server in step: it resends a push left in
// flight, pulls every change since the last revision, and pushes the
// journal, merging where the server's copy moved on. A malformed or hostile
// answer changes nothing locally and returns CodeBadServerAnswer; an
// unreachable server returns CodeNetwork. Sync returns an error
// (CodeInvalid) when sync is paused or the vault is local-only.
func (e *Engine) Sync(ctx context.Context) error {
	e.syncMu.Lock()
	defer e.syncMu.Unlock()
	e.mu.Lock()
	switch {
	case e.closed:
		e.mu.Unlock()
		return api.NewError(api.CodeInvalid, "the sync engine is closed")
	case e.cfg.Transport == nil:
		e.mu.Unlock()
		return api.NewError(api.CodeInvalid, "this vault is not connected to an account")
	case e.meta.Paused:
		e.mu.Unlock()
		return api.NewError(api.CodeInvalid, "sync is paused")
	}
	e.refreshStatusLocked(StateSyncing)
	e.mu.Unlock()

	err := e.syncOnce(ctx)

	e.mu.Lock()
	defer e.mu.Unlock()
	switch {
	case err == nil:
		e.meta.SyncedAt = e.cfg.Clock.Now()
		// The time is for display: losing it in a crash costs nothing, so
		// it rides along with the next write instead of costing one.
		e.status.Reason, e.status.Code = "", ""
		e.refreshStatusLocked(StateSynced)
	case api.CodeOf(err) == api.CodeNetwork:
		e.refreshStatusLocked(StateOffline)
	default:
		e.status.Reason, e.status.Code = err.Error(), api.CodeOf(err)
		e.refreshStatusLocked(StateAttention)
	}
	return err
}

// maxConflictRounds bounds the push rounds of one sync that meet a
// rejection: each rejected change is merged and pushed again, and devices
// racing on one entry could otherwise keep one sync busy indefinitely.
// Rounds in which every change is accepted always make progress and are not
// counted.
const maxConflictRounds = 8

func (e *Engine) syncOnce(ctx context.Context) error {
	if err := e.checkHeader(ctx); err != nil {
		return err
	}
	if err := e.resend(ctx); err != nil {
		return err
	}
	if err := e.pull(ctx); err != nil {
		return err
	}
	for conflicts := 0; conflicts < maxConflictRounds; {
		ob, err := e.prepareOutbox(ctx)
		if err != nil || ob == nil {
			return err
		}
		rejected, err := e.flush(ctx, ob)
		if err != nil {
			return err
		}
		if rejected > 0 {
			conflicts++
		}
	}
	e.mu.Lock()
	n := e.pushableLocked()
	e.mu.Unlock()
	if n > 0 {
		return api.NewError(api.CodeConflict, strconv.Itoa(n)+" changes are still being merged; sync again")
	}
	return nil
}

// checkHeader makes sure the account holds this vault: it uploads the
// header when the account has none and refuses to sync into an account that
// holds another vault.
func (e *Engine) checkHeader(ctx context.Context) error {
	e.mu.Lock()
	ok, h := e.meta.HeaderOK, e.meta.Header
	e.mu.Unlock()
	if ok {
		return nil
	}
	got, err := e.cfg.Transport.Header(ctx)
	switch {
	case api.CodeOf(err) == api.CodeNotFound:
		if h == nil {
			return api.NewError(api.CodeNotFound, "the account has no vault yet and this device has no header to upload")
		}
		if err := e.cfg.Transport.PutHeader(ctx, *h); err != nil {
			return wrap.Error("upload vault header", err)
		}
	case err != nil:
		return wrap.Error("read vault header", err)
	case got == nil || !api.ValidID(got.VaultID):
		return api.NewError(api.CodeBadServerAnswer, "the server sent a malformed vault header")
	case got.VaultID != e.meta.VaultID:
		return api.NewError(api.CodeConflict, "this account holds another vault; it is never merged with this one")
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	m := e.meta
	m.HeaderOK = true
	if err := e.st.Write(ctx, Batch{Put: map[string][]byte{keyMeta: encode(&m)}}); err != nil {
		return wrap.Error("save state", err)
	}
	e.meta = m
	return nil
}

// resend sends the push left in flight by an earlier sync, if any.
func (e *Engine) resend(ctx context.Context) error {
	b, err := e.st.Get(ctx, keyOutbox)
	if errors.Is(err, ErrNoValue) {
		return nil
	}
	if err != nil {
		return wrap.Error("read outbox", err)
	}
	ob := new(outbox)
	if err := decode(b, ob); err != nil || len(ob.Seqs) != len(ob.Req.Changes) {
		return errors.New("read outbox: damaged local record")
	}
	_, err = e.flush(ctx, ob)
	return err
}

// pull applies every server change after the cursor, page by page. Each page
// is validated as a whole before anything is applied, and applied in one
// storage write together with the new cursor.
func (e *Engine) pull(ctx context.Context) error {
	e.mu.Lock()
	since := e.meta.Cursor
	e.mu.Unlock()
	for {
		resp, err := e.cfg.Transport.Pull(ctx, since, e.cfg.PullPage)
		if err != nil {
			return wrap.Error("pull", err)
		}
		if err := validatePull(since, e.cfg.PullPage, resp); err != nil {
			return err
		}
		next := resp.Revision
		if resp.More {
			next = resp.Entries[len(resp.Entries)-1].Revision
		}
		if err := e.applyPull(ctx, resp.Entries, next); err != nil {
			return err
		}
		if !resp.More {
			return nil
		}
		since = next
	}
}

func (e *Engine) applyPull(ctx context.Context, entries []api.Entry, cursor int64) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if cursor < e.meta.Cursor {
		return api.NewError(api.CodeBadServerAnswer, "the server's revision went backwards")
	}
	var b Batch
	recs := make(map[string]*record)
	probs := make(map[string]*problem)
	for _, se := range entries {
		r := e.records[se.ID]
		if r != nil && r.Rev >= se.Revision {
			continue // this device wrote it, or already has it
		}
		nr, p, err := e.resolve(r, se)
		if err != nil {
			return err
		}
		e.stage(&b, recs, probs, se.ID, nr, p)
	}
	m := e.meta
	m.Cursor = cursor
	b.put(keyMeta, encode(&m))
	if err := e.st.Write(ctx, b); err != nil {
		return wrap.Error("save pulled changes", err)
	}
	e.meta = m
	e.commit(recs, probs)
	return nil
}

// stage adds the outcome of a resolve to a batch. A nil record leaves the
// entry as it is; a nil problem clears any recorded one.
func (e *Engine) stage(b *Batch, recs map[string]*record, probs map[string]*problem, id string, nr *record, p *problem) {
	if nr != nil {
		recs[id] = nr
		b.put(keyRecordPrefix+id, encode(nr))
	}
	if p != nil {
		probs[id] = p
		b.put(keyProblemPfx+id, encode(p))
	} else if _, had := e.problems[id]; had {
		probs[id] = nil
		b.del(keyProblemPfx + id)
	}
}

func (e *Engine) commit(recs map[string]*record, probs map[string]*problem) {
	for _, r := range recs {
		e.setRecordLocked(r)
	}
	for id, p := range probs {
		if p == nil {
			delete(e.problems, id)
		} else {
			e.problems[id] = *p
		}
	}
}

// resolve applies the server's version se of an entry to the local record
// r (nil when the device has never seen the entry). It returns the new
// record, or a problem and a nil record when se does not open: then nothing
// local changes. Errors are local failures (sealing, a damaged local copy,
// the merger).
//
// The rules: with no local change the server's version is taken. With one:
// the same bytes mean the server already has it; an edit against a delete
// restores the entry with the edit; a delete against an edit gives way to the
// edit; two edits are merged three-way against the base, and the result
// stays in the journal to be pushed on top of the server's version.
func (e *Engine) resolve(r *record, se api.Entry) (*record, *problem, error) {
	id := se.ID
	var remote []byte
	if !se.Deleted {
		pt, err := e.cfg.Keyring.Open(id, se.Ciphertext)
		if err != nil {
			return nil, &problem{ID: id, Rev: se.Revision, Reason: "the server's copy does not open: it is damaged, forged or was moved from another entry or vault"}, nil
		}
		remote = pt
	}
	nr := &record{ID: id}
	if r != nil {
		nr = r.clone()
	}
	if base, live := nr.current(); se.Deleted && !nr.Pending && live {
		nr.Trash = base
	}
	prevBase, prevBaseLive := nr.Base, nr.Rev > 0 && !nr.BaseDeleted
	nr.Rev, nr.Base, nr.BaseDeleted = se.Revision, se.Ciphertext, se.Deleted
	if !nr.Pending {
		return nr, nil, nil
	}
	switch {
	case nr.LocalDeleted && se.Deleted:
		nr.Pending = false
	case nr.LocalDeleted:
		// A delete against an edit: the edit wins, the entry stays.
		nr.Pending, nr.LocalDeleted = false, false
	case se.Deleted:
		// An edit against a delete: the entry is restored with the edit,
		// pushed on top of the tombstone.
	case bytes.Equal(nr.Local, se.Ciphertext):
		nr.Pending, nr.Local = false, nil
	default:
		local, err := e.cfg.Keyring.Open(id, nr.Local)
		if err != nil {
			return nil, nil, wrap.Error("merge entry "+id+": local copy", err)
		}
		var base []byte
		if prevBaseLive {
			if base, err = e.cfg.Keyring.Open(id, prevBase); err != nil {
				base = nil // merge as if there were no common base: nothing is lost
			}
		}
		merged, err := e.cfg.Merger.Merge(id, base, local, remote)
		if err != nil {
			return nil, nil, wrap.Error("merge entry "+id, err)
		}
		if bytes.Equal(merged, remote) {
			nr.Pending, nr.Local = false, nil
			break
		}
		ct, err := e.cfg.Keyring.Seal(id, merged)
		if err != nil {
			return nil, nil, wrap.Error("merge entry "+id, err)
		}
		nr.Local = ct
	}
	if !nr.Pending {
		nr.Local, nr.LocalDeleted = nil, false
	}
	return nr, nil, nil
}

// pushableLocked counts pending changes that can be pushed: those whose
// server copy is not known to be damaged.
func (e *Engine) pushableLocked() int {
	n := 0
	for id, r := range e.records {
		if _, bad := e.problems[id]; r.Pending && !bad {
			n++
		}
	}
	return n
}

// prepareOutbox takes up to api.MaxPushChanges journal changes, oldest
// first, into an outbox and writes it before anything is sent.
func (e *Engine) prepareOutbox(ctx context.Context) (*outbox, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	var rs []*record
	for id, r := range e.records {
		if _, bad := e.problems[id]; r.Pending && !bad {
			rs = append(rs, r)
		}
	}
	if len(rs) == 0 {
		return nil, nil
	}
	slices.SortFunc(rs, func(a, b *record) int { return cmpU64(a.Seq, b.Seq) })
	ob := &outbox{Req: api.PushRequest{IdempotencyKey: newKey()}}
	size := 0
	for _, r := range rs {
		if len(ob.Req.Changes) == api.MaxPushChanges || len(ob.Req.Changes) > 0 && size+len(r.Local) > maxPushBytes {
			break
		}
		size += len(r.Local)
		ob.Req.Changes = append(ob.Req.Changes, api.Change{
			ID: r.ID, BaseRevision: r.Rev, Deleted: r.LocalDeleted, Ciphertext: r.Local,
		})
		ob.Seqs = append(ob.Seqs, r.Seq)
	}
	if err := e.st.Write(ctx, Batch{Put: map[string][]byte{keyOutbox: encode(ob)}}); err != nil {
		return nil, wrap.Error("save outbox", err)
	}
	return ob, nil
}

// maxPushBytes bounds the ciphertext in one push, well under any sensible
// request-body limit (a single larger entry is still sent alone).
const maxPushBytes = 4 << 20

func cmpU64(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// flush sends an outbox and applies the answer, removing the outbox in the
// same storage write. It returns how many changes the server rejected.
func (e *Engine) flush(ctx context.Context, ob *outbox) (int, error) {
	resp, err := e.cfg.Transport.Push(ctx, &ob.Req)
	if err != nil {
		return 0, wrap.Error("push", err)
	}
	if err := validatePush(&ob.Req, resp); err != nil {
		return 0, err
	}
	rejected := 0
	e.mu.Lock()
	defer e.mu.Unlock()
	var b Batch
	recs := make(map[string]*record)
	probs := make(map[string]*problem)
	for i, res := range resp.Results {
		ch := ob.Req.Changes[i]
		r := e.records[ch.ID]
		if r == nil {
			r = &record{ID: ch.ID} // cannot happen: journal records are never removed while pending
		}
		if res.Accepted {
			nr := r.clone()
			if nr.Rev < res.Revision {
				nr.Rev, nr.Base, nr.BaseDeleted = res.Revision, ch.Ciphertext, ch.Deleted
			}
			if nr.Pending && nr.Seq == ob.Seqs[i] {
				nr.Pending, nr.Local, nr.LocalDeleted = false, nil, false
			}
			e.stage(&b, recs, probs, ch.ID, nr, nil)
			continue
		}
		rejected++
		if res.Current == nil {
			// The server lost the entry: send the local version again as new.
			nr := r.clone()
			nr.Rev, nr.Base, nr.BaseDeleted = 0, nil, false
			e.stage(&b, recs, probs, ch.ID, nr, nil)
			continue
		}
		if r.Rev >= res.Current.Revision {
			continue // already applied (only possible for a replayed answer)
		}
		nr, p, err := e.resolve(r, *res.Current)
		if err != nil {
			return 0, err
		}
		e.stage(&b, recs, probs, ch.ID, nr, p)
	}
	// When this push's accepted changes are exactly the revisions after the
	// cursor, nobody else wrote in between (every accepted change takes the
	// next revision), so the cursor moves past them and the next pull does
	// not download this device's own writes again.
	m := e.meta
	if advanceCursor(m.Cursor, resp) {
		m.Cursor = resp.Revision
		b.put(keyMeta, encode(&m))
	}
	b.del(keyOutbox)
	if err := e.st.Write(ctx, b); err != nil {
		return 0, wrap.Error("save push result", err)
	}
	e.meta = m
	e.commit(recs, probs)
	return rejected, nil
}

// advanceCursor reports whether the accepted results of resp fill every
// revision from cursor+1 to resp.Revision.
func advanceCursor(cursor int64, resp *api.PushResponse) bool {
	if resp.Revision <= cursor {
		return false
	}
	seen := make(map[int64]bool)
	for _, r := range resp.Results {
		if r.Accepted && r.Revision > cursor {
			seen[r.Revision] = true
		}
	}
	return int64(len(seen)) == resp.Revision-cursor
}

// SetSyncEnabled switches automatic and manual sync on or off (the setting
// "Synchronize passwords and data across all your devices"). Local changes
// are journaled either way and sent once sync is on again.
func (e *Engine) SetSyncEnabled(ctx context.Context, on bool) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	m := e.meta
	m.Paused = !on
	if err := e.st.Write(ctx, Batch{Put: map[string][]byte{keyMeta: encode(&m)}}); err != nil {
		return wrap.Error("save sync setting", err)
	}
	e.meta = m
	if on {
		e.refreshStatusLocked(e.initialState())
		e.sched.kick(e)
	} else {
		e.refreshStatusLocked(StatePaused)
	}
	return nil
}

// Close stops automatic sync. Local data stays in storage, sealed under the
// vault key, in this account's namespace: no other account's engine can see
// it. Use RemoveAccountData to delete it as well.
func (e *Engine) Close() {
	e.mu.Lock()
	e.closed = true
	e.sched.stop()
	e.mu.Unlock()
}
