package postgres

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/shopstack/shopstack/app/shop"
)

// SessionTTL is how long a session lasts after login.
const SessionTTL = 7 * 24 * time.Hour

// Login throttling: after this many recent failures for one account (or one client IP, which
// many users may share behind NAT), each further attempt must wait an exponentially growing
// delay, capped at maxLoginDelay. Failures older than loginFailureWindow are forgotten.
const (
	emailFailureThreshold = 5
	ipFailureThreshold    = 20
	maxLoginDelay         = 15 * time.Minute
	loginFailureWindow    = 15 * time.Minute
)

const userColumns = "id::text, email, name, is_admin, created_at"

func scanUser(row pgx.Row) (shop.User, error) {
	var u shop.User
	err := row.Scan(&u.ID, &u.Email, &u.Name, &u.IsAdmin, &u.CreatedAt)
	return u, err
}

// Register creates an account; an email taken in any letter case is shop.CodeEmailTaken.
func (s *Store) Register(ctx context.Context, r shop.Registration) (shop.User, error) {
	hash, err := s.accounts.passwords.Hash(ctx, r.Password)
	if err != nil {
		return shop.User{}, err
	}
	u, err := scanUser(s.pool.QueryRow(ctx, `
		INSERT INTO users (email, name, password_hash) VALUES ($1, $2, $3)
		ON CONFLICT ((lower(email))) DO NOTHING
		RETURNING `+userColumns, r.Email, r.Name, hash))
	if errors.Is(err, pgx.ErrNoRows) {
		return shop.User{}, shop.Errorf(shop.CodeEmailTaken, "an account with this email already exists")
	}
	return u, mapError("register", err)
}

// EnsureAdmin creates the admin account or, if the email exists, makes it an admin with this
// password: the configured secret is authoritative.
func (s *Store) EnsureAdmin(ctx context.Context, email, password, name string) (shop.User, error) {
	hash, err := s.accounts.passwords.Hash(ctx, password)
	if err != nil {
		return shop.User{}, err
	}
	u, err := scanUser(s.pool.QueryRow(ctx, `
		INSERT INTO users (email, name, password_hash, is_admin) VALUES ($1, $2, $3, true)
		ON CONFLICT ((lower(email))) DO UPDATE SET password_hash = EXCLUDED.password_hash, is_admin = true
		RETURNING `+userColumns, email, name, hash))
	return u, mapError("ensure admin", err)
}

