-- Product pictures, order numbers and addresses, invoices, the stock movement history and
-- uploads (issue 14).

-- A product's uploaded picture: image_key is the upload being (or last) processed and
-- image_version counts uploads, so the image job writes variants under a new key per upload
-- (products/<id>/<version>-<size>.jpg) and only the newest upload's job may set images.
-- images holds the variants' public URLs ({"thumb","card","full"}) once made; NULL before.
ALTER TABLE products
    ADD COLUMN image_key     text,
    ADD COLUMN image_version bigint NOT NULL DEFAULT 0,
    ADD COLUMN images        jsonb,
    ADD CONSTRAINT products_images_check CHECK (images IS NULL OR jsonb_typeof(images) = 'object');

-- The upload slots POST /api/admin/uploads hands out: the declared type and size are checked
-- against the bytes when a product takes the upload.
CREATE TABLE uploads (
    key          text PRIMARY KEY CONSTRAINT uploads_key_check CHECK (key ~ '^uploads/[0-9a-f-]{36}$'),
    content_type text NOT NULL CONSTRAINT uploads_content_type_check
        CHECK (content_type IN ('image/jpeg', 'image/png', 'image/webp')),
    size_bytes   bigint NOT NULL CONSTRAINT uploads_size_bytes_check CHECK (size_bytes BETWEEN 1 AND 5242880),
    created_by   uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX uploads_created_at_idx ON uploads (created_at);

-- Every admin stock adjustment, in the adjustment's own transaction.
CREATE TABLE stock_movements (
    id          bigserial PRIMARY KEY,
    product_id  uuid NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    at          timestamptz NOT NULL DEFAULT now(),
    delta       integer NOT NULL CONSTRAINT stock_movements_delta_check CHECK (delta <> 0),
    reason      text NOT NULL CONSTRAINT stock_movements_reason_check CHECK (length(reason) BETWEEN 1 AND 200),
    actor_id    uuid REFERENCES users (id) ON DELETE SET NULL,
    stock_after integer NOT NULL CONSTRAINT stock_movements_stock_after_check CHECK (stock_after >= 0)
);
CREATE INDEX stock_movements_product_id_at_idx ON stock_movements (product_id, at DESC, id DESC);

-- The order's human number (SH-000123): taken from the sequence in the order transaction's
-- first round trip, so the response rendered before the insert carries it. Existing orders are
-- numbered in the order they were placed. The default serves any insert that does not take one.
CREATE SEQUENCE order_number_seq AS bigint;
ALTER TABLE orders ADD COLUMN number bigint, ADD COLUMN shipping_address jsonb;
UPDATE orders o SET number = n.num
    FROM (SELECT id, nextval('order_number_seq') AS num FROM (SELECT id FROM orders ORDER BY created_at, id) s) n
    WHERE o.id = n.id;
ALTER TABLE orders
    ALTER COLUMN number SET DEFAULT nextval('order_number_seq'),
    ALTER COLUMN number SET NOT NULL,
    ADD CONSTRAINT orders_number_key UNIQUE (number),
    ADD CONSTRAINT orders_shipping_address_check CHECK (shipping_address IS NULL OR jsonb_typeof(shipping_address) = 'object');
ALTER SEQUENCE order_number_seq OWNED BY orders.number;
CREATE INDEX orders_created_at_id_idx ON orders (created_at DESC, id DESC);

-- The PDFs made for an order: the invoice when it is placed, the credit note when it is
-- cancelled. A row exists once the PDF is stored (at key, in the media store).
CREATE TABLE invoices (
    order_id   uuid NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    kind       text NOT NULL CONSTRAINT invoices_kind_check CHECK (kind IN ('invoice', 'credit_note')),
    key        text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (order_id, kind)
);

-- The invoice job is enqueued by the order's own transaction, through a trigger: whatever path
-- inserts or cancels an order (the placement transaction, a customer's cancel, an admin's), the
-- job commits with it or not at all (the transactional outbox), and the placement's pipelined
-- round trips stay as they are. The row is what River's own insert writes for a job of kind
-- 'invoice' (args as invoice.Args, River's default queue and priority); River's workers poll
-- for it. postgres tests place and cancel orders and check the jobs, so a River upgrade that
-- changes river_job fails them.
CREATE FUNCTION enqueue_invoice() RETURNS trigger
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

---- create above / drop below ----

DROP TRIGGER orders_invoice_cancelled ON orders;
DROP TRIGGER orders_invoice_placed ON orders;
DROP FUNCTION enqueue_invoice();
DROP TABLE invoices;
DROP INDEX orders_created_at_id_idx;
ALTER TABLE orders DROP COLUMN shipping_address, DROP COLUMN number;
DROP TABLE stock_movements;
DROP TABLE uploads;
ALTER TABLE products DROP CONSTRAINT products_images_check, DROP COLUMN images, DROP COLUMN image_version, DROP COLUMN image_key;
