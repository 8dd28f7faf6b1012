package postgres

import (
	"context"
	"log/slog"
	"math/bits"
	"sort"
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

	refreshing sync.Mutex // one refresh at a time; guards watermark
	watermark  string

	mu     sync.RWMutex
	data   indexData
	readAt time.Time // when the snapshot of the last successful refresh began; zero before the first

	words    sync.Map // word → wordEntry
	nwords   atomic.Int64
	resolves singleflight.Group

	served, fellBack atomic.Int64
	warned           atomic.Int64 // unix seconds of the last refresh WARN
}

// SearchIndexOptions tune a SearchIndex; zero values take the defaults.
type SearchIndexOptions struct {
	// Interval between refreshes in Run. Default 250 ms.
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
		opts.Interval = 250 * time.Millisecond
	}
	if opts.MaxLag <= 0 {
		opts.MaxLag = time.Second
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &SearchIndex{store: s, log: s.log, interval: opts.Interval, maxLag: opts.MaxLag, now: opts.Now,
		watermark: "0", data: newIndexData()}
}

// SearchIndexStats count the searches answered from memory and those that fell back to SQL.
type SearchIndexStats struct {
	Products           int
	Served, FellBack   int64
	LastRefreshStarted time.Time
}

// Stats returns the counters.
func (x *SearchIndex) Stats() SearchIndexStats {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return SearchIndexStats{Products: len(x.data.products), Served: x.served.Load(), FellBack: x.fellBack.Load(),
		LastRefreshStarted: x.readAt}
}

// Run refreshes the index every Interval until ctx ends. A failed refresh is logged (one WARN
// a minute at most) and retried at the next tick; meanwhile searches fall back to SQL once the
// data is older than MaxLag.
func (x *SearchIndex) Run(ctx context.Context) {
	t := time.NewTicker(x.interval)
	defer t.Stop()
	for {
		if err := x.Refresh(ctx); err != nil && ctx.Err() == nil {
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

const indexColumns = productColumns + ", created_at, search_vector::text"

type indexRow struct {
	p       shop.Product
	created time.Time
	vector  string
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
				&p.Stock, &p.Category, &p.ImageURL, &p.Images, &r.created, &r.vector}, func() error {
				rows = append(rows, r)
				r.p.Images = nil // a fresh pointer for the next row
				return nil
			})
			return err
		})
	if err != nil {
		return mapError("search index: refresh", err)
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	for _, r := range rows {
		if err := x.data.apply(r); err != nil {
			// The data is partly applied: make every search fall back until a full reload.
			x.readAt = time.Time{}
			x.watermark = "0"
			return mapError("search index: refresh", err)
		}
	}
	x.data.finish()
	x.watermark = next
	x.readAt = began
	return nil
}

func (x *SearchIndex) fresh() bool {
	return !x.readAt.IsZero() && x.now().Sub(x.readAt) < x.maxLag
}

