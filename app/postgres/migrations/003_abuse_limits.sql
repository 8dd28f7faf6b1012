-- A login attempt is reserved before its password is checked (postgres/throttle.go): pending
-- counts the checks in flight for an account or a client IP, so concurrent guesses cannot all
-- pass the throttle before the first of them has failed. A subject may now have no failure
-- yet (failures 0, last_failure_at NULL) while an attempt is pending.
ALTER TABLE login_failures
    ADD COLUMN pending integer NOT NULL DEFAULT 0 CONSTRAINT login_failures_pending_check CHECK (pending >= 0),
    ADD COLUMN pending_since timestamptz,
    ALTER COLUMN last_failure_at DROP NOT NULL,
    DROP CONSTRAINT login_failures_failures_check,
    ADD CONSTRAINT login_failures_failures_check CHECK (failures >= 0);

-- login_wait is the throttle's one rule: how many seconds an attempt on f must wait, 0 when it
-- may go ahead now. Reserving an attempt requires 0 (in the same statement that takes it, so
-- concurrent reservations see each other); a refused client is told the wait as Retry-After.
-- Failures older than failure_window and pending attempts older than pending_ttl (an instance
-- that died mid-check) are not counted. Up to threshold attempts, failed or in flight, may run
-- at once; beyond it, one at a time, each after 1, 2, 4 ... s (at most max_delay) since the
-- last failure.
CREATE FUNCTION login_wait(f login_failures, threshold integer, failure_window interval,
                           max_delay interval, pending_ttl interval) RETURNS double precision
LANGUAGE sql STABLE AS $$
    SELECT CASE
        WHEN live.failures + live.pending < threshold THEN 0
        WHEN live.pending > 0 THEN greatest(1, backoff.secs)
        ELSE backoff.secs
    END
    FROM (SELECT CASE WHEN f.last_failure_at > now() - failure_window THEN f.failures ELSE 0 END AS failures,
                 CASE WHEN f.pending_since > now() - pending_ttl THEN f.pending ELSE 0 END AS pending) AS live,
    LATERAL (SELECT CASE WHEN live.failures < threshold THEN 0
                 ELSE greatest(0, extract(epoch FROM f.last_failure_at
                     + least(make_interval(secs => power(2, least(live.failures - threshold, 20))), max_delay) - now()))
                 END AS secs) AS backoff
$$;

-- Registrations per client IP in the current fixed window, shared by every instance.
CREATE TABLE registration_attempts (
    client_ip    text PRIMARY KEY,
    window_start timestamptz NOT NULL,
    attempts     integer NOT NULL CONSTRAINT registration_attempts_attempts_check CHECK (attempts >= 0)
);

---- create above / drop below ----

DROP TABLE registration_attempts;
DROP FUNCTION login_wait(login_failures, integer, interval, interval, interval);
DELETE FROM login_failures WHERE failures = 0 OR last_failure_at IS NULL;
ALTER TABLE login_failures
    DROP COLUMN pending,
    DROP COLUMN pending_since,
    ALTER COLUMN last_failure_at SET NOT NULL,
    DROP CONSTRAINT login_failures_failures_check,
    ADD CONSTRAINT login_failures_failures_check CHECK (failures > 0);
