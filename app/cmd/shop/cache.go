package main

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/shopstack/shopstack/app/cache"
	"github.com/shopstack/shopstack/app/redis"
)

// cacheConfig is the optional shared cache: SHOP_CACHE_URL unset means no cache.
type cacheConfig struct {
	URL      string
	Password string
}

func loadCacheConfig(getenv func(string) string) (cacheConfig, error) {
	c := cacheConfig{URL: strings.TrimSpace(getenv("SHOP_CACHE_URL")), Password: getenv("SHOP_CACHE_PASSWORD")}
	if v := getenv("SHOP_CACHE_IAM_AUTH"); v != "" {
		iam, err := strconv.ParseBool(v)
		if err != nil {
			return c, fmt.Errorf("SHOP_CACHE_IAM_AUTH=%q: want true or false", v)
		}
		if iam {
			// The seam is redis.Config.Credentials (go-redis CredentialsProviderContext): a
			// SigV4 token generated per connection. Refusing to start beats silently sending
			// SHOP_CACHE_PASSWORD to a server that expects IAM tokens.
			return c, fmt.Errorf("SHOP_CACHE_IAM_AUTH=true: IAM authentication to the cache is not implemented yet (issue 11)")
		}
	}
	if c.URL == "" {
		if c.Password != "" {
			return c, fmt.Errorf("SHOP_CACHE_PASSWORD is set without SHOP_CACHE_URL")
		}
		return c, nil
	}
	if !strings.HasPrefix(c.URL, "redis://") && !strings.HasPrefix(c.URL, "rediss://") {
		return c, fmt.Errorf("SHOP_CACHE_URL=%q: want redis://[user@]host:port or rediss://[user@]host:port", redis.Redact(c.URL))
	}
	return c, nil
}

func (c cacheConfig) urlAttr() slog.Attr {
	if c.URL == "" {
		return slog.String("SHOP_CACHE_URL", "(none: no cache)")
	}
	return slog.String("SHOP_CACHE_URL", redis.Redact(c.URL))
}

func (c cacheConfig) passwordAttr() slog.Attr {
	if c.Password == "" {
		return slog.String("SHOP_CACHE_PASSWORD", "")
	}
	return slog.String("SHOP_CACHE_PASSWORD", "*****")
}

// openCache returns the cache the stores are decorated with: cache.None without
// SHOP_CACHE_URL, else Redis. An unreachable server is not an error: the service runs from
// PostgreSQL and starts using the cache when it answers.
func openCache(ctx context.Context, cfg cacheConfig, log *slog.Logger) (cache.Cache, func(), error) {
	if cfg.URL == "" {
		log.Info("cache: none (SHOP_CACHE_URL unset); reads go to PostgreSQL")
		return cache.None{}, func() {}, nil
	}
	rc, err := redis.Open(redis.Config{URL: cfg.URL, Password: cfg.Password, Log: log})
	if err != nil {
		return nil, nil, err
	}
	pctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	if err := rc.Ping(pctx); err != nil {
		log.Warn("cache unreachable at start: serving from PostgreSQL until it answers", "url", redis.Redact(cfg.URL), "err", err.Error())
	} else {
		log.Info("cache: using Redis", "url", redis.Redact(cfg.URL))
	}
	return rc, func() { _ = rc.Close() }, nil
}
