package vaultsync

import (
	"context"
	"errors"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"

	"watchword/wasm/api"
	"watchword/wasm/wrap"
)

// Storage is the device's durable key-value store: chrome.storage.local in
// the extension (implemented by the bridge), a file or memory store in
// native tests. Keys are short ASCII strings; values are opaque bytes the
// engine encodes itself.
//
// Write must be atomic and durable when it returns: either every put and
// delete of the batch is applied or none is, and a crash after Write returns
// loses none of it. The journal's promise ("saved" means saved) rests on this.
type Storage interface {
	// Get returns the value stored at key, or ErrNoValue.
	Get(ctx context.Context, key string) ([]byte, error)
	// Scan calls fn for every key starting with prefix, in no particular
	// order, stopping at the first error fn returns.
	Scan(ctx context.Context, prefix string, fn func(key string, value []byte) error) error
	// Write applies b atomically.
	Write(ctx context.Context, b Batch) error
}

// Batch is one atomic storage write: the keys to set and the keys to remove.
// A key both set and removed is removed.
type Batch struct {
	Put    map[string][]byte
	Delete []string
}

func (b *Batch) put(key string, v []byte) {
	if b.Put == nil {
		b.Put = make(map[string][]byte)
	}
	b.Put[key] = v
}

func (b *Batch) del(key string) {
	delete(b.Put, key)
	b.Delete = append(b.Delete, key)
}

// Empty reports whether b changes nothing.
func (b *Batch) Empty() bool { return len(b.Put) == 0 && len(b.Delete) == 0 }

// ErrNoValue is returned by Storage.Get for a key that holds nothing.
var ErrNoValue = errors.New("no value")

// LocalAccount names the namespace of a vault that is not connected to any
// account (a local-only vault).
const LocalAccount = "local"

// nsPrefix returns the key prefix of an account's namespace. Every key the
// engine writes for an account starts with it, so the data of two accounts
// on one browser never meets: an engine opened for one account can neither
// read nor write another's keys.
func nsPrefix(account string) (string, error) {
	if account != LocalAccount && !api.ValidID(account) {
		return "", api.NewError(api.CodeInvalid, "account id "+strconv.Quote(account)+" is not valid")
	}
	return "ww/" + account + "/", nil
}

// namespaced is Storage seen through one account's prefix.
type namespaced struct {
	s      Storage
	prefix string
}

func (n namespaced) Get(ctx context.Context, key string) ([]byte, error) {
	return n.s.Get(ctx, n.prefix+key)
}

func (n namespaced) Scan(ctx context.Context, prefix string, fn func(string, []byte) error) error {
	return n.s.Scan(ctx, n.prefix+prefix, func(k string, v []byte) error {
		return fn(strings.TrimPrefix(k, n.prefix), v)
	})
}

func (n namespaced) Write(ctx context.Context, b Batch) error {
	var out Batch
	for k, v := range b.Put {
		out.put(n.prefix+k, v)
	}
	for _, k := range b.Delete {
		out.Delete = append(out.Delete, n.prefix+k)
	}
	return n.s.Write(ctx, out)
}

// HasAccountData reports whether anything is stored for account.
func HasAccountData(ctx context.Context, s Storage, account string) (bool, error) {
	p, err := nsPrefix(account)
	if err != nil {
		return false, err
	}
	found := errors.New("found")
	err = s.Scan(ctx, p, func(string, []byte) error { return found })
	if errors.Is(err, found) {
		return true, nil
	}
	return false, err
}

// RemoveAccountData deletes everything stored for account (sign-out with
// "remove local data"). It does not touch any other account's keys.
func RemoveAccountData(ctx context.Context, s Storage, account string) error {
	p, err := nsPrefix(account)
	if err != nil {
		return err
	}
	var b Batch
	if err := s.Scan(ctx, p, func(k string, _ []byte) error {
		b.Delete = append(b.Delete, k)
		return nil
	}); err != nil {
		return wrap.Error("remove account data", err)
	}
	if b.Empty() {
		return nil
	}
	if err := s.Write(ctx, b); err != nil {
		return wrap.Error("remove account data", err)
	}
	return nil
}

// ConnectLocalVault moves the local-only vault into account's namespace in
// one atomic write, so that the next sync uploads it as it is: entries are
// bound to the vault id, not to the account, so nothing is re-encrypted.
// It refuses (CodeConflict) when the account already has local data, since
// two vaults are never merged.
func ConnectLocalVault(ctx context.Context, s Storage, account string) error {
	if account == LocalAccount {
		return api.NewError(api.CodeInvalid, "connect: the local namespace is not an account")
	}
	to, err := nsPrefix(account)
	if err != nil {
		return err
	}
	if has, err := HasAccountData(ctx, s, account); err != nil {
		return wrap.Error("connect local vault", err)
	} else if has {
		return api.NewError(api.CodeConflict, "this account already has a vault on this device")
	}
	from, _ := nsPrefix(LocalAccount)
	var b Batch
	if err := s.Scan(ctx, from, func(k string, v []byte) error {
		b.put(to+strings.TrimPrefix(k, from), v)
		b.Delete = append(b.Delete, k)
		return nil
	}); err != nil {
		return wrap.Error("connect local vault", err)
	}
	if b.Empty() {
		return api.NewError(api.CodeNotFound, "there is no local vault to connect")
	}
	if err := s.Write(ctx, b); err != nil {
		return wrap.Error("connect local vault", err)
	}
	return nil
}

// MemoryStorage is a Storage held in memory: for tests and for a vault that
// must not outlive the process. It is safe for concurrent use.
type MemoryStorage struct {
	mu sync.Mutex
	m  map[string][]byte
}

// NewMemoryStorage returns an empty MemoryStorage.
func NewMemoryStorage() *MemoryStorage { return &MemoryStorage{m: make(map[string][]byte)} }

// Get implements Storage.
func (s *MemoryStorage) Get(_ context.Context, key string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.m[key]
	if !ok {
		return nil, ErrNoValue
	}
	return slices.Clone(v), nil
}

// Scan implements Storage. fn runs on a snapshot, so it may call the store.
func (s *MemoryStorage) Scan(_ context.Context, prefix string, fn func(string, []byte) error) error {
	s.mu.Lock()
	snap := make(map[string][]byte)
	for k, v := range s.m {
		if strings.HasPrefix(k, prefix) {
			snap[k] = v
		}
	}
	s.mu.Unlock()
	for _, k := range slices.Sorted(maps.Keys(snap)) {
		if err := fn(k, slices.Clone(snap[k])); err != nil {
			return err
		}
	}
	return nil
}

// Write implements Storage.
func (s *MemoryStorage) Write(_ context.Context, b Batch) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for k, v := range b.Put {
		s.m[k] = slices.Clone(v)
	}
	for _, k := range b.Delete {
		delete(s.m, k)
	}
	return nil
}

// Keys returns every stored key, sorted (for tests and diagnostics).
func (s *MemoryStorage) Keys() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Sorted(maps.Keys(s.m))
}
