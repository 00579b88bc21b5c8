package weburl

import "strconv"

// IP is an IPv4 or IPv6 address, as net/netip.Addr without zones.
type IP struct {
	b  [16]byte // IPv4 in the last four bytes
	v4 bool
}

// ParseIP reads an address as net/netip.ParseAddr does (dotted decimal
// without leading zeros, or IPv6 text with at most one "::" and an optional
// dotted tail), except that an IPv6 zone ("%eth0") is refused.
func ParseIP(s string) (IP, bool) {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '.':
			return parseIPv4(s)
		case ':':
			return parseIPv6(s)
		case '%':
			return IP{}, false
		}
	}
	return IP{}, false
}

// Is4 reports whether ip is an IPv4 address.
func (ip IP) Is4() bool { return ip.v4 }

// Is4In6 reports whether ip is an IPv4-mapped IPv6 address (::ffff:a.b.c.d).
func (ip IP) Is4In6() bool {
	if ip.v4 {
		return false
	}
	for _, x := range ip.b[:10] {
		if x != 0 {
			return false
		}
	}
	return ip.b[10] == 0xff && ip.b[11] == 0xff
}

func parseIPv4(s string) (IP, bool) {
	var ip IP
	ip.v4 = true
	pos, val, digits := 12, 0, 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case '0' <= c && c <= '9':
			if digits == 1 && val == 0 {
				return IP{}, false // a leading zero
			}
			val = val*10 + int(c-'0')
			digits++
			if val > 255 {
				return IP{}, false
			}
		case c == '.':
			if i == 0 || i == len(s)-1 || s[i-1] == '.' || pos == 15 {
				return IP{}, false
			}
			ip.b[pos] = byte(val)
			pos++
			val, digits = 0, 0
		default:
			return IP{}, false
		}
	}
	if pos < 15 {
		return IP{}, false
	}
	ip.b[15] = byte(val)
	return ip, true
}

func parseIPv6(s string) (IP, bool) {
	var ip IP
	ellipsis := -1
	if len(s) >= 2 && s[0] == ':' && s[1] == ':' {
		ellipsis = 0
		s = s[2:]
		if s == "" {
			return ip, true
		}
	}
	i := 0
	for i < 16 {
		off, acc := 0, 0
		for ; off < len(s); off++ {
			c := s[off]
			if !ishex(c) {
				break
			}
			acc = acc<<4 | int(unhex(c))
			if off > 3 || acc > 0xffff {
				return IP{}, false
			}
		}
		if off == 0 {
			return IP{}, false
		}
		if off < len(s) && s[off] == '.' {
			if ellipsis < 0 && i != 12 || i+4 > 16 {
				return IP{}, false
			}
			tail, ok := parseIPv4(s)
			if !ok {
				return IP{}, false
			}
			copy(ip.b[i:i+4], tail.b[12:])
			i += 4
			s = ""
			break
		}
		ip.b[i], ip.b[i+1] = byte(acc>>8), byte(acc)
		i += 2
		s = s[off:]
		if s == "" {
			break
		}
		if s[0] != ':' || len(s) == 1 {
			return IP{}, false
		}
		s = s[1:]
		if s[0] == ':' {
			if ellipsis >= 0 {
				return IP{}, false
			}
			ellipsis = i
			s = s[1:]
			if s == "" {
				break
			}
		}
	}
	if s != "" {
		return IP{}, false
	}
	if i < 16 {
		if ellipsis < 0 {
			return IP{}, false
		}
		n := 16 - i
		for j := i - 1; j >= ellipsis; j-- {
			ip.b[j+n] = ip.b[j]
		}
		clear(ip.b[ellipsis : ellipsis+n])
	} else if ellipsis >= 0 {
		return IP{}, false // "::" must stand for at least one group
	}
	return ip, true
}

// String writes ip as net/netip.Addr.String does: dotted decimal, or IPv6
// in RFC 5952's canonical form (the first longest run of two or more zero
// groups as "::"), an IPv4-mapped address as ::ffff:a.b.c.d.
func (ip IP) String() string {
	if ip.v4 {
		return ipv4String(ip.b[12:])
	}
	if ip.Is4In6() {
		return "::ffff:" + ipv4String(ip.b[12:])
	}
	group := func(i int) uint16 { return uint16(ip.b[2*i])<<8 | uint16(ip.b[2*i+1]) }
	zeroStart, zeroEnd := -1, -1
	for i := 0; i < 8; i++ {
		j := i
		for j < 8 && group(j) == 0 {
			j++
		}
		if l := j - i; l >= 2 && l > zeroEnd-zeroStart {
			zeroStart, zeroEnd = i, j
		}
	}
	b := make([]byte, 0, 39)
	for i := 0; i < 8; i++ {
		if i == zeroStart {
			b = append(b, ':', ':')
			i = zeroEnd
			if i >= 8 {
				break
			}
		} else if i > 0 {
			b = append(b, ':')
		}
		b = strconv.AppendUint(b, uint64(group(i)), 16)
	}
	return string(b)
}

func ipv4String(b []byte) string {
	out := make([]byte, 0, 15)
	for i, x := range b {
		if i > 0 {
			out = append(out, '.')
		}
		out = strconv.AppendUint(out, uint64(x), 10)
	}
	return string(out)
}
