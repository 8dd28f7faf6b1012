package httpapi_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shopstack/shopstack/app/httpapi"
	"github.com/shopstack/shopstack/app/shop"
)

// placedOrder places a one-unit order for c and returns its id.
func placedOrder(t *testing.T, c *client, p shop.Product) string {
	t.Helper()
	r := c.do("POST", "/api/orders", orderBody(p.ID, 1), "Idempotency-Key", key())
	require.Equal(t, http.StatusCreated, r.status, string(r.body))
	var o shop.Order
	r.json(t, &o)
	return o.ID
}

func orderStatus(t *testing.T, userID, orderID string) string {
	t.Helper()
	o, err := store.GetOrder(context.Background(), userID, orderID)
	require.NoError(t, err)
	return o.Status
}

// TestCrossSiteRequestsAreRefused: a state-changing request a browser sends from another site
// is 403 cross_site_request before any handler runs, even the body-less cancel that SameSite=Lax
// alone let through; the shop's own pages, non-browser clients and safe methods are unaffected.
func TestCrossSiteRequestsAreRefused(t *testing.T) {
	t.Parallel()
	own := server.URL // the Origin a page served by this server sends
	tests := []struct {
		name    string
		headers []string
		refused bool
	}{
		{"another site", []string{"Origin", "https://evil.example", "Sec-Fetch-Site", "cross-site"}, true},
		{"cross-site without Origin", []string{"Sec-Fetch-Site", "cross-site"}, true},
		{"foreign Origin without Sec-Fetch-Site (older browser)", []string{"Origin", "https://evil.example"}, true},
		{"sibling subdomain (same-site)", []string{"Origin", "https://blog.127.0.0.1.nip.io", "Sec-Fetch-Site", "same-site"}, true},
		{"same-site with our own Origin", []string{"Origin", own, "Sec-Fetch-Site", "same-site"}, true},
		{"foreign Origin claiming same-origin", []string{"Origin", "https://evil.example", "Sec-Fetch-Site", "same-origin"}, true},
		{"opaque Origin null (sandboxed frame)", []string{"Origin", "null"}, true},
		{"our host over another scheme", []string{"Origin", "https://" + mustURL(own).Host}, true},
		{"our own page", []string{"Origin", own, "Sec-Fetch-Site", "same-origin"}, false},
		{"our own page, Origin only", []string{"Origin", own}, false},
		{"typed or bookmarked (none)", []string{"Sec-Fetch-Site", "none"}, false},
		{"API client: neither header", nil, false},
	}
	p := newProduct(t, 100, 500)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, u := registered(t)
			id := placedOrder(t, c, p)
			r := c.do("POST", "/api/orders/"+id+"/cancel", nil, tt.headers...)
			if !tt.refused {
				assert.Equal(t, http.StatusOK, r.status, string(r.body))
				assert.Equal(t, "cancelled", orderStatus(t, u.ID, id))
				return
			}
			assert.Equal(t, http.StatusForbidden, r.status, string(r.body))
			assert.Equal(t, "cross_site_request", r.errorCode(t))
			assert.Equal(t, "placed", orderStatus(t, u.ID, id), "the refused cancel changed nothing")

			// With a JSON body too, and for every kind of state-changing route.
			r = c.do("POST", "/api/orders", orderBody(p.ID, 1), append([]string{"Idempotency-Key", key()}, tt.headers...)...)
			assert.Equal(t, http.StatusForbidden, r.status, string(r.body))
			r = c.do("POST", "/api/auth/login", map[string]string{"email": u.Email, "password": "correct horse battery"}, tt.headers...)
			assert.Equal(t, http.StatusForbidden, r.status, "login CSRF: %s", r.body)
			r = c.do("POST", "/api/auth/logout", nil, tt.headers...)
			assert.Equal(t, http.StatusForbidden, r.status, string(r.body))
			assert.Equal(t, http.StatusOK, c.do("GET", "/api/me", nil, tt.headers...).status, "the session survived, and reads are not refused")
		})
	}
}

func TestCrossSiteRefusalCoversAdminRoutes(t *testing.T) {
	t.Parallel()
	a := admin(t)
	p := newProduct(t, 5, 100)
	evil := []string{"Origin", "https://evil.example", "Sec-Fetch-Site", "cross-site"}
	r := a.do("PATCH", "/api/admin/products/"+p.ID, map[string]any{"price_cents": 1}, evil...)
	assert.Equal(t, http.StatusForbidden, r.status)
	assert.Equal(t, "cross_site_request", r.errorCode(t))
	stored, err := store.GetProduct(context.Background(), p.ID)
	require.NoError(t, err)
	assert.Equal(t, int64(100), stored.PriceCents, "the refused patch changed nothing")
	r = a.do("POST", "/api/admin/products/"+p.ID+"/stock", map[string]any{"delta": -5}, evil...)
	assert.Equal(t, http.StatusForbidden, r.status)
	assert.Equal(t, 5, stockOf(t, p.ID))
	r = a.do("POST", "/api/admin/products/"+p.ID+"/stock", map[string]any{"delta": -5}, "Origin", server.URL, "Sec-Fetch-Site", "same-origin")
	assert.Equal(t, http.StatusOK, r.status, string(r.body))
	assert.Equal(t, 0, stockOf(t, p.ID))
}

