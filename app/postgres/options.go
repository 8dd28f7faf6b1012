package postgres

import (
	"runtime"
	"time"

	"github.com/shopstack/shopstack/app/shop"
)

// Option configures a Store beyond its pool.
type Option func(*Store)

// Defaults of the per-IP registration limit.
const (
	DefaultRegistrationLimit  = 20
	DefaultRegistrationWindow = time.Hour
)

// accountPolicy is how a Store protects accounts and itself: the bound on password hashing and
// the per-IP registration limit. (The login throttle's thresholds are fixed; see throttle.go.)
type accountPolicy struct {
	passwords          *shop.BoundedHasher
	registrationLimit  int
	registrationWindow time.Duration
}

func defaultAccountPolicy() accountPolicy {
	return accountPolicy{
		passwords:          shop.NewBoundedHasher(shop.Argon2id{}, shop.HashConcurrency(0, runtime.GOMAXPROCS(0)), shop.DefaultHashWait),
		registrationLimit:  DefaultRegistrationLimit,
		registrationWindow: DefaultRegistrationWindow,
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

// WithRegistrationLimit allows each client IP at most n registrations per window. Default
// DefaultRegistrationLimit per DefaultRegistrationWindow; n < 1 or window <= 0 keeps it.
func WithRegistrationLimit(n int, window time.Duration) Option {
	return func(s *Store) {
		if n >= 1 && window > 0 {
			s.accounts.registrationLimit, s.accounts.registrationWindow = n, window
		}
	}
}
