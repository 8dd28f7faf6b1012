package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
	"time"

	awsconfig "github.com/aws/aws-sdk-go-v2/config"

	"github.com/shopstack/shopstack/app/cache"
	"github.com/shopstack/shopstack/app/redis"
)

// cacheConfig is the optional shared cache: SHOP_CACHE_URL unset means no cache.
type cacheConfig struct {
	URL      string
	Password string
	// IAM is SHOP_CACHE_IAM_AUTH: every new connection authenticates with an ElastiCache IAM
	// token for Name (SHOP_CACHE_NAME) and the URL's user, signed in Region (AWS_REGION).
	IAM        bool
	Name       string
	Serverless bool
	Region     string
}

func loadCacheConfig(getenv func(string) string) (cacheConfig, error) {
	c := cacheConfig{URL: strings.TrimSpace(getenv("SHOP_CACHE_URL")), Password: getenv("SHOP_CACHE_PASSWORD")}
	if v := getenv("SHOP_CACHE_IAM_AUTH"); v != "" {
		iam, err := strconv.ParseBool(v)
		if err != nil {
			return c, fmt.Errorf("SHOP_CACHE_IAM_AUTH=%q: want true or false", v)
		}
		c.IAM = iam
	}
	if c.IAM {
		return c, c.loadIAM(getenv)
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

// loadIAM checks what an ElastiCache IAM token needs: a TLS URL naming the user, the cache's
// name, its kind and the region; a password would be ignored, so it is refused.
func (c *cacheConfig) loadIAM(getenv func(string) string) error {
	c.Name = strings.TrimSpace(getenv("SHOP_CACHE_NAME"))
	c.Region = strings.TrimSpace(getenv("AWS_REGION"))
	u, err := url.Parse(c.URL)
	var errs []error
	if err != nil || u.Scheme != "rediss" || u.User == nil || u.User.Username() == "" {
		errs = append(errs, fmt.Errorf("SHOP_CACHE_IAM_AUTH=true needs SHOP_CACHE_URL=rediss://user@host:port (TLS, the IAM user's name), got %q", redis.Redact(c.URL)))
	}
	if c.Password != "" {
		errs = append(errs, errors.New("SHOP_CACHE_PASSWORD and SHOP_CACHE_IAM_AUTH=true exclude each other"))
	}
	if c.Name == "" {
		errs = append(errs, errors.New("SHOP_CACHE_IAM_AUTH=true needs SHOP_CACHE_NAME, the replication group id or serverless cache name the token is signed for"))
	}
	if c.Region == "" {
		errs = append(errs, errors.New("SHOP_CACHE_IAM_AUTH=true needs AWS_REGION, the cache's region"))
	}
	if v := getenv("SHOP_CACHE_SERVERLESS"); v != "" {
		if c.Serverless, err = strconv.ParseBool(v); err != nil {
			errs = append(errs, fmt.Errorf("SHOP_CACHE_SERVERLESS=%q: want true or false", v))
		}
	}
	return errors.Join(errs...)
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
	rcfg := redis.Config{URL: cfg.URL, Password: cfg.Password, Log: log}
	if cfg.IAM {
		// The default chain: on ECS the task role, asked only when a token is signed.
		aws, err := awsconfig.LoadDefaultConfig(ctx, awsconfig.WithRegion(cfg.Region))
		if err != nil {
			return nil, nil, fmt.Errorf("SHOP_CACHE_IAM_AUTH: load AWS credentials: %w", err)
		}
		u, _ := url.Parse(cfg.URL) // checked by loadCacheConfig
		rcfg.Credentials = redis.IAMAuth{Region: cfg.Region, CacheName: cfg.Name, User: u.User.Username(),
			Serverless: cfg.Serverless, Creds: aws.Credentials}.Credentials
	}
	rc, err := redis.Open(rcfg)
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
