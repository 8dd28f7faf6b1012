package httpapi_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shopstack/shopstack/app/httpapi"
	"github.com/shopstack/shopstack/app/internal/hashtest"
	"github.com/shopstack/shopstack/app/postgres"
	"github.com/shopstack/shopstack/app/shop"
)

// serverWith serves the application over a Store on the package's database, opened with opts.
func serverWith(t *testing.T, opts ...postgres.Option) (*echo.Echo, string) {
	t.Helper()
	s, err := postgres.Open(context.Background(), dbURL, 16, slog.New(slog.DiscardHandler), opts...)
	require.NoError(t, err)
	t.Cleanup(s.Close)
	e, err := httpapi.New(appConfig(s, slog.New(slog.NewJSONHandler(&logBuf, nil))))
	require.NoError(t, err)
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	return e, srv.URL
}

// heldHasher is a counting argon2id hasher under a bound of limit, waiting at most wait.
func heldHasher(limit int, wait time.Duration) (*hashtest.Hasher, postgres.Option) {
	h := hashtest.New(shop.Argon2id{})
	return h, postgres.WithPasswordHasher(shop.NewBoundedHasher(h, limit, wait))
}

// burst sends n requests at once, from n clients, and returns once every one of them has
// been answered or is in the hasher: the answers so far and a function that waits for the rest.
func burst(t *testing.T, base string, h *hashtest.Hasher, n int, send func(c *client, i int) response) ([]response, func() []response) {
	t.Helper()
	var mu sync.Mutex
	var answered []response
	var wg sync.WaitGroup
	var count atomic.Int64
	for i := range n {
		c := newClient(t)
		c.base = base
		wg.Go(func() {
			r := send(c, i)
			mu.Lock()
			answered = append(answered, r)
			mu.Unlock()
			count.Add(1)
		})
	}
	require.True(t, hashtest.WaitFor(30*time.Second, func() bool { return int(count.Load())+h.InFlight() == n }),
		"every request is answered or in the hasher")
	mu.Lock()
	early := append([]response(nil), answered...)
	mu.Unlock()
	return early, func() []response {
		wg.Wait()
		return answered
	}
}

func statusCounts(rs []response) map[int]int {
	n := map[int]int{}
	for _, r := range rs {
		n[r.status]++
	}
	return n
}

func TestPasswordHashingIsBounded(t *testing.T) {
	t.Parallel()
	register := func(c *client, i int) response {
		return c.do("POST", "/api/auth/register", map[string]string{"email": uniqueEmail(), "password": "correct horse battery", "name": "N"},
			"X-Forwarded-For", fmt.Sprintf("192.0.2.%d", i+1))
	}

	t.Run("at most the bound at once", func(t *testing.T) {
		t.Parallel()
		hasher, opt := heldHasher(2, time.Minute)
		_, base := serverWith(t, opt)
		const n = 24
		_, rest := burst(t, base, hasher, n, register)
		assert.Equal(t, map[int]int{http.StatusCreated: n}, statusCounts(rest()))
		hashes, _, maxInFlight := hasher.Stats()
		assert.Equal(t, n, hashes)
		assert.LessOrEqual(t, maxInFlight, 2)
	})

	t.Run("beyond it, busy once the wait expires", func(t *testing.T) {
		t.Parallel()
		hasher, opt := heldHasher(2, 300*time.Millisecond)
		_, base := serverWith(t, opt)
		hasher.Hold()
		defer hasher.Release() // a failed assertion must not leave requests held
		const n = 10
		start := time.Now()
		early, rest := burst(t, base, hasher, n, register)
		assert.Equal(t, 2, hasher.InFlight())
		require.Len(t, early, n-2)
		assert.GreaterOrEqual(t, time.Since(start), 300*time.Millisecond, "the excess waited before giving up")
		for _, r := range early {
			assert.Equal(t, http.StatusServiceUnavailable, r.status)
			assert.Equal(t, "busy", r.errorCode(t))
			assert.Equal(t, "1", r.header.Get("Retry-After"))
		}
		hasher.Release()
		assert.Equal(t, map[int]int{http.StatusCreated: 2, http.StatusServiceUnavailable: n - 2}, statusCounts(rest()))
		_, _, maxInFlight := hasher.Stats()
		assert.Equal(t, 2, maxInFlight)
	})
}

func loginBody(email, password string) map[string]string {
	return map[string]string{"email": email, "password": password}
}

func TestPromotionRevokesSessions(t *testing.T) {
	t.Parallel()
	email := uniqueEmail()
	squatter := newClient(t)
	r := squatter.do("POST", "/api/auth/register", map[string]string{"email": email, "password": "squatter password", "name": "Squatter"})
	require.Equal(t, http.StatusCreated, r.status)
	require.Equal(t, http.StatusOK, squatter.do("GET", "/api/me", nil).status)

	// SHOP_ADMIN_EMAIL names the address at the next start.
	_, err := store.EnsureAdmin(context.Background(), email, "operator password", "Admin")
	require.NoError(t, err)
	r = squatter.do("GET", "/api/me", nil)
	assert.Equal(t, http.StatusUnauthorized, r.status, "the session made before the promotion is refused")
	assert.Equal(t, http.StatusUnauthorized, squatter.do("POST", "/api/admin/products", map[string]any{"sku": "X-1"}).status,
		"nor does it reach an admin route")

	operator := newClient(t)
	r = operator.do("POST", "/api/auth/login", loginBody(email, "operator password"))
	require.Equal(t, http.StatusOK, r.status)
	var u shop.User
	operator.do("GET", "/api/me", nil).json(t, &u)
	assert.True(t, u.IsAdmin)
}
