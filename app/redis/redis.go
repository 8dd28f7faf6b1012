// Package redis is the cache.Cache adapter for Valkey / Redis (ElastiCache on AWS), on
// go-redis v9. It puts a circuit breaker in front of the server, so a dead or unreachable
// cache costs the service speed, never availability: after a few consecutive failures the
// cache is skipped entirely for a cool-off, then one background probe decides whether to use
// it again. Invalidations that could not be delivered are kept and delivered before the
// cache serves another read.
package redis

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/shopstack/shopstack/app/cache"
	"github.com/shopstack/shopstack/app/telemetry"
)

// Defaults of Config.
const (
	DefaultOpTimeout        = 100 * time.Millisecond
	DefaultDialTimeout      = 250 * time.Millisecond
	DefaultFailureThreshold = 5
	DefaultCoolOff          = 2 * time.Second
	// maxPending bounds the invalidations kept while the server is unreachable. Beyond it they
	// are counted as lost; the entries they concerned expire within their TTL anyway.
	maxPending   = 10_000
	probeTimeout = time.Second
)

// Config configures Open. Only URL is required.
type Config struct {
	// URL is redis://[user@]host:port[/db] or rediss://... (TLS, as ElastiCache with
	// in-transit encryption). A password in the URL is accepted; Password overrides it.
	URL string
	// Password is the AUTH password or the ACL user's password (the ElastiCache auth token).
	Password string
	// Credentials, when set, is called on every new connection for the username and password
	// and takes precedence over both: the seam for ElastiCache IAM authentication, whose
	// password is a short-lived SigV4 token generated per connection.
	Credentials func(ctx context.Context) (username, password string, err error)
	// RootCAs verifies a rediss:// server. Default nil: the system roots (ElastiCache's
	// certificates chain to Amazon's public roots).
	RootCAs *x509.CertPool
	// OpTimeout bounds one cache call while the breaker is closed. Default DefaultOpTimeout.
	OpTimeout time.Duration
	// DialTimeout bounds opening a connection (TCP and TLS). Default DefaultDialTimeout.
	DialTimeout time.Duration
	// FailureThreshold consecutive failures open the breaker. Default DefaultFailureThreshold.
	FailureThreshold int
	// CoolOff is how long an open breaker skips the cache before probing. Default DefaultCoolOff.
	CoolOff time.Duration
	// Log receives one warning when the cache becomes unavailable and one line when it is
	// back, never one per request. Required.
	Log *slog.Logger
}

// Cache is a cache.Cache on a Redis or Valkey server.
type Cache struct {
	rdb       *goredis.Client
	br        *breaker
	log       *slog.Logger
	opTimeout time.Duration
	coolOff   time.Duration

	pmu        sync.Mutex
	pending    map[string]cache.Change // undelivered invalidations, the latest per key
	lost       int                     // invalidations dropped because pending was full
	hasPending atomic.Bool
}

var _ cache.Cache = (*Cache)(nil)

