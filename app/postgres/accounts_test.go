package postgres_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shopstack/shopstack/app/internal/hashtest"
	"github.com/shopstack/shopstack/app/postgres"
	"github.com/shopstack/shopstack/app/shop"
	"github.com/shopstack/shopstack/internal/pgtest"
)

// storeWith opens a Store with the given options on a fresh database, and returns its URL.
func storeWith(t *testing.T, opts ...postgres.Option) (*postgres.Store, string) {
	t.Helper()
	ctx := context.Background()
	dbURL := pgtest.NewDatabase(t)
	s, err := postgres.Open(ctx, dbURL, 8, slog.New(slog.NewJSONHandler(io.Discard, nil)), opts...)
	require.NoError(t, err)
	t.Cleanup(s.Close)
	_, err = s.Migrate(ctx)
	require.NoError(t, err)
	return s, dbURL
}

func registration(email string) shop.Registration {
	return shop.Registration{Email: email, Password: "correct horse battery", Name: "User"}
}

func TestEnsureAdminRevokesSessions(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	email := fmt.Sprintf("operator%d@example.com", seq.Add(1))
	// Someone registered the operator's address before SHOP_ADMIN_EMAIL named it.
	_, first, err := store.Register(ctx, registration(email), "192.0.2.1")
	require.NoError(t, err)
	_, second, err := store.Login(ctx, shop.Credentials{Email: email, Password: "correct horse battery"}, "192.0.2.1")
	require.NoError(t, err)

	admin, err := store.EnsureAdmin(ctx, email, "operator password 1", "Admin")
	require.NoError(t, err)
	require.True(t, admin.IsAdmin)
	for _, old := range []shop.Session{first, second} {
		_, err := store.UserBySession(ctx, old.Token)
		assert.Equal(t, shop.CodeUnauthenticated, shop.ErrorCode(err), "a session from before the promotion is refused")
	}
	_, _, err = store.Login(ctx, shop.Credentials{Email: email, Password: "correct horse battery"}, "192.0.2.1")
	assert.Equal(t, shop.CodeInvalidCredentials, shop.ErrorCode(err), "the old password is gone")

	_, operator, err := store.Login(ctx, shop.Credentials{Email: email, Password: "operator password 1"}, "192.0.2.2")
	require.NoError(t, err)
	_, err = store.EnsureAdmin(ctx, email, "operator password 1", "Admin")
	require.NoError(t, err)
	u, err := store.UserBySession(ctx, operator.Token)
	require.NoError(t, err, "ensuring an admin that already has this password (every restart) keeps its sessions")
	assert.True(t, u.IsAdmin)

	_, err = store.EnsureAdmin(ctx, email, "operator password 2", "Admin")
	require.NoError(t, err)
	_, err = store.UserBySession(ctx, operator.Token)
	assert.Equal(t, shop.CodeUnauthenticated, shop.ErrorCode(err), "changing the password revokes the sessions")
}

// A login whose password check is running when the account is promoted (or its password
// changed) must not end with a session: it was checked against credentials that no longer exist.
func TestLoginRacingPromotionGetsNoSession(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	hasher := hashtest.New(shop.Argon2id{})
	s, dbURL := storeWith(t, postgres.WithPasswordHasher(shop.NewBoundedHasher(hasher, 4, time.Minute)))
	email := fmt.Sprintf("racer%d@example.com", seq.Add(1))
	_, _, err := s.Register(ctx, registration(email), "192.0.2.1")
	require.NoError(t, err)

	hasher.Hold()
	defer hasher.Release()
	done := make(chan error, 1)
	go func() {
		_, _, err := s.Login(ctx, shop.Credentials{Email: email, Password: "correct horse battery"}, "192.0.2.1")
		done <- err
	}()
	require.True(t, hashtest.WaitFor(10*time.Second, func() bool { return hasher.InFlight() == 1 }), "the login reaches its check")
	// The operator's instance starts meanwhile: another Store on the database, not held.
	other, err := postgres.Open(ctx, dbURL, 2, slog.New(slog.DiscardHandler))
	require.NoError(t, err)
	defer other.Close()
	_, err = other.EnsureAdmin(ctx, email, "operator password 1", "Admin")
	require.NoError(t, err)
	hasher.Release()

	assert.Equal(t, shop.CodeInvalidCredentials, shop.ErrorCode(<-done))
	var sessions int
	require.NoError(t, s.Pool().QueryRow(ctx, "SELECT count(*) FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.email = $1",
		email).Scan(&sessions))
	assert.Zero(t, sessions)
}