// TestAllowedOrigins: behind CloudFront the Host the service sees is not the shop's domain, so
// the shop's public origin is configured; it is accepted, in any letter case and with its
// default port, while other origins stay refused.
func TestAllowedOrigins(t *testing.T) {
	t.Parallel()
	cfg := appConfig(store, slog.New(slog.DiscardHandler))
	cfg.AllowedOrigins = []string{"https://Shop.Example.com/"}
	e, err := httpapi.New(cfg)
	require.NoError(t, err)
	srv := httptest.NewServer(e)
	defer srv.Close()
	c := newClient(t)
	c.base = srv.URL
	r := c.do("POST", "/api/auth/register", map[string]string{"email": uniqueEmail(), "password": "correct horse battery", "name": "Viewer"},
		"Origin", "https://shop.example.com", "Sec-Fetch-Site", "same-origin")
	require.Equal(t, http.StatusCreated, r.status, string(r.body))
	p := newProduct(t, 5, 100)
	id := placedOrder(t, c, p)
	for _, origin := range []string{"https://evil.example", "http://shop.example.com", "https://shop.example.com.evil.example"} {
		r = c.do("POST", "/api/orders/"+id+"/cancel", nil, "Origin", origin, "Sec-Fetch-Site", "cross-site")
		assert.Equal(t, http.StatusForbidden, r.status, origin)
	}
	r = c.do("POST", "/api/orders/"+id+"/cancel", nil, "Origin", "https://shop.example.com:443", "Sec-Fetch-Site", "same-origin")
	assert.Equal(t, http.StatusOK, r.status, string(r.body))

	_, err = httpapi.New(httpapi.Config{Products: store, Search: store, Accounts: store, Orders: store, Readiness: store,
		Log: slog.New(slog.DiscardHandler), AllowedOrigins: []string{"shop.example.com"}})
	assert.ErrorContains(t, err, "AllowedOrigins")
}

func TestNormalizeOrigin(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"https://shop.example.com":      "https://shop.example.com",
		"HTTPS://Shop.Example.COM:443/": "https://shop.example.com",
		"http://localhost:8080":         "http://localhost:8080",
		"http://127.0.0.1:80":           "http://127.0.0.1",
		"http://[::1]:8080":             "http://[::1]:8080",
		"https://[::1]":                 "https://[::1]",
	} {
		got, err := httpapi.NormalizeOrigin(in)
		if assert.NoError(t, err, in) {
			assert.Equal(t, want, got, in)
		}
	}
	for _, bad := range []string{"", "null", "shop.example.com", "ftp://shop.example.com", "https://shop.example.com/path",
		"https://user@shop.example.com", "https://shop.example.com?x=1", "https://shop.example.com#f", "https://:443", "https://shop.example.com:99999"} {
		_, err := httpapi.NormalizeOrigin(bad)
		assert.Error(t, err, bad)
	}
}

// TestViewerHostHeader: behind CloudFront the Host that reaches the service is the origin's, so
// the shop's own origin comes from the header the distribution's function sets to the viewer's
// Host, believed only from a private or loopback peer (the load balancer).
func TestViewerHostHeader(t *testing.T) {
	t.Parallel()
	e, err := httpapi.New(httpapi.Config{Products: store, Search: store, Accounts: store, Orders: store, Readiness: store,
		Log: slog.New(slog.DiscardHandler), ViewerHostHeader: "X-Viewer-Host"})
	require.NoError(t, err)
	tests := []struct {
		name, peer, viewerHost string
		refused                bool
	}{
		{"the load balancer passes the shop's host", "10.0.1.7:4711", "shop.example.com", false},
		{"another host than the page's origin", "10.0.1.7:4711", "elsewhere.example", true},
		{"no viewer host: the origin's Host decides", "10.0.1.7:4711", "", true},
		{"a client on the internet cannot choose it", "203.0.113.9:4711", "shop.example.com", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			req := httptest.NewRequest(http.MethodPost, "http://internal-api-alb.example/api/auth/logout", nil)
			req.RemoteAddr = tt.peer
			req.Header.Set("Origin", "https://shop.example.com")
			req.Header.Set("Sec-Fetch-Site", "same-origin")
			req.Header.Set("CloudFront-Forwarded-Proto", "https")
			if tt.viewerHost != "" {
				req.Header.Set("X-Viewer-Host", tt.viewerHost)
			}
			rec := httptest.NewRecorder()
			e.ServeHTTP(rec, req)
			if tt.refused {
				assert.Equal(t, http.StatusForbidden, rec.Code, rec.Body.String())
				assert.Contains(t, rec.Body.String(), "cross_site_request")
			} else {
				assert.Equal(t, http.StatusNoContent, rec.Code, "logout goes through: %s", rec.Body.String())
			}
		})
	}
}
