-- Invoices follow payment (issue 14/15): an order is invoiced once it is owed, that is when it
-- is placed (pay on delivery) or when its payment arrives (pending_payment -> paid); an order
-- awaiting payment has no invoice, and one that expires or is cancelled unpaid never gets one.
-- The credit note is for an invoiced order only: cancelling a placed or paid order.
-- The job row is still River's own insert for kind 'invoice' (see 006).
CREATE OR REPLACE FUNCTION enqueue_invoice() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    doc text := CASE WHEN NEW.status = 'cancelled' THEN 'credit_note' ELSE 'invoice' END;
BEGIN
    INSERT INTO river_job (kind, args, max_attempts, queue, priority, state, scheduled_at)
    VALUES ('invoice', jsonb_build_object('order_id', NEW.id, 'kind', doc), 10, 'default', 1, 'available', now());
    RETURN NULL;
END
$$;
DROP TRIGGER orders_invoice_placed ON orders;
DROP TRIGGER orders_invoice_cancelled ON orders;
CREATE TRIGGER orders_invoice_placed AFTER INSERT ON orders
    FOR EACH ROW WHEN (NEW.status = 'placed') EXECUTE FUNCTION enqueue_invoice();
CREATE TRIGGER orders_invoice_paid AFTER UPDATE OF status ON orders
    FOR EACH ROW WHEN (OLD.status = 'pending_payment' AND NEW.status = 'paid') EXECUTE FUNCTION enqueue_invoice();
CREATE TRIGGER orders_invoice_cancelled AFTER UPDATE OF status ON orders
    FOR EACH ROW WHEN (OLD.status IN ('placed', 'paid') AND NEW.status = 'cancelled') EXECUTE FUNCTION enqueue_invoice();

---- create above / drop below ----

DROP TRIGGER orders_invoice_cancelled ON orders;
DROP TRIGGER orders_invoice_paid ON orders;
DROP TRIGGER orders_invoice_placed ON orders;
CREATE OR REPLACE FUNCTION enqueue_invoice() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    doc text := CASE WHEN TG_OP = 'INSERT' THEN 'invoice' ELSE 'credit_note' END;
BEGIN
    INSERT INTO river_job (kind, args, max_attempts, queue, priority, state, scheduled_at)
    VALUES ('invoice', jsonb_build_object('order_id', NEW.id, 'kind', doc), 10, 'default', 1, 'available', now());
    RETURN NULL;
END
$$;
CREATE TRIGGER orders_invoice_placed AFTER INSERT ON orders
    FOR EACH ROW EXECUTE FUNCTION enqueue_invoice();
CREATE TRIGGER orders_invoice_cancelled AFTER UPDATE OF status ON orders
    FOR EACH ROW WHEN (OLD.status = 'placed' AND NEW.status = 'cancelled') EXECUTE FUNCTION enqueue_invoice();
