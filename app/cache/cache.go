// Package cache puts a shared cache (Valkey / Redis on AWS) in front of the shop's stores. It
// holds the small Cache interface, its default None (no cache), and decorators for
// shop.ProductStore, shop.OrderStore and shop.AccountStore that read through it.
//
// The cache is never needed for correctness or availability: PostgreSQL stays the source of
// truth, every value has a short expiry, a cache that fails or answers nothing is a miss, and
// orders are always decided by PostgreSQL. The Redis adapter is in package app/redis.
package cache

import (
	"context"
	"time"

	"github.com/shopstack/shopstack/app/telemetry"
)

// Cache is a best-effort shared key-value store. It never returns an error: a failure is a
// miss (Get) or a dropped write (Fill, Add), and the adapter decides how to report it.
type Cache interface {
	// Get returns the values of keys, nil for a miss, in the order of keys.
	Get(ctx context.Context, keys ...string) [][]byte
	// Fill stores val under key for ttl, replacing any value.
	Fill(ctx context.Context, key string, val []byte, ttl time.Duration)
	// Add stores val under key for ttl only if key holds nothing, so a fill read before an
	// invalidation cannot overwrite the invalidation's tombstone.
	Add(ctx context.Context, key string, val []byte, ttl time.Duration)
	// Invalidate applies changes that remove or supersede stale values. An adapter that
	// cannot apply them now must apply them before it serves a read again.
	Invalidate(ctx context.Context, changes ...Change)
}

// Change is one invalidation: delete Key (Value nil) or set it to Value for TTL (0: no expiry),
// e.g. a tombstone or a new generation.
type Change struct {
	Key   string
	Value []byte
	TTL   time.Duration
}

// None is the default: no cache. Every Get misses and every write is dropped, so the
// decorators read PostgreSQL each time (still coalescing concurrent reads of one key).
type None struct{}

// Get misses.
func (None) Get(_ context.Context, keys ...string) [][]byte { return make([][]byte, len(keys)) }

// Fill does nothing.
func (None) Fill(context.Context, string, []byte, time.Duration) {}

// Add does nothing.
func (None) Add(context.Context, string, []byte, time.Duration) {}

// Invalidate does nothing.
func (None) Invalidate(context.Context, ...Change) {}

// lookup counts a lookup of kind as a hit or a miss, unless there is no cache at all.
func lookup(ctx context.Context, c Cache, kind string, hit bool) {
	if _, none := c.(None); !none {
		telemetry.CacheLookup(ctx, kind, hit)
	}
}
