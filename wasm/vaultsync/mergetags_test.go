package vaultsync

import (
	"math/rand"
	"slices"
	"testing"

	"watchword/wasm/vault"
)

// mergeTags gives what sorting both lists together and dropping repeats
// gives, on random increasing lists (empty, overlapping, disjoint, equal).
func TestMergeTagsIsSortedUnion(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	list := func() []vault.Tag {
		var l []vault.Tag
		for i := r.Intn(8); i > 0; i-- {
			l = append(l, vault.Tag(r.Intn(12)))
		}
		slices.Sort(l)
		return slices.Compact(l)
	}
	for i := 0; i < 5000; i++ {
		a, b := list(), list()
		if i%10 == 0 {
			b = slices.Clone(a)
		}
		want := slices.Compact(slices.Sorted(slices.Values(append(slices.Clone(a), b...))))
		if got := mergeTags(a, b); !slices.Equal(got, want) && !(len(got) == 0 && len(want) == 0) {
			t.Fatalf("mergeTags(%v, %v) = %v, want %v", a, b, got, want)
		}
	}
}
