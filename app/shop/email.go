package shop

import (
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/idna"
	"golang.org/x/text/unicode/norm"
)

// An email address is an account's identity: two addresses that look the same must be the same
// account, and an address must not hide characters. ParseEmail therefore
//
//   - refuses control (Cc) and format (Cf) characters: zero-width spaces and joiners, bidi
//     overrides and isolates, the soft hyphen, which are invisible or reorder what is shown;
//   - applies NFKC, which folds compatibility forms such as fullwidth "ａ" into "a";
//   - maps the domain through IDNA (UTS #46 lookup mapping, the RFC 5893 bidi rule, DNS
//     lengths) and keeps it as lower-case A-labels ("Bücher.example" becomes
//     "xn--bcher-kva.example"), so a look-alike domain is visibly different;
//   - refuses every non-ASCII character in the local part, the part before the @.
//
// The last rule is a choice. NFKC does not fold letters of other scripts that look Latin
// (Cyrillic "а" in "аdmin"). Refusing only local parts that mix scripts would still let a
// whole-script look-alike through (Cyrillic "сосо" for "coco"), and the confusable tables of
// UTS #39 are large and change with each Unicode version. An internationalised local part also
// needs SMTPUTF8 (RFC 6531) on every hop, which Amazon SES, for one, does not support, so the shop
// could not mail such an address anyway. The local part is therefore ASCII dot-atom; its letter
// case is kept (uniqueness is on lower(email)).

// MaxEmailLen is the longest address accepted, in bytes (RFC 5321's 256-octet path less the
// angle brackets); maxLocalLen is RFC 5321's limit for the local part.
const (
	MaxEmailLen = 254
	maxLocalLen = 64
)

var emailDomain = idna.New(idna.MapForLookup(), idna.BidiRule(), idna.VerifyDNSLength(true),
	idna.CheckHyphens(true), idna.CheckJoiners(true), idna.Transitional(false))

// ParseEmail normalises and validates an email address, a bare addr-spec. Its error is the
// problem, worded to follow the field's name ("email must ...").
func ParseEmail(s string) (string, error) {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return "", errors.New("is required")
	case len(s) > 4*MaxEmailLen:
		return "", fmt.Errorf("must be at most %d characters", MaxEmailLen)
	case !utf8.ValidString(s):
		return "", errors.New("must be valid UTF-8")
	}
	if r, ok := firstRune(s, isHidden); ok {
		return "", fmt.Errorf("must not contain the invisible or control character %U", r)
	}
	s = norm.NFKC.String(s)
	at := strings.LastIndexByte(s, '@')
	if at < 0 {
		return "", errors.New("must be an address such as name@example.com")
	}
	local, domain := s[:at], s[at+1:]
	if problem := localPartProblem(local); problem != "" {
		return "", errors.New(problem)
	}
	ascii, err := emailDomain.ToASCII(domain)
	if err != nil || !strings.Contains(ascii, ".") {
		return "", errors.New("must have a domain name after the @, such as example.com")
	}
	addr := local + "@" + ascii
	if len(addr) > MaxEmailLen {
		return "", fmt.Errorf("must be at most %d characters", MaxEmailLen)
	}
	if a, err := mail.ParseAddress(addr); err != nil || a.Address != addr || a.Name != "" {
		return "", errors.New("must be an address such as name@example.com")
	}
	return addr, nil
}

// localPartProblem checks the part before the @: ASCII dot-atom (RFC 5322), no quoted strings.
func localPartProblem(local string) string {
	switch {
	case local == "":
		return "must have a name before the @"
	case len(local) > maxLocalLen:
		return fmt.Sprintf("must have at most %d characters before the @", maxLocalLen)
	}
	if _, ok := firstRune(local, func(r rune) bool { return r > unicode.MaxASCII }); ok {
		return "must use only ASCII letters before the @ (letters of other scripts can look like Latin ones)"
	}
	for i := 0; i < len(local); i++ {
		if !isAtext(local[i]) && local[i] != '.' {
			return fmt.Sprintf("must not contain %q before the @", local[i])
		}
	}
	if local[0] == '.' || local[len(local)-1] == '.' || strings.Contains(local, "..") {
		return "must not start or end with a dot, or have two dots in a row, before the @"
	}
	return ""
}

// isAtext reports whether c is an RFC 5322 atext character.
func isAtext(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("!#$%&'*+-/=?^_`{|}~", c) >= 0
}

// isHidden reports control and format characters: invisible, or changing how the text around
// them is shown.
func isHidden(r rune) bool { return unicode.IsControl(r) || unicode.Is(unicode.Cf, r) }

// firstRune returns the first rune of s for which f holds.
func firstRune(s string, f func(rune) bool) (rune, bool) {
	for _, r := range s {
		if f(r) {
			return r, true
		}
	}
	return 0, false
}
