package postgres

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"golang.org/x/sync/singleflight"

	"github.com/shopstack/shopstack/app/shop"
)

var _ shop.ProductSearcher = (*SearchIndex)(nil)

// SearchIndex answers SearchProducts from an in-process copy of the searchable catalog (every
// product's fields and search_vector), kept by polling PostgreSQL, instead of reading every
// matching row for the facet counts. It answers exactly what Store.SearchProducts answers for
// the same data: the same match (the query words are still resolved by PostgreSQL, see
// resolveWordsSQL, and cached for at most MaxLag), ts_rank re-implemented (searchrank.go), the
// same total, facets, order and cursors; only the data may be older, by at most MaxLag:
//
//   - Refresh reads, in one REPEATABLE READ snapshot, every product written since the last
//     refresh (search_xid at or above the watermark, as search_sync does; migration 007 marks
//     every insert and update, an order's stock change included) and moves the watermark to the
//     oldest transaction that snapshot saw running;
//   - Run refreshes every Interval;
//   - a search is answered from memory only while the last successful refresh began less than
//     MaxLag ago; otherwise (PostgreSQL slow or unreachable, Run not running) it falls back to
//     Store.SearchProducts, so what a shopper sees is never older than MaxLag.
//
// Products are never deleted in this schema, so the copy only grows and changes.
type SearchIndex struct {
	store    *Store
	log      *slog.Logger
	interval time.Duration
	maxLag   time.Duration
	now      func() time.Time
	// fallbackTo answers when the copy is stale (FallBackTo); nil: the store.
	fallbackTo shop.ProductSearcher
	// base is now() when the index was made: readAt counts from it, so freshness is measured on
	// the monotonic clock (a wall clock stepped back would make an old copy look fresh).
	base time.Time

	refreshing sync.Mutex // one refresh at a time; guards watermark
	watermark  string

	mu   sync.RWMutex
	data indexData
	// readAt is when the snapshot of the last successful refresh began (nanoseconds since base,
	// plus 1; 0 before the first): read without mu, so a search that falls back never waits for a
	// refresh.
	readAt atomic.Int64

	words    sync.Map // word → wordEntry
	nwords   atomic.Int64
	resolves singleflight.Group

	served, fellBack atomic.Int64
	refreshes        atomic.Int64
	wordStatements   atomic.Int64
	slowest          atomic.Int64 // nanoseconds of the slowest refresh that was not a full load
	warned           atomic.Int64 // unix seconds of the last refresh WARN
}

// SearchIndexOptions tune a SearchIndex; zero values take the defaults.
type SearchIndexOptions struct {
	// Interval between refreshes in Run. Default 500 ms: each is a sequential scan of products.
	Interval time.Duration
	// MaxLag is how old an answer's data may be. Default 1 s, what the cache allows for stock.
	MaxLag time.Duration
	// Now is the clock (tests). Default time.Now.
	Now func() time.Time
}

// maxCachedWords bounds the word cache; when it is full it is emptied.
const maxCachedWords = 10_000

type wordEntry struct {
	w  *resolvedWord // nil: a stop word
	at time.Time     // when the statement that resolved it began
}

