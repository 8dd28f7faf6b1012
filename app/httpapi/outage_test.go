package httpapi_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shopstack/shopstack/app/httpapi"
	"github.com/shopstack/shopstack/app/postgres"
	"github.com/shopstack/shopstack/internal/pgtest"
)

// TestDatabaseOutage: with the connection to PostgreSQL cut (a proxy in front of it closes
// every connection and refuses new ones), the API answers 503 unavailable with Retry-After,
// never 500; readyz is 503; the outage is one WARN line, not one per request, and nothing is
// logged at ERROR. When the proxy listens again the service recovers by itself.
func TestDatabaseOutage(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	proxy := pgtest.NewProxy(t)
	logs := &syncBuffer{mu: make(chan struct{}, 1)}
	log := slog.New(slog.NewJSONHandler(logs, nil))
	// The registration count is per IP in the shared database: every test of the package
	// registers from 127.0.0.1, so this store lifts the limit as the package's own does.
	s, err := postgres.Open(ctx, proxy.URL(store.Pool().Config().ConnConfig.ConnString()), 4, log,
		postgres.WithRegistrationLimit(1_000_000, time.Hour))
	require.NoError(t, err)
	defer s.Close()
	e, err := httpapi.New(appConfig(s, log))
	require.NoError(t, err)
	srv := httptest.NewServer(e)
	defer srv.Close()

	c := newClient(t)
	c.base = srv.URL
	r := c.do("POST", "/api/auth/register", map[string]string{"email": uniqueEmail(), "password": "correct horse battery", "name": "Outage"})
	require.Equal(t, http.StatusCreated, r.status, string(r.body))
	p := newProduct(t, 50, 100)
	id := placedOrder(t, c, p)

	proxy.Cut()
	requests := []struct{ method, path string }{
		{"GET", "/api/products"},
		{"GET", "/api/products/" + p.ID},
		{"GET", "/api/me"},
		{"GET", "/api/orders"},
		{"GET", "/api/orders/" + id},
		{"POST", "/api/orders"},
		{"POST", "/api/orders/" + id + "/cancel"},
		{"POST", "/api/auth/login"},
	}
	for round := range 3 {
		for _, rq := range requests {
			var body any
			switch rq.path {
			case "/api/orders":
				if rq.method == "POST" {
					body = orderBody(p.ID, 1)
				}
			case "/api/auth/login":
				body = map[string]string{"email": "nobody@example.com", "password": "correct horse battery"}
			}
			r := c.do(rq.method, rq.path, body, "Idempotency-Key", key())
			if assert.Equal(t, http.StatusServiceUnavailable, r.status, "round %d: %s %s: %s", round, rq.method, rq.path, r.body) {
				assert.Equal(t, "unavailable", r.errorCode(t))
				assert.Equal(t, "5", r.header.Get("Retry-After"))
			}
		}
		r := c.do("GET", "/api/readyz", nil)
		assert.Equal(t, http.StatusServiceUnavailable, r.status)
		assert.Equal(t, "not_ready", r.errorCode(t))
	}
	assert.Equal(t, http.StatusOK, c.do("GET", "/api/healthz", nil).status, "liveness does not depend on the database")

	out := logs.String()
	assert.Equal(t, 1, strings.Count(out, `"level":"WARN"`), "one WARN line for 27 failed requests:\n%s", out)
	assert.Contains(t, out, `"msg":"database unavailable"`)
	assert.NotContains(t, out, `"level":"ERROR"`)
	assert.NotContains(t, out, `"status":500`)

	proxy.Restore()
	deadline := time.Now().Add(15 * time.Second)
	for c.do("GET", "/api/readyz", nil).status != http.StatusOK {
		require.True(t, time.Now().Before(deadline), "the service did not recover")
		time.Sleep(100 * time.Millisecond)
	}
	assert.Equal(t, http.StatusOK, c.do("GET", "/api/me", nil).status, "the session survived the outage")
	assert.Equal(t, "placed", orderStatus(t, userOf(t, c), id), "the cancel during the outage did nothing")
	assert.NotEmpty(t, placedOrder(t, c, p), "orders work again")
	assert.Equal(t, 48, stockOf(t, p.ID))
}

func userOf(t *testing.T, c *client) string {
	t.Helper()
	var u struct {
		ID string `json:"id"`
	}
	c.do("GET", "/api/me", nil).json(t, &u)
	return u.ID
}
