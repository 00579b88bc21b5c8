// Package filestore is a vaultsync.Storage in one file, for native tools and
// tests that need the device's data to survive a restart of the process.
// (The extension stores in chrome.storage.local through the bridge.)
//
// Call Open with a file path. The file is a log of batches: each Write
// appends one record — a 4-byte length, a 4-byte CRC-32C, the encoded batch
// — and syncs the file before returning, so a batch is applied entirely or,
// if the process died while writing it, not at all (a torn last record fails
// its checksum and is cut off at the next Open). The whole store is held in
// memory; when the log grows to several times the live data it is rewritten
// into a fresh file that replaces the old one atomically.
package filestore

import (
	"bufio"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"watchword/wasm/vaultsync"
)

// maxRecord bounds one record, so a damaged length cannot make Open
// allocate gigabytes.
const maxRecord = 1 << 30

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// Store is a file-backed vaultsync.Storage. It is safe for concurrent use
// within one process; two processes must not open the same file.
type Store struct {
	mu      sync.Mutex
	path    string
	f       *os.File
	m       map[string][]byte
	logSize int64
	live    int64
}

// record is one logged batch.
type record struct {
	Put    map[string][]byte `json:"p,omitempty"`
	Delete []string          `json:"d,omitempty"`
}

// Open opens (creating if needed) the store in file path.
func Open(path string) (*Store, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open file store: %w", err)
	}
	s := &Store{path: path, f: f, m: make(map[string][]byte)}
	good, err := s.replay()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("open file store %s: %w", path, err)
	}
	// Cut off a torn last record, so new records follow good ones.
	if err := f.Truncate(good); err != nil {
		f.Close()
		return nil, fmt.Errorf("open file store %s: %w", path, err)
	}
	if _, err := f.Seek(good, io.SeekStart); err != nil {
		f.Close()
		return nil, fmt.Errorf("open file store %s: %w", path, err)
	}
	s.logSize = good
	return s, nil
}

// replay applies every good record and returns the offset after the last.
func (s *Store) replay() (int64, error) {
	r := bufio.NewReader(s.f)
	var off int64
	var hdr [8]byte
	for {
		if _, err := io.ReadFull(r, hdr[:]); err != nil {
			return off, nil // end of log, or a torn header
		}
		n := binary.BigEndian.Uint32(hdr[:4])
		if n > maxRecord {
			return off, nil
		}
		buf := make([]byte, n)
		if _, err := io.ReadFull(r, buf); err != nil {
			return off, nil
		}
		if crc32.Checksum(buf, castagnoli) != binary.BigEndian.Uint32(hdr[4:]) {
			return off, nil
		}
		var rec record
		if err := json.Unmarshal(buf, &rec); err != nil {
			return 0, fmt.Errorf("record at %d: %w", off, err)
		}
		s.apply(rec)
		off += 8 + int64(n)
	}
}

func (s *Store) apply(rec record) {
	for k, v := range rec.Put {
		if old, ok := s.m[k]; ok {
			s.live -= int64(len(k) + len(old))
		}
		s.m[k] = v
		s.live += int64(len(k) + len(v))
	}
	for _, k := range rec.Delete {
		if old, ok := s.m[k]; ok {
			s.live -= int64(len(k) + len(old))
			delete(s.m, k)
		}
	}
}

func frame(rec record) ([]byte, error) {
	body, err := json.Marshal(rec)
	if err != nil {
		return nil, err
	}
	if len(body) > maxRecord {
		return nil, errors.New("batch too large")
	}
	out := make([]byte, 8, 8+len(body))
	binary.BigEndian.PutUint32(out[:4], uint32(len(body)))
	binary.BigEndian.PutUint32(out[4:], crc32.Checksum(body, castagnoli))
	return append(out, body...), nil
}

// Get implements vaultsync.Storage.
func (s *Store) Get(_ context.Context, key string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.m[key]
	if !ok {
		return nil, vaultsync.ErrNoValue
	}
	return slices.Clone(v), nil
}

// Scan implements vaultsync.Storage, in key order.
func (s *Store) Scan(_ context.Context, prefix string, fn func(string, []byte) error) error {
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

// Write implements vaultsync.Storage: the batch is on disk when it returns.
func (s *Store) Write(_ context.Context, b vaultsync.Batch) error {
	rec := record{Put: make(map[string][]byte, len(b.Put)), Delete: b.Delete}
	for k, v := range b.Put {
		if v == nil {
			v = []byte{}
		}
		rec.Put[k] = slices.Clone(v)
	}
	buf, err := frame(rec)
	if err != nil {
		return fmt.Errorf("file store write: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.f == nil {
		return errors.New("file store write: closed")
	}
	if _, err := s.f.Write(buf); err != nil {
		return fmt.Errorf("file store write: %w", err)
	}
	if err := s.f.Sync(); err != nil {
		return fmt.Errorf("file store write: %w", err)
	}
	s.logSize += int64(len(buf))
	s.apply(rec)
	if s.logSize > 1<<20 && s.logSize > 4*s.live {
		if err := s.compact(); err != nil {
			return fmt.Errorf("file store compact: %w", err)
		}
	}
	return nil
}

// compact rewrites the live data into a new file and renames it over the
// log; a crash at any point leaves either the old log or the new file.
func (s *Store) compact() error {
	buf, err := frame(record{Put: s.m})
	if err != nil {
		return err
	}
	tmp := s.path + ".compact"
	f, err := os.OpenFile(tmp, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(buf); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := os.Rename(tmp, s.path); err != nil {
		f.Close()
		return err
	}
	if d, err := os.Open(filepath.Dir(s.path)); err == nil {
		_ = d.Sync() // make the rename itself durable where the platform allows
		d.Close()
	}
	s.f.Close()
	s.f = f
	s.logSize = int64(len(buf))
	return nil
}

// Close closes the file.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.f == nil {
		return nil
	}
	err := s.f.Close()
	s.f = nil
	return err
}
