package main

import (
	"fmt"
	"runtime"
	"strconv"

	"github.com/shopstack/shopstack/app/internal/memlimit"
	"github.com/shopstack/shopstack/app/postgres"
	"github.com/shopstack/shopstack/app/shop"
)

// abuseConfig is the configuration of the service's self-protection: how many password hashes
// may run at once.
type abuseConfig struct {
	HashConcurrency int
	// HashConcurrencyFrom says where HashConcurrency came from, for the startup log.
	HashConcurrencyFrom string
}

func loadAbuseConfig(getenv func(string) string) (abuseConfig, error) {
	var c abuseConfig
	if v := getenv("SHOP_HASH_CONCURRENCY"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1024 {
			return c, fmt.Errorf("SHOP_HASH_CONCURRENCY=%q: want an integer from 1 to 1024", v)
		}
		c.HashConcurrency, c.HashConcurrencyFrom = n, "SHOP_HASH_CONCURRENCY"
	} else {
		limit, source := memlimit.Limit()
		c.HashConcurrency = shop.HashConcurrency(limit, runtime.GOMAXPROCS(0))
		c.HashConcurrencyFrom = fmt.Sprintf("%s %d MiB, GOMAXPROCS %d", source, limit>>20, runtime.GOMAXPROCS(0))
	}
	return c, nil
}

func (c abuseConfig) storeOptions() []postgres.Option {
	return []postgres.Option{
		postgres.WithPasswordHasher(shop.NewBoundedHasher(shop.Argon2id{}, c.HashConcurrency, shop.DefaultHashWait)),
	}
}
