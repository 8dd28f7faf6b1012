package redis_test

import (
	"bytes"
	"context"
	"crypto/x509"
	"log/slog"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shopstack/shopstack/app/cache"
	"github.com/shopstack/shopstack/app/redis"
	"github.com/shopstack/shopstack/internal/redistest"
)

// syncBuffer is a log sink the breaker's goroutines may write to while the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func open(t *testing.T, cfg redis.Config) (*redis.Cache, *syncBuffer) {
	t.Helper()
	logs := &syncBuffer{}
	cfg.Log = slog.New(slog.NewJSONHandler(logs, nil))
	c, err := redis.Open(cfg)
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })
	return c, logs
}

func get(c cache.Cache, key string) string { return string(c.Get(context.Background(), key)[0]) }

func TestCacheOperations(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t, redistest.Options{})
	c, _ := open(t, redis.Config{URL: "redis://" + srv.Addr()})
	ctx := context.Background()

	c.Fill(ctx, "a", []byte("1"), time.Minute)
	c.Add(ctx, "a", []byte("2"), time.Minute) // NX: a holds a value
	c.Add(ctx, "b", []byte("3"), time.Minute)
	assert.Equal(t, [][]byte{[]byte("1"), []byte("3"), nil}, c.Get(ctx, "a", "b", "missing"))

	c.Invalidate(ctx, cache.Change{Key: "a"}, cache.Change{Key: "b", Value: []byte("gone"), TTL: time.Minute})
	assert.Equal(t, [][]byte{nil, []byte("gone")}, c.Get(ctx, "a", "b"))

	c.Fill(ctx, "short", []byte("x"), 100*time.Millisecond)
	assert.Equal(t, "x", get(c, "short"))
	assert.Eventually(t, func() bool { return get(c, "short") == "" }, 2*time.Second, 20*time.Millisecond)
	assert.True(t, c.Available())
}

// The cache dies and comes back during the test: calls never fail, after the breaker opens
// they return within a few milliseconds, one warning is logged, invalidations made while it
// was away are delivered before it serves a read again, and then it is used again.
func TestOutageAndRecovery(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t, redistest.Options{})
	c, logs := open(t, redis.Config{URL: "redis://" + srv.Addr(), CoolOff: 300 * time.Millisecond})
	ctx := context.Background()
	c.Fill(ctx, "k", []byte("v"), time.Minute)
	require.Equal(t, "v", get(c, "k"))

	srv.Stop()
	for range redis.DefaultFailureThreshold {
		assert.Equal(t, "", get(c, "k"), "a dead cache is a miss")
	}
	assert.False(t, c.Available(), "the breaker opens after the threshold")
	var slowest time.Duration
	for range 200 {
		start := time.Now()
		c.Get(ctx, "k")
		c.Fill(ctx, "k", []byte("w"), time.Minute)
		c.Invalidate(ctx, cache.Change{Key: "k"})
		slowest = max(slowest, time.Since(start))
	}
	assert.Less(t, slowest, 5*time.Millisecond, "with the breaker open no call waits on the dead server")
	assert.Equal(t, 1, strings.Count(logs.String(), "cache unavailable"), "one warning, not one per call: %s", logs)

	// While down, the key was invalidated. The restarted server is empty here, so put the old
	// value back, as a server that only was unreachable would still hold it.
	srv.Restart()
	srv.Do("SET", "k", "stale")
	// Requests start the probe once the cool-off has passed; it closes the breaker.
	assert.Eventually(t, func() bool { c.Get(ctx, "other"); return c.Available() }, 5*time.Second, 20*time.Millisecond)
	assert.Equal(t, "", get(c, "k"), "the pending invalidation was delivered before any read")
	assert.Equal(t, ":0", srv.Do("EXISTS", "k"))
	c.Fill(ctx, "k", []byte("again"), time.Minute)
	assert.Equal(t, "again", get(c, "k"), "the cache is used again")
	assert.Equal(t, "$5", srv.Do("GET", "k"))
	assert.Contains(t, logs.String(), "cache available again")
}

// A server that does not answer at all (accepts, never replies) costs each call at most the
// op timeout until the breaker opens, then nothing.
func TestUnresponsiveServer(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t, redistest.Options{})
	c, _ := open(t, redis.Config{URL: "redis://" + srv.Addr(), OpTimeout: 20 * time.Millisecond, CoolOff: time.Hour})
	require.Equal(t, "", get(c, "warm")) // a pooled connection
	srv.Do("CLIENT", "PAUSE", "5000", "ALL")
	for range redis.DefaultFailureThreshold {
		start := time.Now()
		get(c, "k")
		assert.Less(t, time.Since(start), 200*time.Millisecond)
	}
	assert.False(t, c.Available())
	start := time.Now()
	get(c, "k")
	assert.Less(t, time.Since(start), 2*time.Millisecond)
}

func TestUnreachableAtStart(t *testing.T) {
	t.Parallel()
	c, _ := open(t, redis.Config{URL: "redis://127.0.0.1:1", CoolOff: time.Hour})
	require.Error(t, c.Ping(context.Background()))
	assert.False(t, c.Available(), "a failed start-up ping opens the breaker at once")
	start := time.Now()
	assert.Equal(t, "", get(c, "k"))
	assert.Less(t, time.Since(start), 2*time.Millisecond)
}

