package vault

import "watchword/wasm/api"

// ErrDecrypt is the one error for a ciphertext that does not open: a wrong
// key, a flipped bit, a ciphertext moved to another entry or vault, a
// truncated or otherwise malformed encoding, an unknown version or algorithm.
// It says nothing more on purpose, so a failure cannot be used as an oracle.
//
// It is an *api.Error with code api.CodeDecrypt: test for it with errors.Is,
// and api.CodeOf reports the code through any wrapping.
var ErrDecrypt error = &api.Error{Code: api.CodeDecrypt, Message: "the data could not be decrypted: it is damaged, was moved, or belongs to another key"}

// ErrWrongPassword is returned by [Unlock] when the master password does not
// open the vault key. It is an *api.Error with code api.CodeWrongPassword.
var ErrWrongPassword error = &api.Error{Code: api.CodeWrongPassword, Message: "the master password does not open this vault"}

// ErrMalformed is returned when an entry's plaintext (already authenticated)
// or a nested field value is not a valid encoding. It means a client wrote
// something this version cannot read; the ciphertext is still kept as is.
var ErrMalformed error = &api.Error{Code: api.CodeBadRequest, Message: "the entry encoding is malformed"}
