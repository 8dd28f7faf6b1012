package postgres

import (
	"runtime"

	"github.com/shopstack/shopstack/app/shop"
)

// Option configures a Store beyond its pool.
type Option func(*Store)

// accountPolicy is how a Store protects accounts and itself: the bound on password hashing.
type accountPolicy struct {
	passwords *shop.BoundedHasher
}

func defaultAccountPolicy() accountPolicy {
	return accountPolicy{
		passwords: shop.NewBoundedHasher(shop.Argon2id{}, shop.HashConcurrency(0, runtime.GOMAXPROCS(0)), shop.DefaultHashWait),
	}
}

// WithPasswordHasher makes the Store hash and check passwords through h. Default: argon2id,
// bounded by shop.HashConcurrency for GOMAXPROCS without a memory limit, waiting
// shop.DefaultHashWait for a slot; cmd/shop passes the bound sized from the memory limit.
func WithPasswordHasher(h *shop.BoundedHasher) Option {
	return func(s *Store) {
		if h != nil {
			s.accounts.passwords = h
		}
	}
}
