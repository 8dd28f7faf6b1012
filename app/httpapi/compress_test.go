package httpapi_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shopstack/shopstack/app/httpapi"
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
