package cache_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/shopstack/shopstack/app/postgres"
	"github.com/shopstack/shopstack/app/redis"
	"github.com/shopstack/shopstack/app/shop"
	"github.com/shopstack/shopstack/internal/pgtest"
	"github.com/shopstack/shopstack/internal/redistest"
)

var store *postgres.Store

func TestMain(m *testing.M) {
	pgtest.Main(m, func(dbURL string) {
		ctx := context.Background()
		s, err := postgres.Open(ctx, dbURL, 20, slog.New(slog.NewJSONHandler(io.Discard, nil)))
		if err != nil {
			panic(err)
		}
		if _, err := s.Migrate(ctx); err != nil {
			panic(err)
		}
		store = s
	})
}

// counting is the real store, counting the reads that reach PostgreSQL. delay slows each read
// down, so concurrent callers surely overlap; afterSession runs after a session read.
type counting struct {
	*postgres.Store
	gets, lists, sessions atomic.Int64
	delay                 time.Duration
	afterSession          func()
}

func (c *counting) GetProduct(ctx context.Context, id string) (shop.Product, error) {
	c.gets.Add(1)
	time.Sleep(c.delay)
	return c.Store.GetProduct(ctx, id)
}

func (c *counting) SearchProducts(ctx context.Context, q shop.ProductQuery) (shop.ProductPage, error) {
	c.lists.Add(1)
	time.Sleep(c.delay)
	return c.Store.SearchProducts(ctx, q)
}

func (c *counting) SessionUser(ctx context.Context, token string) (shop.User, time.Time, error) {
	c.sessions.Add(1)
	u, exp, err := c.Store.SessionUser(ctx, token)
	if c.afterSession != nil {
		c.afterSession()
	}
	return u, exp, err
}

// newRedis starts a private redis-server and a cache on it with a short cool-off.
func newRedis(t *testing.T) (*redistest.Server, *redis.Cache) {
	t.Helper()
	srv := redistest.Start(t, redistest.Options{})
	// A generous op timeout: these tests are about what is cached, and the machine may be busy
	// (the adapter's timeouts have their own tests in app/redis).
	rc, err := redis.Open(redis.Config{URL: "redis://" + srv.Addr(), CoolOff: 200 * time.Millisecond, OpTimeout: time.Second,
		Log: slog.New(slog.NewJSONHandler(io.Discard, nil))})
	require.NoError(t, err)
	t.Cleanup(func() { _ = rc.Close() })
	return srv, rc
}

var seq atomic.Int64

func newProduct(t *testing.T, category string, stock int) shop.Product {
	t.Helper()
	n := seq.Add(1)
	p, err := store.CreateProduct(context.Background(), shop.NewProduct{
		SKU: fmt.Sprintf("CACHE-%d-%d", time.Now().UnixNano()%1e9, n), Name: fmt.Sprintf("Cached %03d", n),
		PriceCents: 500, Currency: "USD", Stock: stock, Category: category})
	require.NoError(t, err)
	return p
}

func newUser(t *testing.T) shop.User {
	t.Helper()
	u, _ := newUserWithSession(t)
	return u
}

// newUserWithSession registers an account, which logs it in, from a documentation address
// (192.0.2.0/24) of its own, so the per-IP registration limit never refuses the tests' accounts.
func newUserWithSession(t *testing.T) (shop.User, shop.Session) {
	t.Helper()
	n := seq.Add(1)
	u, s, err := store.Register(context.Background(), shop.Registration{
		Email: fmt.Sprintf("c%d-%d@cache.example.com", n, time.Now().UnixNano()), Password: "a long password", Name: "C"},
		fmt.Sprintf("192.0.2.%d", n%250+1))
	require.NoError(t, err)
	return u, s
}
