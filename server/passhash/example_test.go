package passhash_test

import (
	"fmt"

	"watchword/server/passhash"
)

func Example() {
	h, err := passhash.New(passhash.Cheap) // passhash.Default in production
	if err != nil {
		panic(err)
	}
	stored, _ := h.Hash("Correct horse 1")

	ok, err := h.Verify(stored, "Correct horse 1")
	fmt.Println(ok, err, h.NeedsRehash(stored))

	ok, err = h.Verify(stored, "wrong")
	fmt.Println(ok, err)

	// Unknown address: do the same work, then give the same answer.
	fmt.Println(h.Dummy("Correct horse 1"))
	// Output:
	// true <nil> false
	// false <nil>
	// false
}
