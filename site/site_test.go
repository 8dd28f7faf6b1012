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
	assert.Equal(t, site.ContentSecurityPolicy, h["Content-Security-Policy"])
	assert.Equal(t, "nosniff", h["X-Content-Type-Options"])
	assert.Equal(t, "DENY", h["X-Frame-Options"])
	assert.Equal(t, site.ReferrerPolicy, h["Referrer-Policy"])
	assert.Contains(t, h["Strict-Transport-Security"], "max-age=63072000")

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
