package bridge

// hostForURLParser reports whether host can be handed to the browser's URL
// parser as the host of "http://" + host + "/" and read back unchanged in
// meaning: nothing in it may end the host, start a port or user-info, or be
// percent-decoded into something else. A host with any of those is refused
// before the parser sees it (the URL is then never filled); the characters
// the URL standard forbids in a host are refused by the parser itself.
func hostForURLParser(host string) bool {
	if host == "" || len(host) > 1024 {
		return false
	}
	for i := 0; i < len(host); i++ {
		switch c := host[i]; {
		case c <= ' ' || c == 0x7f:
			return false
		case c == '/' || c == '\\' || c == '?' || c == '#' || c == '@' || c == ':' ||
			c == '[' || c == ']' || c == '%':
			return false
		}
	}
	return true
}
