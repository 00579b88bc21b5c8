package vaultsync

import (
	"encoding/base64"
	"strconv"
)

// decodeRecord reads a stored record. Unlocking reads every record of the
// vault, so the exact form encode writes (no spaces, plain ASCII strings,
// the record's own keys) is read in one tight pass; anything else,
// including every malformed input, goes to the general decoder, which
// decides. Both give the same record as encoding/json for any input the
// fast path accepts (FuzzDecodeRecord).
func decodeRecord(b []byte, r *record) error {
	if decodeRecordFast(b, r) {
		return nil
	}
	*r = record{}
	return decode(b, r)
}

// decodeRecordFast reports whether b was read; false leaves r partly set.
func decodeRecordFast(b []byte, r *record) bool {
	*r = record{}
	if len(b) < 2 || b[0] != '{' || b[len(b)-1] != '}' {
		return false
	}
	p := b[1 : len(b)-1]
	for len(p) > 0 {
		k, rest, ok := plainString(p)
		if !ok || len(rest) == 0 || rest[0] != ':' {
			return false
		}
		p = rest[1:]
		// switch on string(k) does not allocate.
		var key string
		switch string(k) {
		case "id":
			key = "id"
		case "base":
			key = "base"
		case "local":
			key = "local"
		case "trash":
			key = "trash"
		case "rev":
			key = "rev"
		case "seq":
			key = "seq"
		case "bdel":
			key = "bdel"
		case "pend":
			key = "pend"
		case "ldel":
			key = "ldel"
		default:
			return false
		}
		var val []byte
		switch key {
		case "id", "base", "local", "trash":
			s, rest, ok := plainString(p)
			if !ok {
				return false
			}
			val, p = s, rest
			switch key {
			case "id":
				r.ID = string(val)
			default:
				dec := make([]byte, base64.StdEncoding.DecodedLen(len(val)))
				n, err := base64.StdEncoding.Decode(dec, val)
				if err != nil {
					return false
				}
				switch key {
				case "base":
					r.Base = dec[:n]
				case "local":
					r.Local = dec[:n]
				default:
					r.Trash = dec[:n]
				}
			}
		case "rev", "seq":
			i := 0
			for i < len(p) && (p[i] == '-' || p[i] >= '0' && p[i] <= '9') {
				i++
			}
			num := p[:i]
			p = p[i:]
			// JSON allows no leading zeros and no plus sign; strconv does.
			if len(num) == 0 || num[0] == '0' && len(num) > 1 || len(num) > 1 && num[0] == '-' && num[1] == '0' {
				return false
			}
			if key == "rev" {
				v, err := strconv.ParseInt(string(num), 10, 64)
				if err != nil {
					return false
				}
				r.Rev = v
			} else {
				v, err := strconv.ParseUint(string(num), 10, 64)
				if err != nil {
					return false
				}
				r.Seq = v
			}
		case "bdel", "pend", "ldel":
			var v bool
			switch {
			case len(p) >= 4 && string(p[:4]) == "true":
				v, p = true, p[4:]
			case len(p) >= 5 && string(p[:5]) == "false":
				p = p[5:]
			default:
				return false
			}
			switch key {
			case "bdel":
				r.BaseDeleted = v
			case "pend":
				r.Pending = v
			default:
				r.LocalDeleted = v
			}
		default:
			return false
		}
		if len(p) > 0 {
			if p[0] != ',' || len(p) == 1 {
				return false
			}
			p = p[1:]
		}
	}
	return true
}

// plainString reads a JSON string at the start of p that holds only
// printable ASCII and no escapes, and returns its contents and what
// follows it.
func plainString(p []byte) (s, rest []byte, ok bool) {
	if len(p) == 0 || p[0] != '"' {
		return nil, nil, false
	}
	for i := 1; i < len(p); i++ {
		switch c := p[i]; {
		case c == '"':
			return p[1:i], p[i+1:], true
		case c < 0x20 || c >= 0x7f || c == '\\':
			return nil, nil, false
		}
	}
	return nil, nil, false
}
