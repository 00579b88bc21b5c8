package jsonwire

import "time"

// The time package's general Format and Parse are a large part of a
// WebAssembly binary; the one layout JSON uses is written and read here.

// appendRFC3339 appends t as time.RFC3339Nano formats it.
func appendRFC3339(b []byte, t time.Time) []byte {
	y, mo, d := t.Date()
	h, mi, s := t.Clock()
	if y < 0 {
		b = append(b, '-')
		y = -y
	}
	b = appendDigits(b, y, 4)
	b = append(b, '-')
	b = appendDigits(b, int(mo), 2)
	b = append(b, '-')
	b = appendDigits(b, d, 2)
	b = append(b, 'T')
	b = appendDigits(b, h, 2)
	b = append(b, ':')
	b = appendDigits(b, mi, 2)
	b = append(b, ':')
	b = appendDigits(b, s, 2)
	if ns := t.Nanosecond(); ns != 0 {
		b = append(b, '.')
		n := len(b)
		b = appendDigits(b, ns, 9)
		for b[len(b)-1] == '0' && len(b) > n {
			b = b[:len(b)-1]
		}
	}
	_, off := t.Zone()
	if off == 0 {
		return append(b, 'Z')
	}
	zone := off / 60 // minutes; RFC 3339 has no seconds of offset
	if zone < 0 {
		b = append(b, '-')
		zone = -zone
	} else {
		b = append(b, '+')
	}
	b = appendDigits(b, zone/60, 2)
	b = append(b, ':')
	return appendDigits(b, zone%60, 2)
}

// appendDigits appends n (not negative) in decimal with at least width
// digits.
//
//go:noinline
func appendDigits(b []byte, n, width int) []byte {
	var buf [20]byte
	i := len(buf)
	for n >= 10 || width > 1 {
		i--
		buf[i] = byte('0' + n%10)
		n /= 10
		width--
	}
	i--
	buf[i] = byte('0' + n)
	return append(b, buf[i:]...)
}

// parseRFC3339 reads what time.Time's UnmarshalJSON reads on its fast path:
// 2006-01-02T15:04:05, optional fractional seconds, and Z or ±hh:mm.
func parseRFC3339(s string) (time.Time, bool) {
	ok := true
	num := func(s string, min, max int) int {
		x := 0
		for i := 0; i < len(s); i++ {
			c := s[i]
			if c < '0' || c > '9' {
				ok = false
				return min
			}
			x = x*10 + int(c-'0')
		}
		if x < min || x > max {
			ok = false
			return min
		}
		return x
	}
	if len(s) < len("2006-01-02T15:04:05") {
		return time.Time{}, false
	}
	year := num(s[0:4], 0, 9999)
	month := num(s[5:7], 1, 12)
	day := num(s[8:10], 1, 31)
	hour := num(s[11:13], 0, 23)
	min := num(s[14:16], 0, 59)
	sec := num(s[17:19], 0, 59)
	if !ok || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' {
		return time.Time{}, false
	}
	if day > daysIn(time.Month(month), year) {
		return time.Time{}, false
	}
	s = s[19:]
	nsec := 0
	if len(s) >= 2 && s[0] == '.' && '0' <= s[1] && s[1] <= '9' {
		n := 1
		for n < len(s) && '0' <= s[n] && s[n] <= '9' {
			n++
		}
		scale := 100000000
		for i := 1; i < n && i <= 9; i++ {
			nsec += int(s[i]-'0') * scale
			scale /= 10
		}
		s = s[n:]
	}
	t := time.Date(year, time.Month(month), day, hour, min, sec, nsec, time.UTC)
	if s == "Z" {
		return t, true
	}
	if len(s) != len("-07:00") || (s[0] != '+' && s[0] != '-') || s[3] != ':' {
		return time.Time{}, false
	}
	off := (num(s[1:3], 0, 23)*60 + num(s[4:6], 0, 59)) * 60
	if !ok {
		return time.Time{}, false
	}
	if s[0] == '-' {
		off = -off
	}
	t = t.Add(-time.Duration(off) * time.Second)
	// The local zone when its offset then agrees, as the time package does.
	if _, o := t.In(time.Local).Zone(); o == off {
		return t.In(time.Local), true
	}
	return t.In(time.FixedZone("", off)), true
}

func daysIn(m time.Month, year int) int {
	if m == time.February {
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	}
	return 30 + int((m+m/8)&1)
}
