-- OpenSearch stock freshness without a job on the order path (search_sync, postgres/searchsync.go).
-- Orders and cancels change products.stock with plain UPDATEs and enqueue nothing; this trigger
-- marks every changed row instead, in the changing transaction itself:
--   - search_xid: the id of the transaction that last wrote the row. The periodic search_sync
--     job re-sends the rows written by transactions at or above its watermark, then moves the
--     watermark to the oldest transaction still running when it read (its snapshot's xmin):
--     every transaction below that had ended, so its rows were visible to the read. A
--     transaction that commits late is therefore never skipped, however its commit order
--     compares with its start;
--   - version: bumped when the writer did not bump it itself (orders), so OpenSearch's external
--     versioning accepts the newer stock; product writes, which bump it, keep their number.
-- Rows present before this migration keep search_xid 0, below the initial watermark: `shop
-- search reindex` covers them.
ALTER TABLE products ADD COLUMN search_xid xid8 NOT NULL DEFAULT '0';
ALTER TABLE products ALTER COLUMN search_xid SET DEFAULT pg_current_xact_id();
-- No index on search_xid: an indexed column that every order changes would rule out HOT updates
-- of the hot product rows in a flash sale (every stock decrement would then write an index
-- entry). The sync reads the products table sequentially every few seconds instead.

CREATE FUNCTION products_search_sync_mark() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.search_xid := pg_current_xact_id();
    IF NEW.version = OLD.version THEN
        NEW.version := OLD.version + 1;
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER products_search_sync_mark BEFORE UPDATE ON products
FOR EACH ROW EXECUTE FUNCTION products_search_sync_mark();

-- One row: the oldest transaction id whose writes search_sync has not yet sent for certain.
CREATE TABLE search_sync (
    singleton bool PRIMARY KEY DEFAULT true CHECK (singleton),
    watermark xid8 NOT NULL
);
INSERT INTO search_sync (watermark) VALUES (pg_snapshot_xmin(pg_current_snapshot()));

---- create above / drop below ----

DROP TABLE search_sync;
DROP TRIGGER products_search_sync_mark ON products;
DROP FUNCTION products_search_sync_mark();
ALTER TABLE products DROP COLUMN search_xid;
