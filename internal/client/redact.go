package client

import (
	"fmt"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

const redacted = "[REDACTED]"

// formatRedacted is the one Format of the types that hold a secret. view is
// a redacted copy whose type has no methods, so that fmt does not recurse.
func formatRedacted(f fmt.State, verb rune, view any, typeName string) {
	if verb == 'v' && f.Flag('#') {
		s := fmt.Sprintf("%#v", view)
		_, _ = fmt.Fprint(f, strings.Replace(s, fmt.Sprintf("%T", view), typeName, 1))
		return
	}
	_, _ = fmt.Fprintf(f, fmt.FormatString(f, verb), view)
}

var (
	reBearer = regexp.MustCompile(`(?i)\bbearer\s+[^\s"',;]+`)
	reAuthz  = regexp.MustCompile(`(?i)(authorization["']?\s*[:=]\s*["']?)[^\s"',;]+`)
	reJWT    = regexp.MustCompile(`eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*`)
	reMDTok  = regexp.MustCompile(`\bmd_[A-Za-z0-9_-]{16,}`)
)

// scrub removes anything that looks like a credential from s.
func (c *Client) scrub(s string) string {
	if tok := *c.secret; tok != "" {
		s = strings.ReplaceAll(s, tok, redacted)
	}
	s = reAuthz.ReplaceAllString(s, "${1}"+redacted)
	s = reBearer.ReplaceAllString(s, "Bearer "+redacted)
	s = reJWT.ReplaceAllString(s, redacted)
	s = reMDTok.ReplaceAllString(s, redacted)
	return s
}

// sanitize scrubs s, makes it one line of valid UTF-8 and cuts it to about limit bytes.
func (c *Client) sanitize(s string, limit int) string {
	// Bound the work, keeping enough to recognise a secret that straddles the cut.
	if len(s) > 4*limit+256 {
		s = s[:4*limit+256]
	}
	s = c.scrub(s)
	var b strings.Builder
	space := false
	for i, r := range s {
		if r == utf8.RuneError {
			if _, size := utf8.DecodeRuneInString(s[i:]); size <= 1 {
				r = ' '
			}
		}
		if unicode.IsControl(r) || unicode.IsSpace(r) {
			if !space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = true
			continue
		}
		space = false
		if b.Len()+utf8.RuneLen(r) > limit {
			b.WriteString("...")
			break
		}
		b.WriteRune(r)
	}
	out := strings.TrimSpace(b.String())
	// Truncation may have cut a secret in half: scrub again.
	return c.scrub(out)
}
