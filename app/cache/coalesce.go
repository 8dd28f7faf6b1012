package cache

import (
	"context"
	"time"

	"golang.org/x/sync/singleflight"
)

// loadTimeout bounds a coalesced read. It runs detached from the request that started it, so
// that request's client going away does not fail every other request waiting on the same key.
const loadTimeout = 10 * time.Second

// coalesce runs load once per key at a time on this instance: concurrent callers for the same
// key wait for the first one's result instead of each reading PostgreSQL. started is when the
// read began, so a fill can expire relative to the moment the value was read. A caller whose
// own context ends stops waiting; the read goes on for the others.
func coalesce[T any](ctx context.Context, g *singleflight.Group, key string, load func(context.Context) (T, error), fill func(v T, started time.Time)) (T, error) {
	ch := g.DoChan(key, func() (any, error) {
		lctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), loadTimeout)
		defer cancel()
		started := time.Now()
		v, err := load(lctx)
		if err == nil {
			fill(v, started)
		}
		return v, err
	})
	select {
	case r := <-ch:
		v, _ := r.Val.(T)
		return v, r.Err
	case <-ctx.Done():
		var zero T
		return zero, ctx.Err()
	}
}

// remaining is what is left of ttl since started, or 0 (do not store) when it has run out.
func remaining(ttl time.Duration, started time.Time) time.Duration {
	if d := ttl - time.Since(started); d > time.Millisecond {
		return d
	}
	return 0
}
