-- A product whose stock goes from 0 to more (a restock, a cancellation, an admin adjustment)
-- is announced on the shop_stock channel, its id as the payload, so that every instance drops
-- it from its in-process sold-out set (postgres/soldout.go) at once. The notification is sent
-- at commit, and only on the 0 -> more edge: the hot path of a sale (stock going down) sends
-- nothing.
CREATE FUNCTION products_stock_reopened() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('shop_stock', NEW.id::text);
    RETURN NULL;
END
$$;

CREATE TRIGGER products_stock_reopened
    AFTER UPDATE OF stock ON products
    FOR EACH ROW WHEN (OLD.stock = 0 AND NEW.stock > 0)
    EXECUTE FUNCTION products_stock_reopened();

---- create above / drop below ----

DROP TRIGGER products_stock_reopened ON products;
DROP FUNCTION products_stock_reopened();
