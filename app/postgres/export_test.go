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

// LatestVersion is the version the embedded migrations bring a database to.
func LatestVersion() int32 {
	v, err := latestVersion()
	if err != nil {
		panic(err)
	}
	return v
}