// Login checks credentials. Unknown email and wrong password are the same error and take the
// same time; repeated failures per account or per IP are throttled with shop.CodeTooManyAttempts.
// The check runs under the hashing bound (shop.CodeBusy).
func (s *Store) Login(ctx context.Context, c shop.Credentials, clientIP string) (shop.User, error) {
	var wait float64
	err := s.pool.QueryRow(ctx, `
		SELECT coalesce(max(extract(epoch FROM
			last_failure_at + least(make_interval(secs => power(2, least(failures - threshold, 20))), $4::interval) - now())), 0)
		FROM login_failures
		CROSS JOIN LATERAL (SELECT CASE scope WHEN 'email' THEN $5::int ELSE $6::int END AS threshold) t
		WHERE ((scope = 'email' AND subject = lower($1)) OR (scope = 'ip' AND subject = $2))
		  AND failures >= threshold AND last_failure_at > now() - $3::interval`,
		c.Email, clientIP, loginFailureWindow, maxLoginDelay, emailFailureThreshold, ipFailureThreshold).Scan(&wait)
	if err != nil {
		return shop.User{}, mapError("login: throttle", err)
	}
	if wait > 0 {
		return shop.User{}, &shop.Error{Code: shop.CodeTooManyAttempts,
			Message:    "too many failed logins; wait before trying again",
			RetryAfter: time.Duration(math.Ceil(wait)) * time.Second}
	}

	var u shop.User
	var hash string
	err = s.pool.QueryRow(ctx, "SELECT "+userColumns+", password_hash FROM users WHERE lower(email) = lower($1)", c.Email).
		Scan(&u.ID, &u.Email, &u.Name, &u.IsAdmin, &u.CreatedAt, &hash)
	found := err == nil
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return shop.User{}, mapError("login", err)
	}
	if !found {
		hash = shop.DummyPasswordHash
	}
	// A check that finds no slot (shop.CodeBusy) is not a failure: nothing was checked.
	ok, err := s.accounts.passwords.Check(ctx, hash, c.Password)
	if err != nil {
		return shop.User{}, err
	}
	if ok && found {
		if _, err := s.pool.Exec(ctx, "DELETE FROM login_failures WHERE scope = 'email' AND subject = lower($1)", c.Email); err != nil {
			return shop.User{}, mapError("login: reset failures", err)
		}
		return u, nil
	}
	if _, err := s.pool.Exec(ctx, `
		INSERT INTO login_failures (scope, subject, failures, last_failure_at)
		VALUES ('email', lower($1), 1, now()), ('ip', $2, 1, now())
		ON CONFLICT (scope, subject) DO UPDATE SET
			failures = CASE WHEN login_failures.last_failure_at < now() - $3::interval THEN 1
			                ELSE least(login_failures.failures + 1, 1000000) END,
			last_failure_at = now()`, c.Email, clientIP, loginFailureWindow); err != nil {
		return shop.User{}, mapError("login: record failure", err)
	}
	return shop.User{}, shop.Errorf(shop.CodeInvalidCredentials, "the email or password is wrong")
}

func hashToken(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// CreateSession starts a session for userID and returns its secret token.
func (s *Store) CreateSession(ctx context.Context, userID string) (shop.Session, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return shop.Session{}, fmt.Errorf("create session: %w", err)
	}
	token := base64.RawURLEncoding.EncodeToString(b)
	var expires time.Time
	err := s.pool.QueryRow(ctx, `
		INSERT INTO sessions (token_hash, user_id, expires_at) VALUES ($1, $2, now() + $3::interval)
		RETURNING expires_at`, hashToken(token), userID, SessionTTL).Scan(&expires)
	if err != nil {
		return shop.Session{}, mapError("create session", err)
	}
	return shop.Session{Token: token, ExpiresAt: expires}, nil
}

// UserBySession returns the user of a live session, or shop.CodeUnauthenticated.
func (s *Store) UserBySession(ctx context.Context, token string) (shop.User, error) {
	u, err := scanUser(s.pool.QueryRow(ctx, `
		SELECT u.id::text, u.email, u.name, u.is_admin, u.created_at
		FROM sessions s JOIN users u ON u.id = s.user_id
		WHERE s.token_hash = $1 AND s.expires_at > now()`, hashToken(token)))
	if errors.Is(err, pgx.ErrNoRows) {
		return shop.User{}, shop.Errorf(shop.CodeUnauthenticated, "log in first")
	}
	return u, mapError("user by session", err)
}

// DeleteSession revokes a session. Revoking an unknown token is not an error.
func (s *Store) DeleteSession(ctx context.Context, token string) error {
	_, err := s.pool.Exec(ctx, "DELETE FROM sessions WHERE token_hash = $1", hashToken(token))
	return mapError("delete session", err)
}

// Prune deletes expired sessions, idempotency keys older than 24 hours and stale login failures.
func (s *Store) Prune(ctx context.Context) error {
	_, err := s.pool.Exec(ctx, `
		WITH a AS (DELETE FROM sessions WHERE expires_at <= now()),
		     b AS (DELETE FROM login_failures WHERE last_failure_at < now() - $1::interval - $2::interval)
		DELETE FROM idempotency_keys WHERE created_at < now() - $3::interval`,
		loginFailureWindow, maxLoginDelay, IdempotencyTTL)
	return mapError("prune", err)
}
