package cache

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/shopstack/shopstack/app/shop"
)

// SessionTTL is how long a session lookup stays cached (never past the session's expiry). It
// bounds what a missed invalidation can cost: a revocation the cache never received (it was
// unreachable on every instance that tried, and its replay was lost) lives at most this long.
const SessionTTL = time.Minute

// maxFillDelay: a session read that took longer than this is not cached, so a slow fill can
// never outlive the tombstone of a revocation that overtook it.
const maxFillDelay = time.Second

const sessionKeyPrefix = "shop:session:"

// tombstone marks a revoked session. A lookup that finds it answers unauthenticated without
// asking PostgreSQL; fills use Add, so a lookup that read the session before the revocation
// cannot put it back.
var tombstone = []byte("revoked")

// SessionStore is what Accounts decorates: the account store and a session lookup that also
// returns the session's expiry. postgres.Store implements it.
type SessionStore interface {
	shop.AccountStore
	SessionUser(ctx context.Context, token string) (shop.User, time.Time, error)
}

// Accounts is a shop.AccountStore whose session lookups come from a Cache, with PostgreSQL
// the source of truth. Keys hold the SHA-256 of the token, never the token.
type Accounts struct {
	SessionStore
	cache Cache
	group singleflight.Group
}

// NewAccounts decorates store with c.
func NewAccounts(store SessionStore, c Cache) *Accounts {
	return &Accounts{SessionStore: store, cache: c}
}

func sessionKey(token string) string {
	sum := sha256.Sum256([]byte(token))
	return sessionKeyPrefix + hex.EncodeToString(sum[:])
}

type cachedSession struct {
	User      shop.User `json:"u"`
	ExpiresAt time.Time `json:"e"`
}

type sessionRead struct {
	user    shop.User
	expires time.Time
}

// UserBySession returns the session's user from the cache, or reads PostgreSQL (once per
// instance for concurrent lookups of one token) and caches the answer.
func (a *Accounts) UserBySession(ctx context.Context, token string) (shop.User, error) {
	key := sessionKey(token)
	v := a.cache.Get(ctx, key)[0]
	lookup(ctx, a.cache, "session", v != nil)
	if v != nil {
		if string(v) == string(tombstone) {
			return shop.User{}, shop.Errorf(shop.CodeUnauthenticated, "log in first")
		}
		var c cachedSession
		if json.Unmarshal(v, &c) == nil && time.Now().Before(c.ExpiresAt) {
			return c.User, nil
		}
	}
	r, err := coalesce(ctx, &a.group, key,
		func(ctx context.Context) (sessionRead, error) {
			u, exp, err := a.SessionUser(ctx, token)
			return sessionRead{u, exp}, err
		},
		func(r sessionRead, started time.Time) {
			if time.Since(started) > maxFillDelay {
				return
			}
			ttl := min(remaining(SessionTTL, started), time.Until(r.expires))
			if ttl <= 0 {
				return
			}
			b, _ := json.Marshal(cachedSession{User: r.user, ExpiresAt: r.expires})
			a.cache.Add(context.WithoutCancel(ctx), key, b, ttl)
		})
	return r.user, err
}

// DeleteSession revokes the session in PostgreSQL, then replaces its cached entry with a
// tombstone in the same request, so the cookie is refused at once on every instance.
func (a *Accounts) DeleteSession(ctx context.Context, token string) error {
	if err := a.SessionStore.DeleteSession(ctx, token); err != nil {
		return err
	}
	a.cache.Invalidate(context.WithoutCancel(ctx), Change{Key: sessionKey(token), Value: tombstone, TTL: SessionTTL})
	return nil
}