// As ElastiCache with in-transit encryption and an ACL user: rediss://user@host:port and the
// user's password, the server's certificate verified against the CA.
func TestTLSAndACL(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t, redistest.Options{TLS: true, NoDefaultUser: true,
		Users: []string{"shop on >s3cret-token ~shop:* &* +@all -@dangerous"}}) // as the stack's ElastiCache user, keys narrowed
	pem, err := os.ReadFile(srv.CAFile())
	require.NoError(t, err)
	roots := x509.NewCertPool()
	require.True(t, roots.AppendCertsFromPEM(pem))
	ctx := context.Background()

	t.Run("the ACL user with its password over TLS", func(t *testing.T) {
		c, _ := open(t, redis.Config{URL: "rediss://shop@" + srv.Addr(), Password: "s3cret-token", RootCAs: roots})
		require.NoError(t, c.Ping(ctx))
		c.Fill(ctx, "shop:k", []byte("v"), time.Minute)
		assert.Equal(t, "v", get(c, "shop:k"))
		c.Fill(ctx, "other:k", []byte("v"), time.Minute)
		assert.Equal(t, "", get(c, "other:k"), "outside the user's key pattern: refused, a miss")
	})
	t.Run("a credentials provider (the IAM seam) is asked per connection", func(t *testing.T) {
		var calls atomic.Int32
		c, _ := open(t, redis.Config{URL: "rediss://ignored@" + srv.Addr(), Password: "ignored", RootCAs: roots,
			Credentials: func(context.Context) (string, string, error) {
				calls.Add(1)
				return "shop", "s3cret-token", nil
			}})
		require.NoError(t, c.Ping(ctx))
		assert.Equal(t, "", get(c, "shop:none"))
		assert.True(t, c.Available())
		assert.GreaterOrEqual(t, calls.Load(), int32(1))
	})
	for name, cfg := range map[string]redis.Config{
		"wrong password":         {URL: "rediss://shop@" + srv.Addr(), Password: "wrong", RootCAs: roots},
		"no user":                {URL: "rediss://" + srv.Addr(), Password: "s3cret-token", RootCAs: roots},
		"unknown CA":             {URL: "rediss://shop@" + srv.Addr(), Password: "s3cret-token"},
		"plain text to TLS port": {URL: "redis://shop@" + srv.Addr(), Password: "s3cret-token", DialTimeout: 200 * time.Millisecond},
	} {
		t.Run(name+" is refused and is a miss", func(t *testing.T) {
			c, _ := open(t, redis.Config{URL: cfg.URL, Password: cfg.Password, RootCAs: cfg.RootCAs,
				OpTimeout: 200 * time.Millisecond, DialTimeout: 200 * time.Millisecond, CoolOff: time.Hour})
			require.Error(t, c.Ping(ctx))
			assert.Equal(t, "", get(c, "shop:k"))
			assert.False(t, c.Available())
		})
	}
}

func TestOpenRejectsBadURLs(t *testing.T) {
	t.Parallel()
	for _, u := range []string{"", "localhost:6379", "http://h:1", "redis://", "rediss:///x", "redis://h:1/notadb"} {
		_, err := redis.Open(redis.Config{URL: u, Log: slog.Default()})
		assert.Error(t, err, u)
	}
	_, err := redis.Open(redis.Config{URL: "redis://u:hunter2@h:1", Log: slog.Default(), FailureThreshold: 0})
	assert.NoError(t, err)
	assert.Equal(t, "redis://u:xxxxx@h:1", redis.Redact("redis://u:hunter2@h:1"))
}

// An invalidation that fails while the server answers (here: the ACL refuses DEL until the
// test allows it) is kept and delivered with the next invalidation, or before the next read.
func TestFailedInvalidationIsDeliveredLater(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t, redistest.Options{Users: []string{"shop on >pw ~* +@all -del"}})
	c, _ := open(t, redis.Config{URL: "redis://shop@" + srv.Addr(), Password: "pw", CoolOff: time.Hour})
	ctx := context.Background()
	for _, k := range []string{"a", "b"} {
		c.Fill(ctx, k, []byte("stale"), time.Minute)
	}

	c.Invalidate(ctx, cache.Change{Key: "a"})
	assert.Equal(t, "$5", srv.Do("GET", "a"), "refused")
	assert.True(t, c.Available(), "one failure does not open the breaker")
	assert.Equal(t, "", get(c, "a"), "while it is pending, reads miss")
	srv.Do("ACL", "SETUSER", "shop", "+del")
	c.Invalidate(ctx, cache.Change{Key: "c", Value: []byte("new"), TTL: time.Minute})
	assert.Equal(t, "$-1", srv.Do("GET", "a"), "delivered with the next invalidation")

	srv.Do("ACL", "SETUSER", "shop", "-del")
	c.Invalidate(ctx, cache.Change{Key: "b"})
	srv.Do("ACL", "SETUSER", "shop", "+del")
	assert.Equal(t, "", get(c, "b"))
	assert.Equal(t, "$-1", srv.Do("GET", "b"), "delivered before the next read")
	assert.Equal(t, "new", get(c, "c"))
}
