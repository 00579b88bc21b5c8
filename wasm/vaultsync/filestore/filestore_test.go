package filestore

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"watchword/wasm/vaultsync"
	"watchword/wasm/vaultsync/storagetest"
)

func TestConformance(t *testing.T) {
	storagetest.Run(t,
		func(t *testing.T) vaultsync.Storage {
			s, err := Open(filepath.Join(t.TempDir(), "store"))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			return s
		},
		func(t *testing.T, old vaultsync.Storage) vaultsync.Storage {
			fs := old.(*Store)
			fs.Close()
			s, err := Open(fs.path)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			return s
		})
}

// TestTornWrite cuts the file inside the last record, as a crash during a
// write would, and checks the earlier batches survive and the store works.
func TestTornWrite(t *testing.T) {
	ctx := context.Background()
	for _, cut := range []int64{1, 4, 9, 20} {
		path := filepath.Join(t.TempDir(), "store")
		s, err := Open(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Write(ctx, vaultsync.Batch{Put: map[string][]byte{"a": []byte("1")}}); err != nil {
			t.Fatal(err)
		}
		if err := s.Write(ctx, vaultsync.Batch{Put: map[string][]byte{"b": []byte("22222222222222222222")}, Delete: []string{"a"}}); err != nil {
			t.Fatal(err)
		}
		s.Close()
		fi, _ := os.Stat(path)
		if err := os.Truncate(path, fi.Size()-cut); err != nil {
			t.Fatal(err)
		}
		s, err = Open(path)
		if err != nil {
			t.Fatal(err)
		}
		if v, err := s.Get(ctx, "a"); err != nil || string(v) != "1" {
			t.Fatalf("cut %d: first batch lost: %q %v", cut, v, err)
		}
		if _, err := s.Get(ctx, "b"); !errors.Is(err, vaultsync.ErrNoValue) {
			t.Fatalf("cut %d: torn batch partly applied", cut)
		}
		if err := s.Write(ctx, vaultsync.Batch{Put: map[string][]byte{"c": []byte("3")}}); err != nil {
			t.Fatal(err)
		}
		s.Close()
		s, _ = Open(path)
		if v, _ := s.Get(ctx, "c"); string(v) != "3" {
			t.Fatalf("cut %d: write after recovery lost", cut)
		}
		s.Close()
	}
}

// TestCompaction writes far more than the live data and checks the file
// shrinks and the data survives.
func TestCompaction(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "store")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	big := make([]byte, 64<<10)
	for i := range 100 {
		big[0] = byte(i)
		if err := s.Write(ctx, vaultsync.Batch{Put: map[string][]byte{"k": big}}); err != nil {
			t.Fatal(err)
		}
	}
	s.Close()
	fi, _ := os.Stat(path)
	if fi.Size() > 1<<20+200<<10 {
		t.Fatalf("log is %d bytes for 64 KiB of live data", fi.Size())
	}
	s, err = Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if v, _ := s.Get(ctx, "k"); len(v) != len(big) || v[0] != 99 {
		t.Fatal("value lost in compaction")
	}
}