func TestRegistrationLimitPerIP(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, _ := storeWith(t, postgres.WithRegistrationLimit(3, time.Hour))
	email := func() string { return fmt.Sprintf("signup%d@example.com", seq.Add(1)) }
	for range 3 {
		_, _, err := s.Register(ctx, registration(email()), "198.51.100.1")
		require.NoError(t, err)
	}
	_, _, err := s.Register(ctx, registration(email()), "198.51.100.1")
	var e *shop.Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, shop.CodeTooManyAttempts, e.Code)
	assert.InDelta(t, time.Hour.Seconds(), e.RetryAfter.Seconds(), 60, "until the window ends")

	_, _, err = s.Register(ctx, registration(email()), "198.51.100.2")
	assert.NoError(t, err, "another address has its own count")

	_, err = s.Pool().Exec(ctx, "UPDATE registration_attempts SET window_start = now() - interval '61 minutes'")
	require.NoError(t, err)
	_, _, err = s.Register(ctx, registration(email()), "198.51.100.1")
	assert.NoError(t, err, "a new window starts after the last one ended")

	_, err = s.Pool().Exec(ctx, "UPDATE registration_attempts SET window_start = now() - interval '61 minutes'")
	require.NoError(t, err)
	require.NoError(t, s.Prune(ctx))
	var rows int
	require.NoError(t, s.Pool().QueryRow(ctx, "SELECT count(*) FROM registration_attempts").Scan(&rows))
	assert.Zero(t, rows, "ended windows are pruned")
}

// A registration turned away because every hashing slot is taken does not use up the
// address's registrations.
func TestBusyRegistrationIsNotCounted(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	hasher := hashtest.New(shop.Argon2id{})
	s, _ := storeWith(t, postgres.WithPasswordHasher(shop.NewBoundedHasher(hasher, 1, 50*time.Millisecond)),
		postgres.WithRegistrationLimit(1, time.Hour))

	hasher.Hold()
	defer hasher.Release()
	held := make(chan error, 1)
	go func() {
		_, _, err := s.Register(ctx, registration(fmt.Sprintf("first%d@example.com", seq.Add(1))), "198.51.100.10")
		held <- err
	}()
	require.True(t, hashtest.WaitFor(10*time.Second, func() bool { return hasher.InFlight() == 1 }))
	_, _, err := s.Register(ctx, registration(fmt.Sprintf("second%d@example.com", seq.Add(1))), "198.51.100.11")
	var e *shop.Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, shop.CodeBusy, e.Code)
	assert.Equal(t, time.Second, e.RetryAfter)
	hasher.Release()
	require.NoError(t, <-held)

	_, _, err = s.Register(ctx, registration(fmt.Sprintf("second%d@example.com", seq.Add(1))), "198.51.100.11")
	assert.NoError(t, err, "the busy attempt was given back")
}

func TestLoginCountersArePruned(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, _ := storeWith(t)
	u, _, err := s.Register(ctx, registration(fmt.Sprintf("pruned%d@example.com", seq.Add(1))), "192.0.2.1")
	require.NoError(t, err)
	_, _, err = s.Login(ctx, shop.Credentials{Email: u.Email, Password: "wrong password!"}, "192.0.2.9")
	require.Equal(t, shop.CodeInvalidCredentials, shop.ErrorCode(err))
	var failures, pending int
	require.NoError(t, s.Pool().QueryRow(ctx, "SELECT failures, pending FROM login_failures WHERE scope = 'email' AND subject = lower($1)",
		u.Email).Scan(&failures, &pending))
	assert.Equal(t, []int{1, 0}, []int{failures, pending}, "the failure is recorded and the attempt released")

	require.NoError(t, s.Prune(ctx))
	var rows int
	require.NoError(t, s.Pool().QueryRow(ctx, "SELECT count(*) FROM login_failures").Scan(&rows))
	assert.Equal(t, 2, rows, "recent failures are kept")
	_, err = s.Pool().Exec(ctx, "UPDATE login_failures SET last_failure_at = now() - interval '31 minutes', pending_since = now() - interval '31 minutes'")
	require.NoError(t, err)
	require.NoError(t, s.Prune(ctx))
	require.NoError(t, s.Pool().QueryRow(ctx, "SELECT count(*) FROM login_failures").Scan(&rows))
	assert.Zero(t, rows)
}