// Open builds the client. It does not contact the server: the service starts, uncached,
// while the cache is unreachable, and uses it once the breaker's probe finds it.
func Open(cfg Config) (*Cache, error) {
	if cfg.Log == nil {
		return nil, errors.New("redis.Config: Log is required")
	}
	u, err := url.Parse(cfg.URL)
	if err != nil || (u.Scheme != "redis" && u.Scheme != "rediss") || u.Host == "" {
		return nil, fmt.Errorf("cache URL %q: want redis://[user@]host:port or rediss://[user@]host:port", Redact(cfg.URL))
	}
	opts, err := goredis.ParseURL(cfg.URL)
	if err != nil {
		return nil, fmt.Errorf("cache URL %q: %w", Redact(cfg.URL), err)
	}
	if cfg.Password != "" {
		opts.Password = cfg.Password
	}
	opts.CredentialsProviderContext = cfg.Credentials
	if opts.TLSConfig != nil {
		opts.TLSConfig.MinVersion = tls.VersionTLS12
		opts.TLSConfig.RootCAs = cfg.RootCAs
	}
	c := &Cache{log: cfg.Log, opTimeout: or(cfg.OpTimeout, DefaultOpTimeout), coolOff: or(cfg.CoolOff, DefaultCoolOff),
		pending: map[string]cache.Change{}}
	opts.DialTimeout = or(cfg.DialTimeout, DefaultDialTimeout)
	opts.ReadTimeout, opts.WriteTimeout, opts.PoolTimeout = c.opTimeout, c.opTimeout, c.opTimeout
	opts.ContextTimeoutEnabled = true
	// No retries inside go-redis: a failure is a miss, and the breaker decides what comes next.
	opts.MaxRetries, opts.DialerRetries = -1, 1
	// CLIENT SETINFO is Redis 7.2+; skipping it saves a round trip per connection.
	opts.DisableIdentity = true
	quietLibrary(cfg.Log)
	c.rdb = goredis.NewClient(opts)
	// A span per command or pipeline, without arguments; no-op without telemetry.Setup.
	if err := telemetry.InstrumentRedis(c.rdb); err != nil {
		return nil, fmt.Errorf("redis: telemetry: %w", err)
	}
	threshold := cfg.FailureThreshold
	if threshold <= 0 {
		threshold = DefaultFailureThreshold
	}
	c.br = &breaker{threshold: threshold, coolOff: c.coolOff, now: time.Now, probe: c.probe}
	return c, nil
}

// go-redis logs every failed dial through a package-level logger; with the server down that
// is a line per probe. The breaker already reports the outage once, so the library's lines
// go to the first logger's Debug level. go-redis offers only the global setter.
var quietOnce sync.Once

func quietLibrary(log *slog.Logger) {
	quietOnce.Do(func() { goredis.SetLogger(debugLogger{log}) })
}

type debugLogger struct{ log *slog.Logger }

func (d debugLogger) Printf(ctx context.Context, format string, v ...any) {
	d.log.DebugContext(ctx, "go-redis: "+fmt.Sprintf(format, v...))
}

func or(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}

// Redact masks the password of a cache URL for logs.
func Redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparseable, hidden)"
	}
	return u.Redacted()
}

// Close closes the connections.
func (c *Cache) Close() error { return c.rdb.Close() }

// Available reports whether the breaker is closed (the cache is in use).
func (c *Cache) Available() bool { return c.br.isClosed() }

// Get reads keys with one MGET. An open breaker, an undeliverable pending invalidation or
// any error is a miss.
func (c *Cache) Get(ctx context.Context, keys ...string) [][]byte {
	out := make([][]byte, len(keys))
	if !c.br.allow() {
		return out
	}
	if c.hasPending.Load() {
		if err := c.flush(ctx, c.opTimeout); err != nil {
			c.failed(ctx, err)
			return out
		}
	}
	octx, cancel := context.WithTimeout(ctx, c.opTimeout)
	defer cancel()
	vals, err := c.rdb.MGet(octx, keys...).Result()
	if err != nil {
		c.failed(ctx, err)
		return out
	}
	c.br.success()
	for i, v := range vals {
		if s, ok := v.(string); ok {
			out[i] = []byte(s)
		}
	}
	return out
}

// Fill stores val (SET PX). Skipped while invalidations are pending or the breaker is open.
func (c *Cache) Fill(ctx context.Context, key string, val []byte, ttl time.Duration) {
	c.write(ctx, func(ctx context.Context) error { return c.rdb.Set(ctx, key, val, ttl).Err() })
}

// Add stores val unless key exists (SET NX PX).
func (c *Cache) Add(ctx context.Context, key string, val []byte, ttl time.Duration) {
	c.write(ctx, func(ctx context.Context) error { return c.rdb.SetNX(ctx, key, val, ttl).Err() })
}

func (c *Cache) write(ctx context.Context, do func(context.Context) error) {
	if c.hasPending.Load() || !c.br.allow() {
		return
	}
	octx, cancel := context.WithTimeout(ctx, c.opTimeout)
	defer cancel()
	if err := do(octx); err != nil {
		c.failed(ctx, err)
		return
	}
	c.br.success()
}

