package site_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/shopstack/shopstack/site"
)

func TestSPAFallback(t *testing.T) {
	t.Parallel()
	tests := []struct {
		path string
		want bool
	}{
		{"/", true},
		{"", true},
		{"/products/4f1c", true},
		{"/products/4f1c/", true},
		{"/cart", true},
		{"/login", true},
		{"/register", true},
		{"/checkout", true},
		{"/orders", true},
		{"/orders/42", true},
		{"/index.html", false},
		{"/favicon.svg", false},
		{"/assets/app-ABCDEFGH.js", false},
		{"/assets/missing", false},
		{"/assets", false},
		{"/api", false},
		{"/api/products", false},
		{"/api/orders/42", false},
		{"/apiary", true},
		{"/assetsish", true},
		{"/products/v1.2", false},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, site.SPAFallback(tt.path))
		})
	}
}

func TestCacheControl(t *testing.T) {
	t.Parallel()
	tests := []struct {
		path string
		want string
	}{
		{"/assets/app-ABCDEFGH.js", site.CacheImmutable},
		{"assets/app-ABCDEFGH.js", site.CacheImmutable},
		{"/assets/style-Z2Z2Z2Z2.css", site.CacheImmutable},
		{"/assets/chunk.page-QWERTY23.js", site.CacheImmutable},
		{"/index.html", site.CacheRevalidate},
		{"index.html", site.CacheRevalidate},
		{"/", site.CacheRevalidate},
		{"/products/12", site.CacheRevalidate},
		{"/orders", site.CacheRevalidate},
		{"/favicon.svg", site.CacheShort},
		{"/robots.txt", site.CacheShort},
		{"/images/books.svg", site.CacheShort},
		{"images/books.svg", site.CacheShort},
		// Not hashed, or not in the assets folder: never immutable.
		{"/assets/app.js", site.CacheShort},
		{"/assets/app-abcdefgh.js", site.CacheShort},
		{"/app-ABCDEFGH.js", site.CacheShort},
		{"/assets/sub/app-ABCDEFGH.js", site.CacheShort},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, site.CacheControl(tt.path))
		})
	}
}

func TestSecurityHeaders(t *testing.T) {
	t.Parallel()
	h := site.SecurityHeaders()
	// The whole set, so dropping a header (the cross-origin isolation pair was removable unnoticed) fails here.
	assert.Equal(t, map[string]string{
		"Content-Security-Policy":      site.ContentSecurityPolicy,
		"X-Content-Type-Options":       "nosniff",
		"Referrer-Policy":              site.ReferrerPolicy,
		"X-Frame-Options":              "DENY",
		"Strict-Transport-Security":    "max-age=63072000; includeSubDomains",
		"Permissions-Policy":           site.PermissionsPolicy,
		"Cross-Origin-Opener-Policy":   "same-origin",
		"Cross-Origin-Resource-Policy": "same-origin",
	}, h)
	assert.Contains(t, site.PermissionsPolicy, "camera=()", "no page of the shop needs the camera")

	directives := map[string]string{}
	for _, d := range strings.Split(site.ContentSecurityPolicy, ";") {
		name, value, _ := strings.Cut(strings.TrimSpace(d), " ")
		directives[name] = value
	}
	assert.Equal(t, "'self'", directives["script-src"], "scripts from the site only, never inline")
	assert.Equal(t, "'self'", directives["connect-src"])
	assert.Equal(t, "'none'", directives["frame-ancestors"])
	assert.Equal(t, "'none'", directives["object-src"])
	assert.NotContains(t, site.ContentSecurityPolicy, "unsafe-inline")
	assert.NotContains(t, site.ContentSecurityPolicy, "unsafe-eval")

	h["X-Frame-Options"] = "changed"
	assert.Equal(t, "DENY", site.SecurityHeaders()["X-Frame-Options"], "each call returns a fresh map")
}
