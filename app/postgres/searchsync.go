package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/shopstack/shopstack/app/search"
)

// syncBoundsSQL reads the watermark (locking its row) and the next one: the oldest transaction
// the snapshot saw running (pg_snapshot_xip), or the snapshot's xmax when none ran. The
// server-wide xmin would do, but one idle transaction in another database of the same server
// would then hold every sync back to it: transactions that pg_stat_activity shows in another
// database cannot write this one's products and are left out. Anything else in xip is kept (one
// that ended between the snapshot and the activity read, a prepared transaction, a backend
// whose xid this role may not see), which can only resend rows, never skip one.
const syncBoundsSQL = `WITH snap AS (SELECT pg_current_snapshot() AS s)
SELECT w.watermark::text, LEAST(pg_snapshot_xmax(snap.s), (
		SELECT min(x) FROM pg_snapshot_xip(snap.s) AS x
		WHERE xid(x) NOT IN (SELECT backend_xid FROM pg_stat_activity
			WHERE backend_xid IS NOT NULL AND datname IS DISTINCT FROM current_database())))::text
FROM search_sync AS w, snap FOR UPDATE OF w`

// SyncSearchChanges hands send, page rows at a time, every product written since the watermark
// (migration search_sync: search_xid at or above it), then moves the watermark, and returns how many it
// sent. Orders and cancels are included: their stock reaches the search engine without any job
// on the order path.
//
// It runs in one REPEATABLE READ transaction whose first statement locks the watermark row (one
// sync at a time) and takes the new watermark from the snapshot (syncBoundsSQL): every
// transaction below it had ended when the snapshot was taken, so all its writes are in the
// snapshot and are sent now; a transaction at or above it may commit later and is read again by
// the next sync. The watermark moves only after send succeeded for every page: a failed send
// leaves it, and the next sync sends the same rows again (the engine's external versions make
// repeats harmless).
func (s *Store) SyncSearchChanges(ctx context.Context, page int,
	send func(context.Context, []search.Document) error) (int, error) {
	sent := 0
	err := pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead}, func(tx pgx.Tx) error {
		var from, upTo string
		if err := tx.QueryRow(ctx, syncBoundsSQL).Scan(&from, &upTo); err != nil {
			return err
		}
		after := "00000000-0000-0000-0000-000000000000"
		for {
			rows, err := tx.Query(ctx, "SELECT "+documentColumns+` FROM products
				WHERE search_xid >= $1::xid8 AND id > $2::uuid ORDER BY id LIMIT $3`, from, after, page)
			if err != nil {
				return err
			}
			docs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (search.Document, error) { return scanDocument(r) })
			if err != nil {
				return err
			}
			if len(docs) == 0 {
				break
			}
			if err := send(ctx, docs); err != nil {
				return fmt.Errorf("send: %w", err)
			}
			sent += len(docs)
			after = docs[len(docs)-1].ID
		}
		_, err := tx.Exec(ctx, "UPDATE search_sync SET watermark = $1::xid8", upTo)
		return err
	})
	return sent, mapError("search sync", err)
}
