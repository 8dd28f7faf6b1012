-- Product search (postgres/search.go). Full text: a generated tsvector with the name weighted
-- above the description, stemmed by the 'english' configuration, under a GIN index; every
-- query word is a prefix. Typos: a query word that begins no lexeme of the catalog is widened
-- to the catalog lexemes most similar to it (pg_trgm), looked up in search_lexemes, so the
-- products themselves are only ever read through the full-text index (computing trigram
-- similarity row by row costs ~10 us a product). pg_trgm is a trusted extension (PostgreSQL 13+),
-- so the database owner may create it, on RDS and Aurora too.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

ALTER TABLE products ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('english', name), 'A') ||
    setweight(to_tsvector('english', description), 'B')
) STORED;
CREATE INDEX products_search_vector_idx ON products USING gin (search_vector);

-- Every lexeme any product's name or description has had. Kept by triggers in the product
-- write's own transaction; a lexeme whose last product changed stays, which only widens a
-- typo to a word that matches nothing. "C" collation: the btree answers LIKE 'prefix%'.
CREATE TABLE search_lexemes (
    lexeme text COLLATE "C" PRIMARY KEY
);
CREATE INDEX search_lexemes_trgm_idx ON search_lexemes USING gin (lexeme gin_trgm_ops);

CREATE FUNCTION search_lexemes_add() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO search_lexemes (lexeme)
    SELECT DISTINCT unnest(tsvector_to_array(search_vector)) FROM new_products
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END
$$;
-- Statement-level with a transition table, so a bulk insert adds its lexemes in one statement.
-- Updates fire only for the name or description, never for the stock an order changes.
CREATE TRIGGER products_search_lexemes_insert AFTER INSERT ON products
    REFERENCING NEW TABLE AS new_products FOR EACH STATEMENT EXECUTE FUNCTION search_lexemes_add();
CREATE FUNCTION search_lexemes_add_row() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO search_lexemes (lexeme) SELECT unnest(tsvector_to_array(NEW.search_vector))
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END
$$;
CREATE TRIGGER products_search_lexemes_update AFTER UPDATE OF name, description ON products
    FOR EACH ROW EXECUTE FUNCTION search_lexemes_add_row();
-- An SKU prefix ("tee-") matches too; LIKE 'X%' needs the pattern operator class.
CREATE INDEX products_sku_pattern_idx ON products (sku text_pattern_ops);
-- Keyset pagination under the price and newest sorts (name has products_name_id_idx).
CREATE INDEX products_price_cents_id_idx ON products (price_cents, id);
CREATE INDEX products_created_at_id_idx ON products (created_at, id);

---- create above / drop below ----

DROP INDEX products_created_at_id_idx;
DROP INDEX products_price_cents_id_idx;
DROP INDEX products_sku_pattern_idx;
DROP TRIGGER products_search_lexemes_update ON products;
DROP FUNCTION search_lexemes_add_row();
DROP TRIGGER products_search_lexemes_insert ON products;
DROP FUNCTION search_lexemes_add();
DROP TABLE search_lexemes;
DROP INDEX products_search_vector_idx;
ALTER TABLE products DROP COLUMN search_vector;
