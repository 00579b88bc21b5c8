// Package jsonwire reads and writes JSON without reflection.
//
// encoding/json is most of a megabyte of core.wasm (its reflection-driven
// encoder and decoder, and the type data they keep alive) and slows every
// service-worker start. The core's JSON is small and fixed: a few dozen
// message types. Each type writes itself with the Append functions or a
// [Writer] and reads itself with a [Decoder], and package tests check each
// codec against encoding/json, so the wire stays exactly what the server
// (which keeps encoding/json) reads and writes.
//
// Codecs are plain code, one call per member, and the Writer and Decoder
// methods they call are kept out of line (go:noinline): in WebAssembly each
// inlined copy costs far more bytes than the call it saves, and a codec runs
// once per message, not in a hot loop.
//
// Output matches encoding/json byte for byte: strings escape <, > and &
// (safe inside HTML), U+2028 and U+2029, and write invalid UTF-8 as U+FFFD;
// []byte is standard base64; times are RFC 3339 with nanoseconds. Input
// follows RFC 8259 as encoding/json does, with three deliberate differences:
// object keys match exactly (never case-insensitively), a [Decoder] built
// with [NewStrictDecoder] refuses keys its caller does not know, and values
// nest at most [MaxDepth] deep.
package jsonwire
