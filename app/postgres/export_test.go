package postgres

import (
	"context"

	"github.com/shopstack/shopstack/app/shop"
)

// PlaceOrderLocked runs one attempt of the order transaction in the mode PlaceOrder falls back
// to after placeAttempts optimistic misses (rows locked as they are read), which a test cannot
// reach on demand through PlaceOrder.
func (s *Store) PlaceOrderLocked(ctx context.Context, userID, key string, req shop.OrderRequest,
	render func(shop.Order) ([]byte, error)) (shop.IdempotentResult, error) {
	return s.placeOrder(ctx, userID, key, req, render, true)
}

// LatestVersion is the schema version of this build's migrations.
var LatestVersion = latestVersion

// QueuedOrders is how many orders wait in the group queue led by productID.
func (s *Store) QueuedOrders(productID string) int {
	s.group.mu.Lock()
	defer s.group.mu.Unlock()
	if q := s.group.queues[productID]; q != nil {
		return len(q.pending)
	}
	return 0
}

// SoldOutListening reports whether the sold-out listener is connected (marks are trusted).
func (s *Store) SoldOutListening() bool {
	s.soldOut.mu.Lock()
	defer s.soldOut.mu.Unlock()
	return s.soldOut.listening
}

// WithGroupFailure makes every group transaction fail before it writes, for the fallback test.
func WithGroupFailure(err error) Option {
	return func(s *Store) {
		s.hook = func([]*groupEntry) error { return err }
	}
}
