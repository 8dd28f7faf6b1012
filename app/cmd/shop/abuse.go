package main

import (
	"fmt"
	"runtime"
	"strconv"
	"time"

	"github.com/shopstack/shopstack/app/internal/memlimit"
	"github.com/shopstack/shopstack/app/postgres"
	"github.com/shopstack/shopstack/app/shop"
)

// abuseConfig is the configuration of the service's self-protection: how many password hashes
// may run at once, and how many registrations each client IP may make.
type abuseConfig struct {
	HashConcurrency int
	// HashConcurrencyFrom says where HashConcurrency came from, for the startup log.
	HashConcurrencyFrom string
	RegisterLimit       int
	RegisterWindow      time.Duration
}

func loadAbuseConfig(getenv func(string) string) (abuseConfig, []error) {
	var errs []error
	c := abuseConfig{RegisterLimit: postgres.DefaultRegistrationLimit, RegisterWindow: postgres.DefaultRegistrationWindow}
	if v := getenv("SHOP_HASH_CONCURRENCY"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1024 {
			errs = append(errs, fmt.Errorf("SHOP_HASH_CONCURRENCY=%q: want an integer from 1 to 1024", v))
		}
		c.HashConcurrency, c.HashConcurrencyFrom = n, "SHOP_HASH_CONCURRENCY"
	} else {
		limit, source := memlimit.Limit()
		c.HashConcurrency = shop.HashConcurrency(limit, runtime.GOMAXPROCS(0))
		c.HashConcurrencyFrom = fmt.Sprintf("%s %d MiB, GOMAXPROCS %d", source, limit>>20, runtime.GOMAXPROCS(0))
	}
	if v := getenv("SHOP_REGISTER_LIMIT"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1_000_000 {
			errs = append(errs, fmt.Errorf("SHOP_REGISTER_LIMIT=%q: want an integer from 1 to 1000000 (registrations per client IP per SHOP_REGISTER_WINDOW)", v))
		}
		c.RegisterLimit = n
	}
	if v := getenv("SHOP_REGISTER_WINDOW"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < time.Second || d > 7*24*time.Hour {
			errs = append(errs, fmt.Errorf("SHOP_REGISTER_WINDOW=%q: want a duration from 1s to 168h, such as 1h", v))
		}
		c.RegisterWindow = d
	}
	return c, errs
}

func (c abuseConfig) storeOptions() []postgres.Option {
	return []postgres.Option{
		postgres.WithPasswordHasher(shop.NewBoundedHasher(shop.Argon2id{}, c.HashConcurrency, shop.DefaultHashWait)),
		postgres.WithRegistrationLimit(c.RegisterLimit, c.RegisterWindow),
	}
}
