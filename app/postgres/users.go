package postgres

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/shopstack/shopstack/app/shop"
)

// SessionTTL is how long a session lasts after login.
const SessionTTL = 7 * 24 * time.Hour

const userColumns = "id::text, email, name, is_admin, created_at"

func scanUser(row pgx.Row) (shop.User, error) {
	var u shop.User
	err := row.Scan(&u.ID, &u.Email, &u.Name, &u.IsAdmin, &u.CreatedAt)
	return u, err
}

// Register creates an account and its first session in one statement; an email taken in any
// letter case is shop.CodeEmailTaken. Each client IP may register DefaultRegistrationLimit
// times per window (WithRegistrationLimit), counted before the password is hashed.
func (s *Store) Register(ctx context.Context, r shop.Registration, clientIP string) (shop.User, shop.Session, error) {
	if err := s.takeRegistration(ctx, clientIP); err != nil {
		return shop.User{}, shop.Session{}, err
	}
	hash, err := s.accounts.passwords.Hash(ctx, r.Password)
	if shop.ErrorCode(err) == shop.CodeBusy {
		s.returnRegistration(ctx, clientIP)
	}
	if err != nil {
		return shop.User{}, shop.Session{}, err
	}
	token, tokenHash := newSessionToken()
	var u shop.User
	var sess shop.Session
	err = s.pool.QueryRow(ctx, `
		WITH u AS (
			INSERT INTO users (email, name, password_hash) VALUES ($1, $2, $3)
			ON CONFLICT ((lower(email))) DO NOTHING
			RETURNING id, email, name, is_admin, created_at
		), s AS (
			INSERT INTO sessions (token_hash, user_id, expires_at) SELECT $4, id, now() + $5::interval FROM u
			RETURNING expires_at
		)
		SELECT u.id::text, u.email, u.name, u.is_admin, u.created_at, s.expires_at FROM u, s`,
		r.Email, r.Name, hash, tokenHash, SessionTTL).Scan(&u.ID, &u.Email, &u.Name, &u.IsAdmin, &u.CreatedAt, &sess.ExpiresAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return shop.User{}, shop.Session{}, shop.Errorf(shop.CodeEmailTaken, "an account with this email already exists")
	}
	if err != nil {
		return shop.User{}, shop.Session{}, mapError("register", err)
	}
	sess.Token = token
	return u, sess, nil
}

// EnsureAdmin creates the admin account or, if the email exists, makes it an admin with this
// password: the configured secret is authoritative. Any change it makes (the role or the
// password) revokes every session of the account, so whoever registered the operator's address
// first keeps nothing; an admin that already has this password is left alone, sessions
// included, so restarting the service does not log the operator out.
func (s *Store) EnsureAdmin(ctx context.Context, email, password, name string) (shop.User, error) {
	var u shop.User
	var hash string
	err := s.pool.QueryRow(ctx, "SELECT "+userColumns+", password_hash FROM users WHERE lower(email) = lower($1)", email).
		Scan(&u.ID, &u.Email, &u.Name, &u.IsAdmin, &u.CreatedAt, &hash)
	switch {
	case err == nil && u.IsAdmin:
		same, err := s.accounts.passwords.Check(ctx, hash, password)
		if err != nil || same {
			return u, err
		}
	case err != nil && !errors.Is(err, pgx.ErrNoRows):
		return shop.User{}, mapError("ensure admin", err)
	}
	hash, err = s.accounts.passwords.Hash(ctx, password)
	if err != nil {
		return shop.User{}, err
	}
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var err error
		u, err = scanUser(tx.QueryRow(ctx, `
			INSERT INTO users (email, name, password_hash, is_admin) VALUES ($1, $2, $3, true)
			ON CONFLICT ((lower(email))) DO UPDATE SET password_hash = EXCLUDED.password_hash, is_admin = true
			RETURNING `+userColumns, email, name, hash))
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, "DELETE FROM sessions WHERE user_id = $1", u.ID)
		return err
	})
	return u, mapError("ensure admin", err)
}