// SearchProducts implements shop.ProductSearcher.
func (x *SearchIndex) SearchProducts(ctx context.Context, q shop.ProductQuery) (shop.ProductPage, error) {
	x.mu.RLock()
	fresh := x.fresh()
	x.mu.RUnlock()
	if !fresh {
		x.fellBack.Add(1)
		return x.store.SearchProducts(ctx, q)
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
		return x.store.SearchProducts(ctx, q)
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
	v, err, _ := x.resolves.Do(strings.Join(missing, " "), func() (any, error) {
		// Detached from the first caller, whose leaving must not fail the others.
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		began := x.now()
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
	if err != nil {
		return nil, err
	}
	for i, w := range v.([]*resolvedWord) {
		out[at[i]] = w
	}
	return out, nil
}

// indexData is the copy of the catalog. Ordinals index products; postings list, per lexeme,
// the ordinals of the products whose search_vector has it, ascending.
type indexData struct {
	products   []*indexProduct
	byID       map[string]int32
	postings   map[string][]int32
	lexemes    []string // the postings' keys, sorted (finish)
	skus       []skuOrdinal
	categories []string
	categoryID map[string]int32

	lexemesDirty, skusDirty bool
}

type indexProduct struct {
	p        shop.Product
	micro    int64 // created_at in microseconds, PostgreSQL's precision
	category int32
	vector   string // search_vector as PostgreSQL printed it
	vec      []vecLexeme
}

type skuOrdinal struct {
	sku string
	ord int32
}

func newIndexData() indexData {
	return indexData{byID: map[string]int32{}, postings: map[string][]int32{}, categoryID: map[string]int32{}}
}

func (d *indexData) apply(r indexRow) error {
	ord, known := d.byID[r.p.ID]
	var m *indexProduct
	if known {
		m = d.products[ord]
	} else {
		ord = int32(len(d.products))
		m = &indexProduct{}
		d.products = append(d.products, m)
		d.byID[r.p.ID] = ord
	}
	if !known || m.vector != r.vector {
		vec, err := parseTSVector(r.vector)
		if err != nil {
			return err
		}
		for _, e := range m.vec {
			d.unpost(e.lex, ord)
		}
		for _, e := range vec {
			d.post(e.lex, ord)
		}
		m.vec, m.vector = vec, r.vector
	}
	if !known || m.p.SKU != r.p.SKU {
		d.skusDirty = true
	}
	c, ok := d.categoryID[r.p.Category]
	if !ok {
		c = int32(len(d.categories))
		d.categories = append(d.categories, r.p.Category)
		d.categoryID[r.p.Category] = c
	}
	m.p, m.micro, m.category = r.p, r.created.UnixMicro(), c
	return nil
}

func (d *indexData) post(lex string, ord int32) {
	l, ok := d.postings[lex]
	if !ok {
		d.lexemesDirty = true
	}
	i := sort.Search(len(l), func(i int) bool { return l[i] >= ord })
	if i < len(l) && l[i] == ord {
		return
	}
	l = append(l, 0)
	copy(l[i+1:], l[i:])
	l[i] = ord
	d.postings[lex] = l
}

func (d *indexData) unpost(lex string, ord int32) {
	l := d.postings[lex]
	i := sort.Search(len(l), func(i int) bool { return l[i] >= ord })
	if i == len(l) || l[i] != ord {
		return
	}
	l = append(l[:i], l[i+1:]...)
	if len(l) == 0 {
		delete(d.postings, lex)
		d.lexemesDirty = true
		return
	}
	d.postings[lex] = l
}

// finish rebuilds the sorted lexeme and SKU lists after a refresh changed them.
func (d *indexData) finish() {
	if d.lexemesDirty {
		d.lexemes = d.lexemes[:0]
		for l := range d.postings {
			d.lexemes = append(d.lexemes, l)
		}
		sort.Strings(d.lexemes)
		d.lexemesDirty = false
	}
	if d.skusDirty {
		d.skus = d.skus[:0]
		for i, m := range d.products {
			d.skus = append(d.skus, skuOrdinal{sku: m.p.SKU, ord: int32(i)})
		}
		sort.Slice(d.skus, func(i, j int) bool { return d.skus[i].sku < d.skus[j].sku })
		d.skusDirty = false
	}
}

// bitset is a set of ordinals.
type bitset []uint64

func newBitset(n int) bitset { return make(bitset, (n+63)/64) }

func (b bitset) set(i int32) { b[i>>6] |= 1 << (uint(i) & 63) }

func (b bitset) addAll(l []int32) {
	for _, i := range l {
		b.set(i)
	}
}

// textMatch is the products the resolved words match: each word, as a prefix of a lexeme or
// one of its typo alternatives (search_vector @@ tsqueryOf(words)); nil when no word is left.
func (d *indexData) textMatch(words []*resolvedWord) bitset {
	var match bitset
	for _, w := range words {
		if w == nil {
			continue
		}
		t := newBitset(len(d.products))
		for i := sort.SearchStrings(d.lexemes, w.stem); i < len(d.lexemes) && strings.HasPrefix(d.lexemes[i], w.stem); i++ {
			t.addAll(d.postings[d.lexemes[i]])
		}
		for _, a := range w.alts {
			t.addAll(d.postings[a])
		}
		if match == nil {
			match = t
			continue
		}
		for i := range match {
			match[i] &= t[i]
		}
	}
	return match
}

// search answers q over the copy, as Store.SearchProducts answers it over the table.
func (d *indexData) search(q shop.ProductQuery, words []*resolvedWord) shop.ProductPage {
	n := len(d.products)
	var match bitset
	if q.Q == "" {
		match = newBitset(n)
		for i := range match {
			match[i] = ^uint64(0)
		}
		if r := n % 64; r != 0 {
			match[len(match)-1] = 1<<uint(r) - 1
		}
	} else {
		match = d.textMatch(words)
		if match == nil {
			match = newBitset(n)
		}
		prefix := strings.ToUpper(q.Q)
		for i := sort.Search(len(d.skus), func(i int) bool { return d.skus[i].sku >= prefix }); i < len(d.skus) &&
			strings.HasPrefix(d.skus[i].sku, prefix); i++ {
			match.set(d.skus[i].ord)
		}
	}
	relevance := q.Sort == shop.SortRelevance
	rq := newRankQuery(words)
	bounds := shop.PriceRangeBounds
	nb := len(bounds) + 1
	counts := make([]int, len(d.categories)*nb*4) // category, bucket, in stock, price in range
	top := topN{limit: q.Limit + 1, before: sortBefore(q.Sort)}
	var after *pageKey
	if c := q.After; c != nil {
		after = &pageKey{id: c.ID}
		switch {
		case c.Name != nil:
			after.name = *c.Name
		case c.Price != nil:
			after.price = *c.Price
		case c.Micro != nil:
			after.micro = *c.Micro
		case c.Score != nil:
			after.score = *c.Score
		}
	}
	for w, word := range match {
		for word != 0 {
			ord := int32(w*64 + bits.TrailingZeros64(word))
			word &= word - 1
			m := d.products[ord]
			price := m.p.PriceCents
			bucket := sort.Search(len(bounds), func(i int) bool { return bounds[i] > price }) // width_bucket
			inStock := m.p.Stock > 0
			priceOK := (q.MinPriceCents == nil || price >= *q.MinPriceCents) && (q.MaxPriceCents == nil || price <= *q.MaxPriceCents)
			counts[((int(m.category)*nb+bucket)*2+b2i(inStock))*2+b2i(priceOK)]++
			if !priceOK || (q.Category != "" && m.p.Category != q.Category) || (q.InStock != nil && inStock != *q.InStock) {
				continue
			}
			k := pageKey{id: m.p.ID, name: m.p.Name, price: price, micro: m.micro, ord: ord}
			if relevance && len(rq.items) > 0 {
				k.score = tsRank(m.vec, rq)
			}
			if after != nil && !top.before(*after, k) {
				continue
			}
			top.push(k)
		}
	}
	var groups []facetGroup
	for i, c := range counts {
		if c == 0 {
			continue
		}
		priceOK, inStock := i%2 == 1, (i/2)%2 == 1
		bucket, cat := (i/4)%nb, i/4/nb
		groups = append(groups, facetGroup{Category: d.categories[cat], Bucket: bucket, InStock: inStock, PriceInRange: priceOK, N: c})
	}
	out := shop.ProductPage{Items: []shop.Product{}}
	out.Total, out.Facets = sumFacets(groups, q)
	hits := top.sorted()
	for i, h := range hits {
		if i == q.Limit {
			last := hits[i-1]
			c := shop.ProductCursor{Sort: q.Sort, ID: last.id}
			switch q.Sort {
			case shop.SortName:
				c.Name = &last.name
			case shop.SortPriceAsc, shop.SortPriceDesc:
				c.Price = &last.price
			case shop.SortNewest:
				c.Micro = &last.micro
			case shop.SortRelevance:
				c.Score = &last.score
			}
			enc := c.Encode()
			out.NextCursor = &enc
			break
		}
		out.Items = append(out.Items, d.products[h.ord].p)
	}
	return out
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// pageKey is a product's place in a sort (the keyset of search.go's keyset).
type pageKey struct {
	id    string
	name  string
	price int64
	micro int64
	score float64
	ord   int32
}

// sortBefore returns whether a comes before b in the sort; every order ends in the id (a
// lowercase UUID, whose string order is PostgreSQL's uuid order). Names compare bytewise, as
// under the "C" and C.UTF-8 collations.
func sortBefore(s shop.Sort) func(a, b pageKey) bool {
	switch s {
	case shop.SortPriceAsc:
		return func(a, b pageKey) bool { return a.price < b.price || a.price == b.price && a.id < b.id }
	case shop.SortPriceDesc:
		return func(a, b pageKey) bool { return a.price > b.price || a.price == b.price && a.id > b.id }
	case shop.SortNewest:
		return func(a, b pageKey) bool { return a.micro > b.micro || a.micro == b.micro && a.id > b.id }
	case shop.SortRelevance:
		return func(a, b pageKey) bool { return a.score > b.score || a.score == b.score && a.id > b.id }
	}
	return func(a, b pageKey) bool { return a.name < b.name || a.name == b.name && a.id < b.id }
}

// topN keeps the first limit keys pushed, in the sort: a heap whose root is the last of them.
type topN struct {
	limit  int
	before func(a, b pageKey) bool
	h      []pageKey
}

func (t *topN) push(k pageKey) {
	if len(t.h) < t.limit {
		t.h = append(t.h, k)
		for i := len(t.h) - 1; i > 0; {
			p := (i - 1) / 2
			if !t.before(t.h[p], t.h[i]) {
				break
			}
			t.h[p], t.h[i] = t.h[i], t.h[p]
			i = p
		}
		return
	}
	if t.limit == 0 || !t.before(k, t.h[0]) {
		return
	}
	t.h[0] = k
	for i := 0; ; {
		l, r, last := 2*i+1, 2*i+2, i
		if l < len(t.h) && t.before(t.h[last], t.h[l]) {
			last = l
		}
		if r < len(t.h) && t.before(t.h[last], t.h[r]) {
			last = r
		}
		if last == i {
			break
		}
		t.h[i], t.h[last] = t.h[last], t.h[i]
		i = last
	}
}

func (t *topN) sorted() []pageKey {
	sort.Slice(t.h, func(i, j int) bool { return t.before(t.h[i], t.h[j]) })
	return t.h
}