// Invalidate applies changes in one pipeline. When that is not possible now (breaker open,
// an error) they are kept and delivered before the next read this instance serves.
func (c *Cache) Invalidate(ctx context.Context, changes ...cache.Change) {
	allowed := c.br.allow()
	if allowed && !c.hasPending.Load() {
		octx, cancel := context.WithTimeout(ctx, c.opTimeout)
		err := c.apply(octx, changes)
		cancel()
		if err == nil {
			c.br.success()
			return
		}
		c.failed(ctx, err)
		allowed = false
	}
	c.remember(changes)
	if allowed {
		// Earlier ones are pending while the server answers: deliver them all now rather than
		// at the next read, which another instance's reads do not wait for.
		if err := c.flush(ctx, c.opTimeout); err != nil {
			c.failed(ctx, err)
		}
	}
}

func (c *Cache) remember(changes []cache.Change) {
	c.pmu.Lock()
	for _, ch := range changes {
		if _, ok := c.pending[ch.Key]; !ok && len(c.pending) >= maxPending {
			c.lost++
			continue
		}
		c.pending[ch.Key] = ch
	}
	c.hasPending.Store(true)
	c.pmu.Unlock()
}

// apply sends changes as one pipeline of single-key commands (so it also works against a
// cluster-mode endpoint, where a multi-key DEL would cross slots).
func (c *Cache) apply(ctx context.Context, changes []cache.Change) error {
	_, err := c.rdb.Pipelined(ctx, func(p goredis.Pipeliner) error {
		for _, ch := range changes {
			if ch.Value == nil {
				p.Del(ctx, ch.Key)
			} else {
				p.Set(ctx, ch.Key, ch.Value, ch.TTL)
			}
		}
		return nil
	})
	return err
}

// flush delivers the pending invalidations within timeout.
func (c *Cache) flush(ctx context.Context, timeout time.Duration) error {
	c.pmu.Lock()
	defer c.pmu.Unlock()
	if len(c.pending) == 0 {
		c.hasPending.Store(false)
		return nil
	}
	changes := make([]cache.Change, 0, len(c.pending))
	for _, ch := range c.pending {
		changes = append(changes, ch)
	}
	octx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if err := c.apply(octx, changes); err != nil {
		return fmt.Errorf("deliver %d pending invalidations: %w", len(changes), err)
	}
	if c.lost > 0 {
		c.log.Warn("cache: invalidations were lost while the cache was unreachable; their entries expire within their TTL",
			"lost", c.lost, "delivered", len(changes))
	}
	clear(c.pending)
	c.lost = 0
	c.hasPending.Store(false)
	return nil
}

// failed counts a failure, unless the caller's own context ended or every pooled connection
// was busy: neither says the server is down (a hung server shows as the busy connections' own
// timeouts), and opening the breaker under load would send the load to PostgreSQL.
func (c *Cache) failed(ctx context.Context, err error) {
	if ctx.Err() != nil || errors.Is(err, goredis.ErrPoolTimeout) {
		return
	}
	if c.br.failure() {
		c.log.Warn("cache unavailable: serving from PostgreSQL until it answers again",
			"err", err.Error(), "probe_in", c.coolOff.String())
	}
}

// probe is the half-open state: PING, deliver what is pending, and only then use the cache.
func (c *Cache) probe() {
	ctx, cancel := context.WithTimeout(context.Background(), probeTimeout)
	defer cancel()
	err := c.rdb.Ping(ctx).Err()
	if err != nil {
		// A connection the server closed while it was away fails once; a second PING dials anew.
		err = c.rdb.Ping(ctx).Err()
	}
	if err == nil {
		err = c.flush(ctx, probeTimeout/2)
	}
	c.br.probed(err == nil)
	if err == nil {
		c.log.Info("cache available again")
	}
}

// Ping checks the server once (at start). A failure opens the breaker at once, so the first
// requests do not each find out again.
func (c *Cache) Ping(ctx context.Context) error {
	err := c.rdb.Ping(ctx).Err()
	if err != nil {
		c.br.trip()
	}
	return err
}
