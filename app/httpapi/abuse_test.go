package httpapi_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
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

func loginBody(email, password string) map[string]string {
	return map[string]string{"email": email, "password": password}
}

func TestConcurrentGuessesForOneAccount(t *testing.T) {
	t.Parallel()
	hasher, opt := heldHasher(64, time.Minute)
	_, base := serverWith(t, opt)
	email := uniqueEmail()
	owner := newClient(t)
	owner.base = base
	r := owner.do("POST", "/api/auth/register", map[string]string{"email": email, "password": "correct horse battery", "name": "Owner"})
	require.Equal(t, http.StatusCreated, r.status)

	// The checks are held, so every guess arrives while the first ones are still being
	// checked: the throttle must count attempts in flight, not only failures.
	hasher.Hold()
	defer hasher.Release() // a failed assertion must not leave requests held
	const guesses = 60
	early, rest := burst(t, base, hasher, guesses-1, func(c *client, i int) response {
		return c.do("POST", "/api/auth/login", loginBody(email, fmt.Sprintf("wrong guess %d", i)),
			"X-Forwarded-For", fmt.Sprintf("203.0.113.%d", i+1))
	})
	checking := hasher.InFlight()
	assert.LessOrEqual(t, checking, 5, "at most the account threshold of passwords are checked")
	assert.Equal(t, map[int]int{http.StatusTooManyRequests: guesses - 1 - checking}, statusCounts(early))

	right := owner.do("POST", "/api/auth/login", loginBody(email, "correct horse battery"), "X-Forwarded-For", "203.0.113.200")
	assert.Equal(t, http.StatusTooManyRequests, right.status, "the right password among the guesses does not bypass the throttle")
	assert.Equal(t, "too_many_attempts", right.errorCode(t))
	hasher.Release()

	all := rest()
	_, checks, _ := hasher.Stats()
	assert.Equal(t, checking, checks, "no password was checked after the held ones")
	assert.Equal(t, map[int]int{http.StatusUnauthorized: checks, http.StatusTooManyRequests: guesses - 1 - checks}, statusCounts(all))
	for _, r := range all {
		if r.status == http.StatusTooManyRequests {
			assert.Equal(t, "too_many_attempts", r.errorCode(t))
			assert.NotEmpty(t, r.header.Get("Retry-After"))
		}
	}
	assert.Equal(t, http.StatusUnauthorized, newClient(t).do("GET", "/api/me", nil).status)
}

func TestConcurrentGuessesFromOneIP(t *testing.T) {
	t.Parallel()
	hasher, opt := heldHasher(64, time.Minute)
	_, base := serverWith(t, opt)
	hasher.Hold()
	defer hasher.Release() // a failed assertion must not leave requests held
	const guesses = 40
	early, rest := burst(t, base, hasher, guesses, func(c *client, i int) response {
		return c.do("POST", "/api/auth/login", loginBody(fmt.Sprintf("spray%d-%s", i, uniqueEmail()), "wrong guess"),
			"X-Forwarded-For", "198.51.100.77")
	})
	checking := hasher.InFlight()
	assert.LessOrEqual(t, checking, 20, "at most the IP threshold of passwords are checked")
	assert.Equal(t, map[int]int{http.StatusTooManyRequests: guesses - checking}, statusCounts(early))
	hasher.Release()
	all := rest()
	_, checks, _ := hasher.Stats()
	assert.Equal(t, checking, checks)
	assert.Equal(t, map[int]int{http.StatusUnauthorized: checks, http.StatusTooManyRequests: guesses - checks}, statusCounts(all))
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

func TestRegistrationIsRateLimitedPerClientIP(t *testing.T) {
	t.Parallel()
	e, base := serverWith(t, postgres.WithRegistrationLimit(3, time.Hour))
	c := newClient(t)
	c.base = base
	register := func(headers ...string) response {
		return c.do("POST", "/api/auth/register", map[string]string{"email": uniqueEmail(), "password": "correct horse battery", "name": "N"}, headers...)
	}
	for range 3 {
		require.Equal(t, http.StatusCreated, register("X-Forwarded-For", "192.0.2.50").status)
	}
	r := register("X-Forwarded-For", "192.0.2.50")
	assert.Equal(t, http.StatusTooManyRequests, r.status)
	assert.Equal(t, "too_many_attempts", r.errorCode(t))
	wait, err := strconv.Atoi(r.header.Get("Retry-After"))
	require.NoError(t, err)
	assert.InDelta(t, 3600, wait, 120, "until the window that began with the first registration ends")
	assert.Equal(t, http.StatusCreated, register("X-Forwarded-For", "192.0.2.51").status, "another client has its own count")

	// From a public peer X-Forwarded-For is not believed: varying it does not reset the count.
	for i := range 4 {
		req := httptest.NewRequest(http.MethodPost, "/api/auth/register",
			strings.NewReader(`{"email":"`+uniqueEmail()+`","password":"correct horse battery","name":"N"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Forwarded-For", fmt.Sprintf("192.0.2.%d", 100+i))
		req.RemoteAddr = "198.51.100.99:4242"
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, req)
		want := http.StatusCreated
		if i == 3 {
			want = http.StatusTooManyRequests
		}
		assert.Equal(t, want, rec.Code, "registration %d from the public peer", i+1)
	}
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