// Login checks credentials and starts a session. Unknown email and wrong password are the same
// error and take the same time. The attempt is reserved under the throttle (throttle.go) before
// the password is checked, and the check runs under the hashing bound.
func (s *Store) Login(ctx context.Context, c shop.Credentials, clientIP string) (shop.User, shop.Session, error) {
	if err := s.reserveLogin(ctx, c.Email, clientIP); err != nil {
		return shop.User{}, shop.Session{}, err
	}
	u, sess, outcome, err := s.checkLogin(ctx, c)
	if ferr := s.finishLogin(ctx, c.Email, clientIP, outcome); ferr != nil && err == nil {
		return shop.User{}, shop.Session{}, ferr
	}
	return u, sess, err
}

// checkLogin is the part of Login between reserving the attempt and recording its outcome.
func (s *Store) checkLogin(ctx context.Context, c shop.Credentials) (shop.User, shop.Session, loginOutcome, error) {
	var u shop.User
	var hash string
	err := s.pool.QueryRow(ctx, "SELECT "+userColumns+", password_hash FROM users WHERE lower(email) = lower($1)", c.Email).
		Scan(&u.ID, &u.Email, &u.Name, &u.IsAdmin, &u.CreatedAt, &hash)
	found := err == nil
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return shop.User{}, shop.Session{}, loginAbandoned, mapError("login", err)
	}
	if !found {
		hash = shop.DummyPasswordHash
	}
	ok, err := s.accounts.passwords.Check(ctx, hash, c.Password)
	if err != nil {
		return shop.User{}, shop.Session{}, loginAbandoned, err
	}
	invalid := shop.Errorf(shop.CodeInvalidCredentials, "the email or password is wrong")
	if !ok || !found {
		return shop.User{}, shop.Session{}, loginFailed, invalid
	}
	// The session is made only if the account still has the hash and role just checked: a
	// password change or promotion (EnsureAdmin) that committed during the check wins.
	token, tokenHash := newSessionToken()
	sess := shop.Session{Token: token}
	err = s.pool.QueryRow(ctx, `
		INSERT INTO sessions (token_hash, user_id, expires_at)
		SELECT $1, id, now() + $2::interval FROM users WHERE id = $3 AND password_hash = $4 AND is_admin = $5
		RETURNING expires_at`, tokenHash, SessionTTL, u.ID, hash, u.IsAdmin).Scan(&sess.ExpiresAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return shop.User{}, shop.Session{}, loginAbandoned, invalid
	}
	if err != nil {
		return shop.User{}, shop.Session{}, loginAbandoned, mapError("login: create session", err)
	}
	return u, sess, loginSucceeded, nil
}

func hashToken(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// newSessionToken returns a fresh session secret and the hash that is stored for it.
func newSessionToken() (token string, tokenHash []byte) {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, hashToken(token)
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

// Prune deletes expired sessions, idempotency keys older than 24 hours, stale login counters
// (no failure within the window and the longest delay, nothing pending) and ended
// registration windows.
func (s *Store) Prune(ctx context.Context) error {
	_, err := s.pool.Exec(ctx, `
		WITH a AS (DELETE FROM sessions WHERE expires_at <= now()),
		     b AS (DELETE FROM login_failures
		           WHERE coalesce(last_failure_at, '-infinity') < now() - $1::interval - $2::interval
		             AND coalesce(pending_since, '-infinity') < now() - $3::interval),
		     c AS (DELETE FROM registration_attempts WHERE window_start < now() - $4::interval)
		DELETE FROM idempotency_keys WHERE created_at < now() - $5::interval`,
		loginFailureWindow, maxLoginDelay, loginPendingTTL, s.accounts.registrationWindow, IdempotencyTTL)
	if err == nil {
		err = s.prunePaymentEvents(ctx)
	}
	return mapError("prune", err)
}
