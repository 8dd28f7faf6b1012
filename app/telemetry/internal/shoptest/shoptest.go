// Package shoptest drives the real HTTP application on a fresh PostgreSQL database for the
// telemetry tests: a shopper registers, logs in and places an order.
package shoptest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/shopstack/shopstack/app/cache"
	"github.com/shopstack/shopstack/app/httpapi"
	"github.com/shopstack/shopstack/app/postgres"
	"github.com/shopstack/shopstack/app/shop"
	"github.com/shopstack/shopstack/app/telemetry"
	"github.com/shopstack/shopstack/internal/pgtest"
)

// Shopper is the personal data a run sends; none of it may appear in telemetry.
type Shopper struct {
	Email, Name, Password string
	// Token is the session token, Cookie the whole Cookie header value that carried it.
	Token, Cookie string
	// IP is the viewer's address, sent as X-Forwarded-For as the load balancer would.
	IP string
}

// viewerIP is a documentation address (RFC 5737) standing for the shopper's.
const viewerIP = "203.0.113.79"

// Server serves the application as cmd/shop wires it (telemetry.Handler around Echo, the
// cache decorators without a cache) on a fresh database, logging to log.
func Server(t *testing.T, log *slog.Logger) *httptest.Server {
	t.Helper()
	ctx := context.Background()
	store, err := postgres.Open(ctx, pgtest.NewDatabase(t), 4, log)
	require.NoError(t, err)
	t.Cleanup(store.Close)
	_, err = store.Migrate(ctx)
	require.NoError(t, err)
	_, _, err = store.SeedProducts(ctx, shop.DemoCatalog())
	require.NoError(t, err)
	products := cache.NewProducts(store, store, cache.None{})
	e, err := httpapi.New(httpapi.Config{Products: products, Search: products,
		Accounts: cache.NewAccounts(store, cache.None{}), Orders: cache.NewOrders(store, cache.None{}),
		Readiness: store, Log: log})
	require.NoError(t, err)
	srv := httptest.NewServer(telemetry.Handler(e))
	t.Cleanup(srv.Close)
	return srv
}

// PlaceOrder registers a shopper, logs in and orders one of the first listed product.
func PlaceOrder(t *testing.T, base string) Shopper {
	t.Helper()
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	c := &http.Client{Jar: jar, Timeout: 30 * time.Second}
	s := Shopper{Email: fmt.Sprintf("zebulon.q%d@example.org", time.Now().UnixNano()),
		Name: "Zebulon Quixotic-Pemberton", Password: "tangerine walrus 4711", IP: viewerIP}
	do(t, c, "POST", base+"/api/auth/register", map[string]string{"email": s.Email, "password": s.Password, "name": s.Name}, http.StatusCreated)
	do(t, c, "POST", base+"/api/auth/login", map[string]string{"email": s.Email, "password": s.Password}, http.StatusOK)
	var page struct {
		Items []struct {
			ID string `json:"id"`
		} `json:"items"`
	}
	require.NoError(t, json.Unmarshal(do(t, c, "GET", base+"/api/products", nil, http.StatusOK), &page))
	require.NotEmpty(t, page.Items)
	order := map[string]any{"items": []map[string]any{{"product_id": page.Items[0].ID, "quantity": 1}}}
	do(t, c, "POST", base+"/api/orders", order, http.StatusCreated)
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, base+"/api/me", nil)
	require.NoError(t, err)
	for _, ck := range jar.Cookies(req.URL) {
		if ck.Name == "shop_session" {
			s.Token = ck.Value
		}
	}
	require.NotEmpty(t, s.Token, "no session cookie")
	s.Cookie = "shop_session=" + s.Token
	return s
}

func do(t *testing.T, c *http.Client, method, url string, body any, want int) []byte {
	t.Helper()
	var rd *bytes.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		require.NoError(t, err)
		rd = bytes.NewReader(raw)
	} else {
		rd = bytes.NewReader(nil)
	}
	req, err := http.NewRequestWithContext(t.Context(), method, url, rd)
	require.NoError(t, err)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("X-Forwarded-For", viewerIP)
	req.Header.Set("Idempotency-Key", fmt.Sprintf("otel-%d", time.Now().UnixNano()))
	res, err := c.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	var out bytes.Buffer
	_, err = out.ReadFrom(res.Body)
	require.NoError(t, err)
	require.Equal(t, want, res.StatusCode, "%s %s: %s", method, url, out.String())
	return out.Bytes()
}
