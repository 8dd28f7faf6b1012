// Package site is the storefront's contract with whatever serves it: the
// shop service locally (SHOP_SITE_DIR) and S3 + CloudFront in AWS. Both read
// the security headers, the cache policy and the SPA fallback rule from here,
// so a page behaves the same on a laptop and behind the CDN.
package site

import (
	"regexp"
	"strconv"
	"strings"
)

// AssetsDir is the dist folder holding every content-hashed file. Nothing
// else is ever placed in it, which is what makes the immutable policy safe.
const AssetsDir = "assets"

// ImagesDir is the dist folder of the demo product images, copied from
// src/images under their own names: the catalog stores their paths
// ("/images/books.svg"), so the names cannot change with their content.
const ImagesDir = "images"

// Cache-Control values of the caching contract (see README.md).
const (
	// CacheImmutable is for content-hashed assets: a new build gets new names.
	CacheImmutable = "public, max-age=31536000, immutable"
	// CacheRevalidate is for HTML: always revalidated, so a deploy is seen at once.
	CacheRevalidate = "no-cache"
	// CacheShort is for unhashed, non-HTML files (favicon, robots.txt, the
	// demo product images): a changed file is seen within five minutes.
	CacheShort = "public, max-age=300"
)

// ContentSecurityPolicy allows scripts, styles and fonts from the site only
// (no inline script or style), API calls to the same origin only (CloudFront
// routes /api/* there), and product images from the site or any HTTPS host,
// because image_url values come from the catalog, not from the build.
// Trusted Types are enforced: the storefront never writes HTML strings.
const ContentSecurityPolicy = "default-src 'self'; " +
	"script-src 'self'; " +
	"style-src 'self'; " +
	"img-src 'self' https:; " +
	"font-src 'self'; " +
	"connect-src 'self'; " +
	"manifest-src 'self'; " +
	"object-src 'none'; " +
	"base-uri 'none'; " +
	"form-action 'self'; " +
	"frame-ancestors 'none'; " +
	"require-trusted-types-for 'script'; " +
	"trusted-types 'none'"

// PaymentsContentSecurityPolicy is the storefront's policy when the shop takes payments through
// Stripe (`shop serve` with SHOP_STRIPE_SECRET_KEY): ContentSecurityPolicy plus what Stripe's
// Payment Element needs (https://docs.stripe.com/security/guide#content-security-policy):
// Stripe.js from js.stripe.com, its iframes (js.stripe.com, hooks.stripe.com for 3-D Secure)
// and its calls to api.stripe.com. Trusted Types are not required here: Stripe.js is Stripe's
// code, loaded as is, and the storefront cannot vouch that it writes no HTML sink.
const PaymentsContentSecurityPolicy = "default-src 'self'; " +
	"script-src 'self' https://js.stripe.com; " +
	"style-src 'self'; " +
	"img-src 'self' https:; " +
	"font-src 'self'; " +
	"connect-src 'self' https://api.stripe.com; " +
	"frame-src https://js.stripe.com https://hooks.stripe.com; " +
	"manifest-src 'self'; " +
	"object-src 'none'; " +
	"base-uri 'none'; " +
	"form-action 'self'; " +
	"frame-ancestors 'none'"

// Header values shared with the CloudFront response headers policy, which
// takes some of them as typed fields rather than raw strings.
const (
	ReferrerPolicy    = "strict-origin-when-cross-origin"
	FrameOptions      = "DENY"
	PermissionsPolicy = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
	// HSTSMaxAgeSeconds is two years. Browsers ignore HSTS on plain HTTP, so
	// sending it from a local http:// server is harmless.
	HSTSMaxAgeSeconds = 63072000
)

// SecurityHeaders returns the headers every storefront response carries.
// The map is fresh on each call; callers may modify it.
func SecurityHeaders() map[string]string {
	return map[string]string{
		"Content-Security-Policy":      ContentSecurityPolicy,
		"X-Content-Type-Options":       "nosniff",
		"Referrer-Policy":              ReferrerPolicy,
		"X-Frame-Options":              FrameOptions,
		"Strict-Transport-Security":    "max-age=" + strconv.Itoa(HSTSMaxAgeSeconds) + "; includeSubDomains",
		"Permissions-Policy":           PermissionsPolicy,
		"Cross-Origin-Opener-Policy":   "same-origin",
		"Cross-Origin-Resource-Policy": "same-origin",
	}
}

// hashedName matches the names the build gives assets: name-HASH.ext, with
// esbuild's 8-character base32 content hash.
var hashedName = regexp.MustCompile(`^[A-Za-z0-9_.]+-[A-Z2-7]{8}\.[a-z0-9]+$`)

// CacheControl returns the Cache-Control value for a request path or an S3
// key ("/assets/app-ABCDEFGH.js" and "assets/app-ABCDEFGH.js" are the same).
func CacheControl(path string) string {
	p := "/" + strings.TrimPrefix(path, "/")
	if strings.HasSuffix(p, ".html") || SPAFallback(p) {
		return CacheRevalidate
	}
	dir, name := p[:strings.LastIndex(p, "/")], p[strings.LastIndex(p, "/")+1:]
	if dir == "/"+AssetsDir && hashedName.MatchString(name) {
		return CacheImmutable
	}
	return CacheShort
}

// SPAFallback reports whether a request for urlPath is a client-side route
// that must be answered with index.html: its last segment has no dot. The
// API and the assets folder are never rewritten, so their 404s stay 404s.
// CloudFrontFunctionCode implements the same rule at the edge.
func SPAFallback(urlPath string) bool {
	p := "/" + strings.TrimPrefix(urlPath, "/")
	for _, prefix := range []string{"/api", "/" + AssetsDir} {
		if p == prefix || strings.HasPrefix(p, prefix+"/") {
			return false
		}
	}
	last := p[strings.LastIndex(p, "/")+1:]
	return !strings.Contains(last, ".")
}

// CloudFrontFunctionCode is a CloudFront Function (cloudfront-js-2.0,
// viewer-request event) for the default (S3) cache behaviour only. It applies
// SPAFallback at the edge; the /api/* behaviour must not use it.
const CloudFrontFunctionCode = `function handler(event) {
  var request = event.request;
  var uri = request.uri;
  if (uri === '/api' || uri.startsWith('/api/') || uri === '/assets' || uri.startsWith('/assets/')) {
    return request;
  }
  var last = uri.substring(uri.lastIndexOf('/') + 1);
  if (last.indexOf('.') === -1) {
    request.uri = '/index.html';
  }
  return request;
}
`
