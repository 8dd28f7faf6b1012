-- Product search (postgres/search.go). Full text: a generated tsvector with the name weighted
-- above the description, stemmed by the 'english' configuration, under a GIN index. Typos and
-- prefixes: pg_trgm's word similarity on the name (`q <% name`), under a trigram GIN index.
-- pg_trgm is a trusted extension (PostgreSQL 13+), so the database owner may create it, on
-- RDS and Aurora too.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

ALTER TABLE products ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('english', name), 'A') ||
    setweight(to_tsvector('english', description), 'B')
) STORED;
CREATE INDEX products_search_vector_idx ON products USING gin (search_vector);
CREATE INDEX products_name_trgm_idx ON products USING gin (name gin_trgm_ops);
-- An SKU prefix ("tee-") matches too; LIKE 'X%' needs the pattern operator class.
CREATE INDEX products_sku_pattern_idx ON products (sku text_pattern_ops);
-- Keyset pagination under the price and newest sorts (name has products_name_id_idx).
CREATE INDEX products_price_cents_id_idx ON products (price_cents, id);
CREATE INDEX products_created_at_id_idx ON products (created_at, id);

---- create above / drop below ----

DROP INDEX products_created_at_id_idx;
DROP INDEX products_price_cents_id_idx;
DROP INDEX products_sku_pattern_idx;
DROP INDEX products_name_trgm_idx;
DROP INDEX products_search_vector_idx;
ALTER TABLE products DROP COLUMN search_vector;
