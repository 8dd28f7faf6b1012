-- Products are never deleted (issue 11): orders refer to them, and the search engines' copies
-- (OpenSearch through search_sync, serve's in-process copy, SHOP_SEARCH_MEMORY) learn of every
-- change from the row's search_xid, which a deleted row no longer has: a deleted product would
-- stay searchable there for good. Retire a product by setting its stock to 0; a DELETE or a
-- TRUNCATE of products is refused, whoever sends it.
CREATE FUNCTION refuse_product_delete() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'products are never deleted: orders and the search copies refer to them; set the product''s stock to 0 instead'
        USING ERRCODE = 'restrict_violation';
END
$$;

CREATE TRIGGER products_never_deleted BEFORE DELETE ON products
    FOR EACH ROW EXECUTE FUNCTION refuse_product_delete();
CREATE TRIGGER products_never_truncated BEFORE TRUNCATE ON products
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_product_delete();
