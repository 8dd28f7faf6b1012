package search

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/shopstack/shopstack/app/shop"
)

// Fallback answers from Primary (OpenSearch) and, when Primary fails (unreachable, no index yet
// before the first `shop search reindex`, a 5xx), from Secondary (PostgreSQL, which holds every
// product): the search engine is optional infrastructure, so a dead one costs ranking quality
// and speed, never the catalog. A bad query is the shopper's error and is not retried. The
// failure is logged at WARN at most once per LogEvery.
type Fallback struct {
	Primary, Secondary shop.ProductSearcher
	Log                *slog.Logger
	LogEvery           time.Duration

	mu     sync.Mutex
	logged time.Time
}

// SearchProducts implements shop.ProductSearcher.
func (f *Fallback) SearchProducts(ctx context.Context, q shop.ProductQuery) (shop.ProductPage, error) {
	page, err := f.Primary.SearchProducts(ctx, q)
	if err == nil || ctx.Err() != nil {
		return page, err
	}
	var se *shop.Error
	if errors.As(err, &se) && se.Code == shop.CodeInvalidInput {
		return page, err
	}
	f.warn(err)
	// A cursor of one engine means nothing to the other (relevance scores differ): the
	// secondary answers from the first page rather than from a position it cannot place.
	if q.Sort == shop.SortRelevance {
		q.After = nil
	}
	return f.Secondary.SearchProducts(ctx, q)
}

func (f *Fallback) warn(err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if now := time.Now(); now.Sub(f.logged) >= f.LogEvery {
		f.logged = now
		f.Log.Warn("search engine failed; answering from PostgreSQL", "err", err.Error())
	}
}
