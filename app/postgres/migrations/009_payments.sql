-- Payments (issue #15). An order taken with a payment provider starts pending_payment, holding
-- its stock (the same decrement as a placed order) until expires_at; the provider's webhook makes
-- it paid, the expiry job expired (stock returned). Which status may follow which is data in
-- order_transitions and enforced by a trigger, so no code path (or psql session) can, say,
-- revive an expired order or mark a cancelled one paid.
ALTER TABLE orders DROP CONSTRAINT orders_status_check;
ALTER TABLE orders ADD CONSTRAINT orders_status_check
    CHECK (status IN ('placed', 'cancelled', 'pending_payment', 'paid', 'expired'));

ALTER TABLE orders
    ADD COLUMN payment_provider  text,
    ADD COLUMN payment_intent_id text,
    ADD COLUMN payment_refund_id text,
    ADD COLUMN payment_error     text,
    ADD COLUMN paid_at           timestamptz,
    ADD COLUMN expires_at        timestamptz,
    -- An order awaiting payment always has a provider and a deadline.
    ADD CONSTRAINT orders_pending_payment_check
        CHECK (status <> 'pending_payment' OR (payment_provider IS NOT NULL AND expires_at IS NOT NULL)),
    -- paid means the money arrived: paid_at is set, and only with a provider.
    ADD CONSTRAINT orders_paid_at_check
        CHECK ((status <> 'paid' OR paid_at IS NOT NULL) AND (paid_at IS NULL OR payment_provider IS NOT NULL)),
    ADD CONSTRAINT orders_refund_check
        CHECK (payment_refund_id IS NULL OR payment_intent_id IS NOT NULL);

-- The expiry job's scan: only orders still waiting, by deadline.
CREATE INDEX orders_pending_expires_at_idx ON orders (expires_at) WHERE status = 'pending_payment';

CREATE TABLE order_transitions (
    from_status text NOT NULL,
    to_status   text NOT NULL,
    PRIMARY KEY (from_status, to_status)
);
INSERT INTO order_transitions (from_status, to_status) VALUES
    ('placed', 'cancelled'),
    ('pending_payment', 'paid'),
    ('pending_payment', 'expired'),
    ('pending_payment', 'cancelled'),
    ('paid', 'cancelled');

-- order_status_transition refuses a status change order_transitions does not list, and a new
-- order in any status but placed or pending_payment, with SQLSTATE SH422 (every status write in the service is conditional, so none meets it; it is the last line of defence).
CREATE FUNCTION order_status_transition() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF NEW.status NOT IN ('placed', 'pending_payment') THEN
            RAISE EXCEPTION 'an order cannot start %', NEW.status USING ERRCODE = 'SH422';
        END IF;
    ELSIF NEW.status IS DISTINCT FROM OLD.status AND NOT EXISTS (
        SELECT 1 FROM order_transitions WHERE from_status = OLD.status AND to_status = NEW.status) THEN
        RAISE EXCEPTION 'order status % cannot become %', OLD.status, NEW.status USING ERRCODE = 'SH422';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER orders_status_transition BEFORE INSERT OR UPDATE OF status ON orders
    FOR EACH ROW EXECUTE FUNCTION order_status_transition();

-- Every provider event handled, by its id: a redelivery (Stripe retries for up to 3 days) finds
-- its row and is a no-op.
CREATE TABLE payment_events (
    id          text PRIMARY KEY,
    type        text NOT NULL,
    intent_id   text NOT NULL,
    order_id    text NOT NULL,
    outcome     text NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now()
);

---- create above / drop below ----

DROP TABLE payment_events;
DROP TRIGGER orders_status_transition ON orders;
DROP FUNCTION order_status_transition();
DROP TABLE order_transitions;
DROP INDEX orders_pending_expires_at_idx;
ALTER TABLE orders
    DROP CONSTRAINT orders_refund_check,
    DROP CONSTRAINT orders_paid_at_check,
    DROP CONSTRAINT orders_pending_payment_check,
    DROP COLUMN expires_at,
    DROP COLUMN paid_at,
    DROP COLUMN payment_error,
    DROP COLUMN payment_refund_id,
    DROP COLUMN payment_intent_id,
    DROP COLUMN payment_provider;
ALTER TABLE orders DROP CONSTRAINT orders_status_check;
ALTER TABLE orders ADD CONSTRAINT orders_status_check CHECK (status IN ('placed', 'cancelled'));
