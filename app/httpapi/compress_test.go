package httpapi_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/klauspost/compress/gzhttp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shopstack/shopstack/app/httpapi"
	"github.com/shopstack/shopstack/app/shop"
)

// TestCompressionOfTextButNotPictures: `shop serve` gzips HTML, JS, CSS, SVG and JSON for a
// client that accepts gzip, with Vary: Accept-Encoding, and leaves pictures alone.
func TestCompressionOfTextButNotPictures(t *testing.T) {
	t.Parallel()
	site := t.TempDir()
	big := strings.Repeat("shopstack storefront ", 200)
	for name, body := range map[string]string{
		"index.html": "<!doctype html><title>x</title>" + big, "app.js": "console.log('" + big + "')",
		"app.css": "body{} /*" + big + "*/", "images/a.svg": "<svg xmlns='http://www.w3.org/2000/svg'><!--" + big + "--></svg>",
	} {
		require.NoError(t, os.MkdirAll(filepath.Dir(filepath.Join(site, name)), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(site, name), []byte(body), 0o644))
	}
	require.NoError(t, mediaStore.Put(context.Background(), "products/gz/1-card.jpg", "image/jpeg",
		strings.NewReader(big), int64(len(big))))
	cfg := appConfig(store, slog.New(slog.DiscardHandler))
	cfg.SiteDir = site
	e, err := httpapi.New(cfg)
	require.NoError(t, err)
	h, err := httpapi.Compress(e)
	require.NoError(t, err)
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)

	// get returns the raw response: a Transport of its own with compression off, so the test
	// sees the encoding the server chose.
	get := func(path string, gz bool) (http.Header, []byte) {
		req, err := http.NewRequest(http.MethodGet, srv.URL+path, nil)
		require.NoError(t, err)
		if gz {
			req.Header.Set("Accept-Encoding", "gzip")
		}
		res, err := (&http.Transport{DisableCompression: true}).RoundTrip(req)
		require.NoError(t, err)
		defer res.Body.Close()
		require.Equal(t, http.StatusOK, res.StatusCode, path)
		body, err := io.ReadAll(res.Body)
		require.NoError(t, err)
		return res.Header, body
	}
	for _, path := range []string{"/", "/app.js", "/app.css", "/images/a.svg", "/api/products?limit=100"} {
		h, body := get(path, true)
		assert.Equal(t, "gzip", h.Get("Content-Encoding"), path)
		assert.Contains(t, h.Values("Vary"), "Accept-Encoding", path)
		zr, err := gzip.NewReader(bytes.NewReader(body))
		require.NoError(t, err, path)
		plain, err := io.ReadAll(zr)
		require.NoError(t, err, path)
		assert.Greater(t, len(plain), len(body), path)

		h, _ = get(path, false)
		assert.Empty(t, h.Get("Content-Encoding"), "%s: not for a client without gzip", path)
	}
	pic, _ := get("/media/products/gz/1-card.jpg", true)
	assert.Empty(t, pic.Get("Content-Encoding"), "pictures are compressed already")
	small, _ := get("/api/healthz", true)
	assert.Empty(t, small.Get("Content-Encoding"), "below 1 KiB there is nothing to gain")
}

// TestResponsesWithASecretAreNotCompressed: an order carrying its Stripe client secret (the
// checkout answer and the order's page) is sent uncompressed to a client that accepts gzip
// (BREACH), and the marker header does not reach the client; the order list, which carries no
// secret, and the catalog are still compressed.
func TestResponsesWithASecretAreNotCompressed(t *testing.T) {
	t.Parallel()
	ps := newPayShop(t, 30*time.Minute, false)
	cfg := appConfig(ps.store, slog.New(slog.DiscardHandler))
	cfg.Payments, cfg.StripePublishableKey = ps.svc, "pk_test_shop"
	e, err := httpapi.New(cfg)
	require.NoError(t, err)
	h, err := httpapi.Compress(e)
	require.NoError(t, err)
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)

	c, _ := registered(t)
	raw := &http.Client{Jar: c.http.Jar, Transport: &http.Transport{DisableCompression: true}}
	send := func(method, path, body string, headers ...string) (http.Header, []byte) {
		t.Helper()
		req, err := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
		require.NoError(t, err)
		req.Header.Set("Accept-Encoding", "gzip")
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		for i := 0; i+1 < len(headers); i += 2 {
			req.Header.Set(headers[i], headers[i+1])
		}
		res, err := raw.Do(req)
		require.NoError(t, err)
		defer res.Body.Close()
		require.Less(t, res.StatusCode, 300, "%s %s", method, path)
		b, err := io.ReadAll(res.Body)
		require.NoError(t, err)
		assert.NotContains(t, res.Header, gzhttp.HeaderNoCompression, "%s %s: the marker is not sent", method, path)
		return res.Header, b
	}

	// Enough lines that the order's JSON is past gzip's 1 KiB minimum: else the test proves nothing.
	var lines []any
	for range 10 {
		lines = append(lines, newProduct(t, 5, 700).ID, 1)
	}
	order, err := json.Marshal(orderBody(lines...))
	require.NoError(t, err)
	hdr, body := send("POST", "/api/orders", string(order), "Idempotency-Key", key())
	var o shop.Order
	require.NoError(t, json.Unmarshal(body, &o), "sent as plain JSON: %.80q", body)
	require.NotNil(t, o.Payment)
	require.NotEmpty(t, o.Payment.ClientSecret)
	require.GreaterOrEqual(t, len(body), 1024, "large enough that gzip would compress it")
	assert.Empty(t, hdr.Get("Content-Encoding"), "the checkout answer carries the client secret")

	hdr, body = send("GET", "/api/orders/"+o.ID, "")
	assert.Contains(t, string(body), `"client_secret":"`+o.Payment.ClientSecret+`"`)
	assert.Empty(t, hdr.Get("Content-Encoding"), "the order's page carries it too")

	for _, path := range []string{"/api/orders", "/api/products?limit=100"} {
		hdr, body = send("GET", path, "")
		assert.Equal(t, "gzip", hdr.Get("Content-Encoding"), path)
		zr, err := gzip.NewReader(bytes.NewReader(body))
		require.NoError(t, err, path)
		plain, err := io.ReadAll(zr)
		require.NoError(t, err, path)
		assert.NotContains(t, string(plain), "client_secret", path)
	}
}
