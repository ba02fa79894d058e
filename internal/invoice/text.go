package invoice

import (
	"encoding/base64"
	"regexp"
	"strings"
	"time"
)

// rawURL is an http(s) URL split by hand, without normalising its query.
type rawURL struct {
	Host     string // lower case, without port
	Port     string
	Path     string // as written, without %XX decoding
	RawQuery string // everything after the first '?'
	HasQuery bool
}

// splitURL splits an http or https URL. It does not use net/url because the
// payloads hold raw spaces, '|' and '+' that must survive untouched.
func splitURL(s string) (rawURL, bool) {
	var u rawURL
	lower := strings.ToLower(s)
	var rest string
	switch {
	case strings.HasPrefix(lower, "https://"):
		rest = s[len("https://"):]
	case strings.HasPrefix(lower, "http://"):
		rest = s[len("http://"):]
	default:
		return u, false
	}
	rest = strings.TrimRight(rest, "\r\n")
	if i := strings.IndexByte(rest, '#'); i >= 0 && !strings.Contains(rest[:i], "?") {
		rest = rest[:i]
	}
	authority := rest
	if i := strings.IndexAny(rest, "/?"); i >= 0 {
		authority, rest = rest[:i], rest[i:]
	} else {
		rest = ""
	}
	if authority == "" || strings.ContainsAny(authority, " @\\") {
		return u, false
	}
	host, port, _ := strings.Cut(authority, ":")
	u.Host, u.Port = strings.ToLower(host), port
	u.Path, u.RawQuery, u.HasQuery = strings.Cut(rest, "?")
	return u, true
}

// hostIs reports whether the URL's host is one of hosts (exact, lower case).
func (u rawURL) hostIs(hosts ...string) bool {
	for _, h := range hosts {
		if u.Host == h {
			return true
		}
	}
	return false
}

// pathHasPrefix compares the path case-insensitively, ignoring a trailing slash.
func (u rawURL) pathIs(paths ...string) bool {
	p := strings.TrimSuffix(strings.ToLower(u.Path), "/")
	for _, q := range paths {
		if p == strings.ToLower(q) {
			return true
		}
	}
	return false
}

// param is one key=value pair of a query string.
type param struct{ Key, Value string }

// query is a query string split on '&' and the first '=', with %XX escapes
// decoded and nothing else: '+' stays '+'.
type query []param

// parseQuery splits raw. With rejoinAmp, a fragment "amp;…" that follows a
// '&' is glued back to the previous value as '&' (Mexican RFCs written with
// the XML entity "&amp;").
func parseQuery(raw string, rejoinAmp bool) query {
	var q query
	if raw == "" {
		return q
	}
	for _, frag := range strings.Split(raw, "&") {
		if rejoinAmp && len(q) > 0 && strings.HasPrefix(frag, "amp;") {
			q[len(q)-1].Value += "&" + percentDecode(frag[len("amp;"):])
			continue
		}
		k, v, _ := strings.Cut(frag, "=")
		q = append(q, param{Key: percentDecode(k), Value: percentDecode(v)})
	}
	return q
}

// get returns the first value for key (exact match).
func (q query) get(key string) (string, bool) {
	for _, p := range q {
		if p.Key == key {
			return p.Value, true
		}
	}
	return "", false
}

// getFold returns the first value whose key equals key ignoring case.
func (q query) getFold(key string) (string, bool) {
	for _, p := range q {
		if strings.EqualFold(p.Key, key) {
			return p.Value, true
		}
	}
	return "", false
}

// copyTo stores every pair in extra.
func (q query) copyTo(extra map[string]string) {
	for _, p := range q {
		if _, dup := extra[p.Key]; !dup {
			extra[p.Key] = p.Value
		}
	}
}

// percentDecode decodes valid %XX escapes and leaves everything else,
// including '+' and malformed escapes, as is.
func percentDecode(s string) string {
	if !strings.Contains(s, "%") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) {
			b.WriteByte(unhex(s[i+1])<<4 | unhex(s[i+2]))
			i += 2
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c >= 'a':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}

// isHexString reports whether s is n hex digits (n == 0: any length ≥ 1).
// lowerOnly and upperOnly restrict the letter case.
func isHexString(s string, n int, lowerOnly, upperOnly bool) bool {
	if s == "" || n > 0 && len(s) != n {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case '0' <= c && c <= '9':
		case 'a' <= c && c <= 'f' && !upperOnly:
		case 'A' <= c && c <= 'F' && !lowerOnly:
		default:
			return false
		}
	}
	return true
}

// decodeBase64Any decodes standard or URL-safe Base64, with or without
// padding, ignoring whitespace and line breaks.
func decodeBase64Any(s string) ([]byte, error) {
	s = strings.Map(func(r rune) rune {
		if r == ' ' || r == '\n' || r == '\r' || r == '\t' {
			return -1
		}
		return r
	}, s)
	s = strings.TrimRight(s, "=")
	if strings.ContainsAny(s, "-_") {
		return base64.RawURLEncoding.DecodeString(s)
	}
	return base64.RawStdEncoding.DecodeString(s)
}

// isBase64Chars reports whether s consists of Base64 alphabet characters
// (either alphabet) with optional trailing '=' padding.
func isBase64Chars(s string) bool {
	body := strings.TrimRight(s, "=")
	if body == "" || len(s)-len(body) > 2 {
		return false
	}
	for i := 0; i < len(body); i++ {
		c := body[i]
		if !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '+' || c == '/' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

var uuidRE = regexp.MustCompile(`^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$`)

// parseDate parses s with the given Go layouts and returns it as YYYY-MM-DD.
// time.Parse rejects impossible dates such as 2025-02-30.
func parseDate(s string, layouts ...string) (string, bool) {
	for _, l := range layouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.Format("2006-01-02"), true
		}
	}
	return "", false
}

// validYYMMDD reports whether s is a date YYMMDD in 19YY or 20YY.
func validYYMMDD(s string) bool {
	if !isDigits(s, 6) {
		return false
	}
	_, ok19 := parseDate("19"+s, "20060102")
	_, ok20 := parseDate("20"+s, "20060102")
	return ok19 || ok20
}

// splitLines splits on LF, dropping a CR before each LF.
func splitLines(s string) []string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimSuffix(l, "\r")
	}
	return lines
}
