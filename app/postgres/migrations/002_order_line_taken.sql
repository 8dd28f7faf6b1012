-- order_line_taken ends the order transaction with a named condition, SQLSTATE SH409
-- (order_line_short), when a line's conditional decrement matched no row: not enough stock,
-- or the price or currency changed since it was read. It is not a constraint violation: the
-- order transaction calls it on purpose, so that the COMMIT can be pipelined with the
-- decrements (no round trip to the service while a product row is locked), and a short line
-- still aborts the whole transaction before that COMMIT runs. postgres/orders.go maps the code.
CREATE FUNCTION order_line_taken(taken bigint) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    IF taken = 0 THEN
        RAISE EXCEPTION 'order line short: its conditional decrement matched no row'
            USING ERRCODE = 'SH409';
    END IF;
END
$$;

---- create above / drop below ----

DROP FUNCTION order_line_taken(bigint);
