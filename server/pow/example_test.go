package pow_test

import (
	"context"
	"fmt"

	"watchword/server/pow"
)

func Example() {
	// One key for every instance, from configuration (or GenerateKey).
	s, err := pow.New(pow.Config{Key: pow.GenerateKey(), Difficulty: 8})
	if err != nil {
		panic(err)
	}
	ch := s.Issue() // send ch.Token (and ch.Difficulty) to the client

	nonce, _ := pow.Solve(context.Background(), ch.Token) // the client's part

	got, err := s.Verify(ch.Token, nonce)
	// Now make got.ID single-use until got.ExpiresAt.
	fmt.Println(err == nil, got.ID == ch.ID)
	// Output: true true
}
