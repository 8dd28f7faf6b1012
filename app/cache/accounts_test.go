package cache_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shopstack/shopstack/app/cache"
	"github.com/shopstack/shopstack/app/shop"
)

func newSession(t *testing.T) (shop.User, shop.Session) {
	t.Helper()
	u, s := newUserWithSession(t)
	return u, s
}

func TestSessionLookupsComeFromTheCache(t *testing.T) {
	t.Parallel()
	srv, rc := newRedis(t)
	ctx := context.Background()
	u, s := newSession(t)
	cnt := &counting{Store: store}
	accounts := cache.NewAccounts(cnt, rc)
	for range 5 {
		got, err := accounts.UserBySession(ctx, s.Token)
		require.NoError(t, err)
		assert.Equal(t, u.ID, got.ID)
	}
	assert.Equal(t, int64(1), cnt.sessions.Load())

	sum := sha256.Sum256([]byte(s.Token))
	keys := srv.Do("KEYS", "*")
	assert.Equal(t, "*1", keys, "one key")
	assert.Equal(t, ":1", srv.Do("EXISTS", "shop:session:"+hex.EncodeToString(sum[:])), "keyed by the token's SHA-256")
	for _, k := range []string{"*" + s.Token + "*", "*" + s.Token[:16] + "*"} {
		assert.Equal(t, "*0", srv.Do("KEYS", k), "no key contains the token")
	}

	_, err := accounts.UserBySession(ctx, "not-a-session-token")
	assert.Equal(t, shop.CodeUnauthenticated, shop.ErrorCode(err))
}

// Logout on one instance refuses the cookie at once on another, whose cache held the session.
func TestLogoutRefusesTheCookieAtOnceEverywhere(t *testing.T) {
	t.Parallel()
	_, rc := newRedis(t)
	ctx := context.Background()
	_, s := newSession(t)
	cnt := &counting{Store: store}
	a, b := cache.NewAccounts(cnt, rc), cache.NewAccounts(store, rc)
	_, err := a.UserBySession(ctx, s.Token)
	require.NoError(t, err)

	require.NoError(t, b.DeleteSession(ctx, s.Token))
	_, err = a.UserBySession(ctx, s.Token)
	assert.Equal(t, shop.CodeUnauthenticated, shop.ErrorCode(err))
	_, err = store.UserBySession(ctx, s.Token)
	assert.Equal(t, shop.CodeUnauthenticated, shop.ErrorCode(err), "revoked in PostgreSQL too")
}

// A lookup that read the session just before it was revoked cannot put it back in the cache.
func TestLookupRacingLogoutDoesNotResurrectTheSession(t *testing.T) {
	t.Parallel()
	_, rc := newRedis(t)
	ctx := context.Background()
	_, s := newSession(t)
	read, release := make(chan struct{}), make(chan struct{})
	slow := &counting{Store: store, afterSession: func() { close(read); <-release }}
	a := cache.NewAccounts(slow, rc)
	done := make(chan error)
	go func() {
		_, err := a.UserBySession(ctx, s.Token)
		done <- err
	}()
	<-read // PostgreSQL said: valid
	require.NoError(t, cache.NewAccounts(store, rc).DeleteSession(ctx, s.Token))
	close(release)
	require.NoError(t, <-done, "it started before the logout")

	slow.afterSession = nil
	_, err := cache.NewAccounts(store, rc).UserBySession(ctx, s.Token)
	assert.Equal(t, shop.CodeUnauthenticated, shop.ErrorCode(err), "the late fill did not overwrite the tombstone")
}

// A cached session never outlives the session.
func TestCachedSessionEndsWithTheSession(t *testing.T) {
	t.Parallel()
	_, rc := newRedis(t)
	ctx := context.Background()
	_, s := newSession(t)
	_, err := store.Pool().Exec(ctx, "UPDATE sessions SET expires_at = now() + interval '700 milliseconds' WHERE token_hash = sha256($1::bytea)", s.Token)
	require.NoError(t, err)
	accounts := cache.NewAccounts(store, rc)
	_, err = accounts.UserBySession(ctx, s.Token)
	require.NoError(t, err)
	time.Sleep(800 * time.Millisecond)
	_, err = accounts.UserBySession(ctx, s.Token)
	assert.Equal(t, shop.CodeUnauthenticated, shop.ErrorCode(err))
}

// With the cache down, sessions are looked up in PostgreSQL; a logout made meanwhile is
// delivered to the cache before it serves a session again, so a server that only was
// unreachable (and still holds the entry) cannot bring the session back.
func TestLogoutWhileTheCacheIsDown(t *testing.T) {
	t.Parallel()
	srv, rc := newRedis(t)
	ctx := context.Background()
	u, s := newSession(t)
	accounts := cache.NewAccounts(store, rc)
	_, err := accounts.UserBySession(ctx, s.Token)
	require.NoError(t, err)
	sum := sha256.Sum256([]byte(s.Token))
	key := "shop:session:" + hex.EncodeToString(sum[:])
	entry := rc.Get(ctx, key)[0]
	require.NotNil(t, entry)

	srv.Stop()
	for range 5 {
		got, err := accounts.UserBySession(ctx, s.Token)
		require.NoError(t, err, "served from PostgreSQL")
		assert.Equal(t, u.ID, got.ID)
	}
	require.False(t, rc.Available())
	require.NoError(t, accounts.DeleteSession(ctx, s.Token))
	_, err = accounts.UserBySession(ctx, s.Token)
	assert.Equal(t, shop.CodeUnauthenticated, shop.ErrorCode(err))

	srv.Restart()
	srv.Do("SET", key, string(entry), "EX", "60")
	require.Eventually(t, func() bool { rc.Get(ctx, "probe"); return rc.Available() }, 5*time.Second, 20*time.Millisecond)
	_, err = accounts.UserBySession(ctx, s.Token)
	assert.Equal(t, shop.CodeUnauthenticated, shop.ErrorCode(err))
	assert.Equal(t, "$7", srv.Do("GET", key), "the entry is the 7-byte tombstone now")
}
