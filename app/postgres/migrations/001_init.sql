-- The catalog. stock >= 0 is the last line of defence against overselling; the order
-- transaction's conditional decrement means the happy path never reaches it.
CREATE TABLE products (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    sku         text NOT NULL CONSTRAINT products_sku_key UNIQUE,
    name        text NOT NULL CONSTRAINT products_name_check CHECK (length(name) BETWEEN 1 AND 200),
    description text NOT NULL DEFAULT '',
    price_cents bigint NOT NULL CONSTRAINT products_price_cents_check CHECK (price_cents >= 0),
    currency    text NOT NULL DEFAULT 'USD' CONSTRAINT products_currency_check CHECK (currency ~ '^[A-Z]{3}$'),
    stock       integer NOT NULL CONSTRAINT products_stock_check CHECK (stock >= 0),
    category    text NOT NULL,
    image_url   text NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
-- Keyset pagination sorts by (name, id), optionally within a category.
CREATE INDEX products_name_id_idx ON products (name, id);
CREATE INDEX products_category_name_id_idx ON products (category, name, id);

CREATE TABLE users (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    email         text NOT NULL CONSTRAINT users_email_check CHECK (length(email) BETWEEN 3 AND 254),
    name          text NOT NULL,
    password_hash text NOT NULL,
    is_admin      boolean NOT NULL DEFAULT false,
    created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_email_lower_key ON users (lower(email));

-- Only a SHA-256 of the session token is stored: a database leak does not leak sessions.
CREATE TABLE sessions (
    token_hash bytea PRIMARY KEY,
    user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL
);
CREATE INDEX sessions_user_id_idx ON sessions (user_id);
CREATE INDEX sessions_expires_at_idx ON sessions (expires_at);

CREATE TABLE orders (
    id           uuid PRIMARY KEY,
    user_id      uuid NOT NULL REFERENCES users (id),
    status       text NOT NULL CONSTRAINT orders_status_check CHECK (status IN ('placed', 'cancelled')),
    total_cents  bigint NOT NULL CONSTRAINT orders_total_cents_check CHECK (total_cents >= 0),
    currency     text NOT NULL,
    created_at   timestamptz NOT NULL,
    cancelled_at timestamptz,
    CONSTRAINT orders_cancelled_at_check CHECK ((status = 'cancelled') = (cancelled_at IS NOT NULL))
);
CREATE INDEX orders_user_id_created_at_idx ON orders (user_id, created_at DESC);

CREATE TABLE order_items (
    order_id         uuid NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    product_id       uuid NOT NULL REFERENCES products (id),
    sku              text NOT NULL,
    name             text NOT NULL,
    quantity         integer NOT NULL CONSTRAINT order_items_quantity_check CHECK (quantity > 0),
    unit_price_cents bigint NOT NULL CONSTRAINT order_items_unit_price_cents_check CHECK (unit_price_cents >= 0),
    PRIMARY KEY (order_id, product_id)
);
CREATE INDEX order_items_product_id_idx ON order_items (product_id);

-- One row per (user, Idempotency-Key), written in the order's own transaction with the
-- response it produced. Rows older than 24 hours are pruned and may be reused.
CREATE TABLE idempotency_keys (
    user_id       uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    key           text NOT NULL CONSTRAINT idempotency_keys_key_check CHECK (length(key) BETWEEN 1 AND 200),
    request_hash  text NOT NULL,
    status_code   integer,
    response_body bytea,
    order_id      uuid REFERENCES orders (id) ON DELETE SET NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, key)
);
CREATE INDEX idempotency_keys_created_at_idx ON idempotency_keys (created_at);

-- Failed logins per account and per client IP, shared by every instance of the service.
CREATE TABLE login_failures (
    scope           text NOT NULL CONSTRAINT login_failures_scope_check CHECK (scope IN ('email', 'ip')),
    subject         text NOT NULL,
    failures        integer NOT NULL CONSTRAINT login_failures_failures_check CHECK (failures > 0),
    last_failure_at timestamptz NOT NULL,
    PRIMARY KEY (scope, subject)
);

---- create above / drop below ----

DROP TABLE login_failures;
DROP TABLE idempotency_keys;
DROP TABLE order_items;
DROP TABLE orders;
DROP TABLE sessions;
DROP TABLE users;
DROP TABLE products;
