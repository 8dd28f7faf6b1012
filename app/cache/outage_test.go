package cache_test

import (
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shopstack/shopstack/app/cache"
	"github.com/shopstack/shopstack/app/httpapi"
)

// The whole service, wired as cmd/shop wires it, while its Redis is killed and restarted:
// browsing, sessions and orders keep working from PostgreSQL, and the cache is used again.
func TestServiceThroughACacheOutage(t *testing.T) {
	t.Parallel()
	srv, rc := newRedis(t)
	cnt := &counting{Store: store}
	log := slog.New(slog.NewJSONHandler(io.Discard, nil))
	e, err := httpapi.New(httpapi.Config{Products: cache.NewProducts(cnt, cnt, rc), Search: cnt, Accounts: cache.NewAccounts(cnt, rc),
		Orders: cache.NewOrders(store, rc), Readiness: store, Log: log})
	require.NoError(t, err)
	web := httptest.NewServer(e)
	t.Cleanup(web.Close)
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, Timeout: 10 * time.Second}
	p := newProduct(t, "outage", 1000)
	do := func(method, path, body string, hdr ...string) int {
		t.Helper()
		req, err := http.NewRequest(method, web.URL+path, bytes.NewBufferString(body))
		require.NoError(t, err)
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		for i := 0; i+1 < len(hdr); i += 2 {
			req.Header.Set(hdr[i], hdr[i+1])
		}
		res, err := client.Do(req)
		require.NoError(t, err)
		_, _ = io.Copy(io.Discard, res.Body)
		_ = res.Body.Close()
		return res.StatusCode
	}
	require.Equal(t, http.StatusCreated, do("POST", "/api/auth/register",
		fmt.Sprintf(`{"email":"outage%d@cache.example.com","password":"a long password","name":"O"}`, time.Now().UnixNano())))
	require.Equal(t, http.StatusOK, do("GET", "/api/products/"+p.ID, ""))
	require.Equal(t, http.StatusOK, do("GET", "/api/me", ""))

	srv.Stop()
	var took []time.Duration
	for i := range 60 {
		start := time.Now()
		assert.Equal(t, http.StatusOK, do("GET", "/api/products/"+p.ID, ""))
		assert.Equal(t, http.StatusOK, do("GET", "/api/me", ""))
		assert.Equal(t, http.StatusCreated, do("POST", "/api/orders", fmt.Sprintf(`{"items":[{"product_id":%q,"quantity":1}]}`, p.ID),
			"Idempotency-Key", fmt.Sprintf("outage-%d", i)))
		took = append(took, time.Since(start))
	}
	assert.False(t, rc.Available())
	slices.Sort(took)
	t.Logf("three requests with the cache down: median %v, max %v", took[len(took)/2], took[len(took)-1])
	stock, err := store.GetProduct(t.Context(), p.ID)
	require.NoError(t, err)
	assert.Equal(t, 1000-60, stock.Stock, "every order sold, by PostgreSQL")

	srv.Restart()
	require.Eventually(t, func() bool {
		do("GET", "/api/products/"+p.ID, "")
		return rc.Available()
	}, 5*time.Second, 20*time.Millisecond)
	require.Equal(t, http.StatusOK, do("GET", "/api/products/"+p.ID, ""))
	require.Equal(t, http.StatusOK, do("GET", "/api/me", ""))
	gets, sessions := cnt.gets.Load(), cnt.sessions.Load()
	for range 20 {
		require.Equal(t, http.StatusOK, do("GET", "/api/products/"+p.ID, ""))
		require.Equal(t, http.StatusOK, do("GET", "/api/me", ""))
	}
	assert.Equal(t, gets, cnt.gets.Load(), "products come from the cache again")
	assert.Equal(t, sessions, cnt.sessions.Load(), "sessions come from the cache again")
}

// Through HTTP with the cache: after logout, a copy of the cookie is refused at once, on this
// instance and on another one whose cache entry was warm.
func TestLogoutThroughHTTPRefusesACopiedCookie(t *testing.T) {
	t.Parallel()
	_, rc := newRedis(t)
	log := slog.New(slog.NewJSONHandler(io.Discard, nil))
	serve := func() *httptest.Server {
		e, err := httpapi.New(httpapi.Config{Products: cache.NewProducts(store, store, rc), Search: store, Accounts: cache.NewAccounts(store, rc),
			Orders: cache.NewOrders(store, rc), Readiness: store, Log: log})
		require.NoError(t, err)
		s := httptest.NewServer(e)
		t.Cleanup(s.Close)
		return s
	}
	a, b := serve(), serve()
	res, err := http.Post(a.URL+"/api/auth/register", "application/json", bytes.NewBufferString(
		fmt.Sprintf(`{"email":"copy%d@cache.example.com","password":"a long password","name":"C"}`, time.Now().UnixNano())))
	require.NoError(t, err)
	_ = res.Body.Close()
	require.Equal(t, http.StatusCreated, res.StatusCode)
	cookie := res.Cookies()[0]
	call := func(srv *httptest.Server, path string) int {
		t.Helper()
		method := http.MethodGet
		if path == "/api/auth/logout" {
			method = http.MethodPost
		}
		req, err := http.NewRequest(method, srv.URL+path, nil)
		require.NoError(t, err)
		req.AddCookie(cookie)
		res, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		_ = res.Body.Close()
		return res.StatusCode
	}
	require.Equal(t, http.StatusOK, call(a, "/api/me"))
	require.Equal(t, http.StatusOK, call(b, "/api/me"))
	require.Equal(t, http.StatusNoContent, call(a, "/api/auth/logout"))
	assert.Equal(t, http.StatusUnauthorized, call(a, "/api/me"))
	assert.Equal(t, http.StatusUnauthorized, call(b, "/api/me"))
}
