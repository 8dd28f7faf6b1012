package shop_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shopstack/shopstack/app/shop"
)

func TestParseEmail(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, want, problem string
	}{
		{"plain", "ada@example.com", "ada@example.com", ""},
		{"trimmed", "  ada@example.com\t", "ada@example.com", ""},
		{"domain lower-cased, local part kept", "Ada.Lovelace@Example.COM", "Ada.Lovelace@example.com", ""},
		{"fullwidth letters fold (NFKC)", "ａｄａ@ｅｘａｍｐｌｅ.ｃｏｍ", "ada@example.com", ""},
		{"fullwidth at sign folds", "ada＠example.com", "ada@example.com", ""},
		{"ligature folds", "ﬁle@example.com", "file@example.com", ""},
		{"IDN domain as A-labels", "ada@Bücher.example", "ada@xn--bcher-kva.example", ""},
		{"A-label domain kept", "ada@xn--bcher-kva.example", "ada@xn--bcher-kva.example", ""},
		{"plus and dots", "ada.l+shop@mail.example.org", "ada.l+shop@mail.example.org", ""},
		{"empty", "   ", "", "is required"},
		{"no at", "ada.example.com", "", "such as name@example.com"},
		{"display name", "Ada <ada@example.com>", "", "before the @"},
		{"no domain dot", "ada@localhost", "", "domain name"},
		{"underscore in domain", "ada@ex_ample.com", "", "domain name"},
		{"domain literal", "ada@[192.0.2.1]", "", "domain name"},
		{"empty label", "ada@example..com", "", "domain name"},
		{"label too long", "ada@" + strings.Repeat("a", 64) + ".com", "", "domain name"},
		{"quoted local part", `"ada lovelace"@example.com`, "", "before the @"},
		{"leading dot", ".ada@example.com", "", "dot"},
		{"double dot", "ada..l@example.com", "", "dot"},
		{"local part too long", strings.Repeat("a", 65) + "@example.com", "", "at most 64"},
		{"too long", strings.Repeat("a", 60) + "@" + strings.Repeat("b", 60) + "." + strings.Repeat("c", 60) + "." + strings.Repeat("d", 60) + "." + strings.Repeat("e", 10) + ".com", "", "at most 254"},
		{"NUL", "ada\x00@example.com", "", "U+0000"},
		{"newline", "ada\n@example.com", "", "U+000A"},
		{"zero-width space", "ad\u200ba@example.com", "", "U+200B"},
		{"zero-width joiner", "ada@exa\u200dmple.com", "", "U+200D"},
		{"word joiner", "ada\u2060@example.com", "", "U+2060"},
		{"byte order mark", "\ufeffada@example.com", "", "U+FEFF"},
		{"right-to-left override", "\u202emoc.elpmaxe@ada", "", "U+202E"},
		{"left-to-right isolate", "ada@\u2066example.com", "", "U+2066"},
		{"soft hyphen", "ad\u00ada@example.com", "", "U+00AD"},
		{"Cyrillic a in the local part", "\u0430dmin@example.com", "", "ASCII"},
		{"whole-script Cyrillic local part", "\u0441\u043e\u0441\u043e@example.com", "", "ASCII"},
		{"accented local part", "jos\u00e9@example.com", "", "ASCII"},
		{"invalid UTF-8", "ada\xff@example.com", "", "UTF-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := shop.ParseEmail(tt.in)
			if tt.problem == "" {
				require.NoError(t, err)
				assert.Equal(t, tt.want, got)
				again, err := shop.ParseEmail(got)
				require.NoError(t, err)
				assert.Equal(t, got, again, "the normal form is a fixed point")
				return
			}
			require.Error(t, err, "accepted as %q", got)
			assert.Contains(t, err.Error(), tt.problem)
		})
	}
}

func TestLookAlikeEmailsAreOneAccount(t *testing.T) {
	t.Parallel()
	for _, in := range []string{"admin@example.com", "ａｄｍｉｎ@example.com", "admin@ＥＸＡＭＰＬＥ.com", "admin@EXAMPLE.com", "admin＠example．com"} {
		got, err := shop.ParseEmail(in)
		require.NoError(t, err, in)
		assert.Equal(t, "admin@example.com", strings.ToLower(got), in)
	}
	for _, in := range []string{"admin\u200b@example.com", "\u0430dmin@example.com", "adm\u0456n@example.com", "admin\u202e@example.com"} {
		_, err := shop.ParseEmail(in)
		assert.Error(t, err, "%q must not register as a new account", in)
	}
}

func TestRegistrationNames(t *testing.T) {
	t.Parallel()
	for name, problem := range map[string]string{
		"Ada\u202eevil":     "bidirectional control character U+202E",
		"\u2067Ada\u2069":   "U+2067",
		"Ada\u200fLovelace": "U+200F",
		"Ada\u061c":         "U+061C",
		`A\u0000da`:         "without control characters",
	} {
		_, err := shop.ParseRegistration([]byte(`{"email":"ada@example.com","password":"correct horse","name":"` + name + `"}`))
		var e *shop.Error
		require.ErrorAs(t, err, &e, "%q", name)
		fe := e.Details.([]shop.FieldError)
		require.Len(t, fe, 1)
		assert.Equal(t, "name", fe[0].Field)
		assert.Contains(t, fe[0].Problem, problem)
	}
	for _, name := range []string{"Ada Lovelace", "محمد", "אדה", "Zoë", "میرزا\u200cعلی"} { // ZWNJ is part of Persian spelling
		r, err := shop.ParseRegistration([]byte(`{"email":"ada@example.com","password":"correct horse","name":"` + name + `"}`))
		require.NoError(t, err, name)
		assert.Equal(t, name, r.Name)
	}
}

func TestParseCredentialsNormalisesTheEmail(t *testing.T) {
	t.Parallel()
	c, err := shop.ParseCredentials([]byte(`{"email":" ａda@ＥXAMPLE.com ","password":"pw"}`))
	require.NoError(t, err)
	assert.Equal(t, "ada@example.com", c.Email)
	c, err = shop.ParseCredentials([]byte(`{"email":"legacy\u0430@example.com","password":"pw"}`))
	require.NoError(t, err, "an address that does not parse is looked up as typed, like any wrong one")
	assert.Equal(t, "legacy\u0430@example.com", c.Email)
}