// NewSearchIndex returns an empty index over s: it falls back to s until the first Refresh.
func NewSearchIndex(s *Store, opts SearchIndexOptions) *SearchIndex {
	if opts.Interval <= 0 {
		opts.Interval = 500 * time.Millisecond
	}
	if opts.MaxLag <= 0 {
		opts.MaxLag = time.Second
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &SearchIndex{store: s, log: s.log, interval: opts.Interval, maxLag: opts.MaxLag, now: opts.Now,
		base: opts.Now(), watermark: "0", data: newIndexData()}
}

// SearchIndexStats count the searches answered from memory and those that fell back to SQL.
type SearchIndexStats struct {
	Products           int
	Served, FellBack   int64
	Refreshes          int64         // successful ones
	WordStatements     int64         // resolveWordsSQL statements (word cache misses, coalesced)
	SlowestRefresh     time.Duration // of the successful ones after the first (a full load)
	LastRefreshStarted time.Time
}

// Stats returns the counters.
func (x *SearchIndex) Stats() SearchIndexStats {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return SearchIndexStats{Products: len(x.data.products), Served: x.served.Load(), FellBack: x.fellBack.Load(),
		Refreshes: x.refreshes.Load(), WordStatements: x.wordStatements.Load(), SlowestRefresh: time.Duration(x.slowest.Load()), LastRefreshStarted: x.lastRead()}
}

// refreshTimeout bounds one refresh of Run's (a first load of a large catalog included).
const refreshTimeout = 30 * time.Second

// Run refreshes the index every Interval until ctx ends. A failed refresh is logged (one WARN
// a minute at most) and retried at the next tick; meanwhile searches fall back to SQL once the
// data is older than MaxLag.
func (x *SearchIndex) Run(ctx context.Context) {
	t := time.NewTicker(x.interval)
	defer t.Stop()
	for loaded := false; ; {
		began := x.now()
		// A refresh stuck on a dead connection or behind a lock would otherwise block the loop
		// without a word; the searches fall back meanwhile, and the timeout makes it a WARN.
		rctx, cancel := context.WithTimeout(ctx, refreshTimeout)
		err := x.Refresh(rctx)
		cancel()
		if err == nil && !loaded {
			loaded = true
			x.log.Info("search index: loaded; searches are answered from it", "products", x.Stats().Products,
				"took", x.now().Sub(began).Round(time.Millisecond).String())
		}
		if err != nil && ctx.Err() == nil {
			now := x.now().Unix()
			if last := x.warned.Load(); now-last >= 60 && x.warned.CompareAndSwap(last, now) {
				x.log.Warn("search index: refresh failed; searches read PostgreSQL until it succeeds", "err", err)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// indexBoundsSQL is the next watermark: the oldest transaction the snapshot saw running, or its
// xmax when none ran, leaving out transactions of other databases (see syncBoundsSQL).
const indexBoundsSQL = `WITH snap AS (SELECT pg_current_snapshot() AS s)
SELECT LEAST(pg_snapshot_xmax(snap.s), (
		SELECT min(x) FROM pg_snapshot_xip(snap.s) AS x
		WHERE xid(x) NOT IN (SELECT backend_xid FROM pg_stat_activity
			WHERE backend_xid IS NOT NULL AND datname IS DISTINCT FROM current_database())))::text
FROM snap`

const indexColumns = productColumns + ", created_at, search_vector::text, search_xid::text"

type indexRow struct {
	p       shop.Product
	created time.Time
	vector  string
	xid     string         // search_xid: a row read again unchanged (a long transaction holds the watermark back) is skipped
	parsed  []parsedLexeme // vector, parsed before the lock is taken
}

// Refresh brings the index up to date with every product write committed before it began.
func (x *SearchIndex) Refresh(ctx context.Context) error {
	x.refreshing.Lock()
	defer x.refreshing.Unlock()
	began := x.now()
	var next string
	var rows []indexRow
	err := pgx.BeginTxFunc(ctx, x.store.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly},
		func(tx pgx.Tx) error {
			if err := tx.QueryRow(ctx, indexBoundsSQL).Scan(&next); err != nil {
				return err
			}
			rs, err := tx.Query(ctx, "SELECT "+indexColumns+" FROM products WHERE search_xid >= $1::xid8", x.watermark)
			if err != nil {
				return err
			}
			var r indexRow
			p := &r.p
			_, err = pgx.ForEachRow(rs, []any{&p.ID, &p.SKU, &p.Name, &p.Description, &p.PriceCents, &p.Currency,
				&p.Stock, &p.Category, &p.ImageURL, &p.Images, &r.created, &r.vector, &r.xid}, func() error {
				rows = append(rows, r)
				r.p.Images = nil // a fresh pointer for the next row
				return nil
			})
			return err
		})
	if err != nil {
		return mapError("search index: refresh", err)
	}
	// While a transaction that took its xid before a refresh stays open, the watermark stays behind
	// it and each refresh reads every row written since again: apply only the versions not applied
	// yet. (Refresh is the copy's only writer, so it reads the data without mu.)
	fresh := rows[:0]
	for _, r := range rows {
		if ord, known := x.data.byID[r.p.ID]; !known || x.data.products[ord].xid != r.xid {
			fresh = append(fresh, r)
		}
	}
	rows = fresh
	for i := range rows { // searches go on meanwhile
		if rows[i].parsed, err = parseTSVector(rows[i].vector); err != nil {
			return mapError("search index: refresh: product "+rows[i].p.ID, err)
		}
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	for _, r := range rows {
		x.data.apply(r)
	}
	x.data.finish()
	x.watermark = next
	x.readAt.Store(int64(began.Sub(x.base)) + 1) // + 1: 0 is "never"
	if d := int64(x.now().Sub(began)); x.refreshes.Add(1) > 1 && d > x.slowest.Load() {
		x.slowest.Store(d)
	}
	return nil
}

// NameCollation is the collation products.name sorts by (the column's, else the database's), and
// whether it orders as the in-process copy does, by bytes: "C", "POSIX" and libc's C.UTF-8 do; any
// other (en_US.UTF-8, an ICU locale) orders names differently from the copy.
func (s *Store) NameCollation(ctx context.Context) (name string, bytewise bool, err error) {
	var provider string
	err = s.pool.QueryRow(ctx, `SELECT CASE WHEN c.collname = 'default' THEN
			CASE d.datlocprovider WHEN 'i' THEN 'icu:' || coalesce(d.daticulocale, '') ELSE d.datcollate END
		ELSE c.collname END,
		CASE WHEN c.collname = 'default' THEN d.datlocprovider::text ELSE c.collprovider::text END
		FROM pg_attribute a JOIN pg_collation c ON c.oid = a.attcollation
		JOIN pg_database d ON d.datname = current_database()
		WHERE a.attrelid = 'products'::regclass AND a.attname = 'name'`).Scan(&name, &provider)
	if err != nil {
		return "", false, mapError("name collation", err)
	}
	switch strings.ToLower(name) {
	case "c", "posix", "c.utf-8", "c.utf8", "ucs_basic":
		return name, provider != "i", nil
	}
	return name, false, nil
}

// lastRead is when the last successful refresh began, zero before the first.
func (x *SearchIndex) lastRead() time.Time {
	if at := x.readAt.Load(); at != 0 {
		return x.base.Add(time.Duration(at - 1))
	}
	return time.Time{}
}

// FallBackTo makes s answer the searches the copy cannot (while it is older than MaxLag): serve
// passes the statement behind the catalog page cache. Default: the store's statement. Call it
// before the first search.
func (x *SearchIndex) FallBackTo(s shop.ProductSearcher) { x.fallbackTo = s }

func (x *SearchIndex) fallback() shop.ProductSearcher {
	if x.fallbackTo != nil {
		return x.fallbackTo
	}
	return x.store
}

func (x *SearchIndex) fresh() bool {
	at := x.readAt.Load()
	return at != 0 && x.now().Sub(x.base)-time.Duration(at-1) < x.maxLag
}

// SearchProducts implements shop.ProductSearcher.
func (x *SearchIndex) SearchProducts(ctx context.Context, q shop.ProductQuery) (shop.ProductPage, error) {
	if !x.fresh() {
		x.fellBack.Add(1)
		return x.fallback().SearchProducts(ctx, q)
	}
	var words []*resolvedWord
	if q.Q != "" {
		var err error
		if words, err = x.resolve(ctx, queryWords(q.Q)); err != nil {
			return shop.ProductPage{}, mapError("search products: words", err)
		}
	}
	x.mu.RLock()
	if !x.fresh() {
		x.mu.RUnlock()
		x.fellBack.Add(1)
		return x.fallback().SearchProducts(ctx, q)
	}
	page := x.data.search(q, words)
	x.mu.RUnlock()
	x.served.Add(1)
	return page, nil
}

// resolve returns the words resolved as resolveWordList does, from the cache where an entry is
// younger than MaxLag (the lexemes a typo widens to change with product writes); the misses
// are resolved in one statement, shared by concurrent searches for the same words.
func (x *SearchIndex) resolve(ctx context.Context, words []string) ([]*resolvedWord, error) {
	out := make([]*resolvedWord, len(words))
	var missing []string
	var at []int
	now := x.now()
	for i, w := range words {
		if e, ok := x.words.Load(w); ok && now.Sub(e.(wordEntry).at) < x.maxLag {
			out[i] = e.(wordEntry).w
			continue
		}
		missing = append(missing, w)
		at = append(at, i)
	}
	if len(missing) == 0 {
		return out, nil
	}
	ch := x.resolves.DoChan(strings.Join(missing, " "), func() (any, error) {
		// Detached from the first caller, whose leaving must not fail the others.
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		began := x.now()
		x.wordStatements.Add(1)
		got, err := x.store.resolveWordList(ctx, missing)
		if err != nil {
			return nil, err
		}
		if x.nwords.Load()+int64(len(missing)) > maxCachedWords {
			x.words.Clear()
			x.nwords.Store(0)
		}
		for i, w := range missing {
			if _, loaded := x.words.Swap(w, wordEntry{w: got[i], at: began}); !loaded {
				x.nwords.Add(1)
			}
		}
		return got, nil
	})
	// A caller leaving (its deadline, the client gone) stops waiting; the statement goes on for
	// the others.
	var r singleflight.Result
	select {
	case <-ctx.Done():
		return nil, ctx.Err()
	case r = <-ch:
	}
	if r.Err != nil {
		return nil, r.Err
	}
	for i, w := range r.Val.([]*resolvedWord) {
		out[at[i]] = w
	}
	return out, nil
}
