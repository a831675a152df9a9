package redact

import (
	"net/url"
	"regexp"
	"strings"
)

// Mask replaces every secret value.
const Mask = "xxxxx"

// secretParams are substrings of query-parameter names whose values are
// credentials (matched case-insensitively).
var secretParams = []string{"token", "password", "passwd", "secret", "key", "auth", "signature", "sig", "credential", "session"}

// isSecretParam reports whether a query parameter name looks like it holds
// a credential.
func isSecretParam(name string) bool {
	n := strings.ToLower(name)
	for _, s := range secretParams {
		if strings.Contains(n, s) {
			return true
		}
	}
	return false
}

// URL returns raw with its userinfo and credential-like query values
// masked. A string that does not parse as a URL with a scheme is returned
// through Text, so a secret in it is still masked.
func URL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" {
		return Text(raw)
	}
	return redactParsed(u)
}

func redactParsed(u *url.URL) string {
	c := *u
	if c.User != nil {
		c.User = url.User(Mask)
	}
	if c.RawQuery != "" {
		c.RawQuery = redactQuery(c.RawQuery)
	}
	return c.String()
}

// redactQuery masks credential-like values and keeps the order and
// encoding of the rest.
func redactQuery(q string) string {
	parts := strings.Split(q, "&")
	for i, p := range parts {
		name, _, hasValue := strings.Cut(p, "=")
		if !hasValue {
			continue
		}
		if dn, err := url.QueryUnescape(name); err == nil {
			name = dn
		}
		if isSecretParam(name) {
			k, _, _ := strings.Cut(p, "=")
			parts[i] = k + "=" + Mask
		}
	}
	return strings.Join(parts, "&")
}

// urlInText finds URLs with a scheme inside free text (error messages,
// log lines). It stops at whitespace and at quotes, so a URL quoted by
// Go's %q is found whole.
var urlInText = regexp.MustCompile(`[A-Za-z][A-Za-z0-9+.-]*://[^\s"'<>` + "`" + `]+`)

// Text masks the secrets of every URL inside s. Use it on error messages
// and other text that may quote a URL.
func Text(s string) string {
	if !strings.Contains(s, "://") {
		return s
	}
	return urlInText.ReplaceAllStringFunc(s, func(m string) string {
		// Trailing punctuation belongs to the sentence, not the URL.
		trail := ""
		for len(m) > 0 && strings.ContainsRune(".,;:)]}", rune(m[len(m)-1])) {
			trail = m[len(m)-1:] + trail
			m = m[:len(m)-1]
		}
		u, err := url.Parse(m)
		if err != nil {
			// Unparseable: mask everything between the scheme and an '@'.
			if at := strings.LastIndex(m, "@"); at > 0 {
				scheme, _, _ := strings.Cut(m, "://")
				return scheme + "://" + Mask + m[at:] + trail
			}
			return m + trail
		}
		return redactParsed(u) + trail
	})
}
