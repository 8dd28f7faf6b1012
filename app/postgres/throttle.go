package postgres

import (
	"context"
	"errors"
	"math"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/shopstack/shopstack/app/shop"
	"github.com/shopstack/shopstack/app/telemetry"
)

// Login throttling: up to this many attempts for one account (or one client IP, which many
// users may share behind NAT) may fail or be in flight; beyond that, attempts run one at a time,
// each after an exponentially growing delay since the last failure, capped at maxLoginDelay.
// Failures older than loginFailureWindow are forgotten, and so are attempts still pending after
// loginPendingTTL (the instance checking them died). The rule itself is the SQL function
// login_wait (migration 003).
const (
	emailFailureThreshold = 5
	ipFailureThreshold    = 20
	maxLoginDelay         = 15 * time.Minute
	loginFailureWindow    = 15 * time.Minute
	loginPendingTTL       = 30 * time.Second
)

// finishTimeout bounds the statement that records a login's outcome. It runs even when the
// client has gone, so that hanging up after sending a guess neither skips the failure nor
// leaves the attempt pending.
const finishTimeout = 5 * time.Second

var errLoginRefused = errors.New("login attempt refused by the throttle")

// loginWaitArgs are login_wait's arguments after the row, with the threshold of its scope.
const loginWaitArgs = `CASE f.scope WHEN 'email' THEN $3::int ELSE $4::int END, $5::interval, $6::interval, $7::interval`

// reserveLogin takes one attempt for the account and one for the client IP, both or neither,
// before the password is checked. Each row is locked by its upsert and tested by login_wait in
// the same statement, so concurrent attempts serialise on the row and each sees those reserved
// before it. A refusal is shop.CodeTooManyAttempts with the wait as RetryAfter.
func (s *Store) reserveLogin(ctx context.Context, email, clientIP string) error {
	args := []any{email, clientIP, emailFailureThreshold, ipFailureThreshold, loginFailureWindow, maxLoginDelay, loginPendingTTL}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		// VALUES in a fixed order (the account, then the IP), as in finishLogin, so two
		// transactions always lock the rows they share in the same order.
		tag, err := tx.Exec(ctx, `
			INSERT INTO login_failures AS f (scope, subject, failures, pending, pending_since)
			VALUES ('email', lower($1), 0, 1, now()), ('ip', $2, 0, 1, now())
			ON CONFLICT (scope, subject) DO UPDATE SET
				pending = CASE WHEN f.pending_since > now() - $7::interval THEN f.pending + 1 ELSE 1 END,
				pending_since = now()
			WHERE login_wait(f, `+loginWaitArgs+`) = 0`, args...)
		if err != nil {
			return err
		}
		if tag.RowsAffected() != 2 {
			return errLoginRefused // rolls back the scope that was reserved
		}
		return nil
	})
	if !errors.Is(err, errLoginRefused) {
		return mapError("login: reserve attempt", err)
	}
	var wait float64
	if err := s.pool.QueryRow(ctx, `
		SELECT coalesce(max(login_wait(f, `+loginWaitArgs+`)), 0) FROM login_failures f
		WHERE (scope = 'email' AND subject = lower($1)) OR (scope = 'ip' AND subject = $2)`, args...).Scan(&wait); err != nil {
		return mapError("login: throttle wait", err)
	}
	telemetry.LoginThrottled(ctx)
	return &shop.Error{Code: shop.CodeTooManyAttempts, Message: "too many failed logins; wait before trying again",
		RetryAfter: wholeSeconds(wait)}
}

// loginOutcome is how a reserved attempt ended.
type loginOutcome int

const (
	// loginAbandoned: the password was not checked (busy, an error, the client left while
	// waiting), or the credentials changed under a correct check: no failure, no reset.
	loginAbandoned loginOutcome = iota
	loginFailed
	loginSucceeded
)

// finishLogin releases the attempts reserveLogin took and records the outcome: a failure counts
// for the account and the IP; a success forgets the account's failures (not the IP's, which
// other users' guesses may have caused).
func (s *Store) finishLogin(ctx context.Context, email, clientIP string, outcome loginOutcome) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), finishTimeout)
	defer cancel()
	const release = `UPDATE login_failures SET pending = greatest(pending - 1, 0)`
	const failure = `, failures = CASE WHEN last_failure_at > now() - $2::interval THEN least(failures + 1, 1000000) ELSE 1 END,
		last_failure_at = now()`
	b := &pgx.Batch{}
	switch outcome {
	case loginFailed:
		b.Queue(release+failure+` WHERE scope = 'email' AND subject = lower($1)`, email, loginFailureWindow)
		b.Queue(release+failure+` WHERE scope = 'ip' AND subject = $1`, clientIP, loginFailureWindow)
	case loginSucceeded:
		b.Queue(release+`, failures = 0, last_failure_at = NULL WHERE scope = 'email' AND subject = lower($1)`, email)
		b.Queue(release+` WHERE scope = 'ip' AND subject = $1`, clientIP)
	default:
		b.Queue(release+` WHERE scope = 'email' AND subject = lower($1)`, email)
		b.Queue(release+` WHERE scope = 'ip' AND subject = $1`, clientIP)
	}
	return mapError("login: record outcome", s.pool.SendBatch(ctx, b).Close())
}

// takeRegistration counts one registration for clientIP in the current window, or refuses it
// with shop.CodeTooManyAttempts once the window holds the limit. The window starts at the
// first registration after the previous one ended.
func (s *Store) takeRegistration(ctx context.Context, clientIP string) error {
	limit, window := s.accounts.registrationLimit, s.accounts.registrationWindow
	tag, err := s.pool.Exec(ctx, `
		INSERT INTO registration_attempts AS r (client_ip, window_start, attempts) VALUES ($1, now(), 1)
		ON CONFLICT (client_ip) DO UPDATE SET
			window_start = CASE WHEN r.window_start <= now() - $3::interval THEN now() ELSE r.window_start END,
			attempts = CASE WHEN r.window_start <= now() - $3::interval THEN 1 ELSE r.attempts + 1 END
		WHERE r.window_start <= now() - $3::interval OR r.attempts < $2`, clientIP, limit, window)
	if err != nil {
		return mapError("register: rate limit", err)
	}
	if tag.RowsAffected() == 1 {
		return nil
	}
	var wait float64
	if err := s.pool.QueryRow(ctx, `
		SELECT coalesce(max(extract(epoch FROM window_start + $2::interval - now())), 0)
		FROM registration_attempts WHERE client_ip = $1`, clientIP, window).Scan(&wait); err != nil {
		return mapError("register: rate limit wait", err)
	}
	return &shop.Error{Code: shop.CodeTooManyAttempts, Message: "too many registrations from this address; wait before trying again",
		RetryAfter: wholeSeconds(wait)}
}

// returnRegistration gives back a registration counted by takeRegistration that the server
// could not serve (busy), so a client is not locked out by the server's own load.
func (s *Store) returnRegistration(ctx context.Context, clientIP string) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), finishTimeout)
	defer cancel()
	if _, err := s.pool.Exec(ctx, `UPDATE registration_attempts SET attempts = greatest(attempts - 1, 0) WHERE client_ip = $1`,
		clientIP); err != nil {
		s.log.Warn("register: return rate limit slot", "err", err)
	}
}

// wholeSeconds rounds a wait up to the whole seconds of a Retry-After header, at least 1.
func wholeSeconds(secs float64) time.Duration {
	return time.Duration(max(1, math.Ceil(secs))) * time.Second
}
