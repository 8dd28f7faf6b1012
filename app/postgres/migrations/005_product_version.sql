-- Every write of a product increments its version; the search_index job it enqueues in the
-- same transaction carries it (search.IndexArgs), which makes the job unique per write and
-- lets an index ignore an older version arriving late. Orders and cancels change only the
-- stock and leave the version alone: they must not add a job to the hot path.
ALTER TABLE products ADD COLUMN version bigint NOT NULL DEFAULT 1;

---- create above / drop below ----

ALTER TABLE products DROP COLUMN version;
