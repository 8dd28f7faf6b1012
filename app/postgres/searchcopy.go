package postgres

import (
	"math"
	mbits "math/bits"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/shopstack/shopstack/app/shop"
)

// This file is SearchIndex's copy of the catalog and how it answers a search.

// indexData is the copy of the catalog. Ordinals index products and attrs; every lexeme has a
// number (intern), and postings list, per lexeme number, the ordinals of the products whose
// search_vector has it, ascending.
type indexData struct {
	products   []*indexProduct
	attrs      []indexAttrs // what the facet count reads of every match, packed (16 bytes)
	keys       []indexKeys  // what a candidate for the page reads
	byID       map[string]int32
	lexID      map[string]int32
	lexStr     []string
	postings   [][]int32
	postingsOr [][]float64 // postingsOr[l][i]: orTerm of lexeme l in product postings[l][i]
	lexemes    []int32     // every lexeme number, by lexeme (finish)
	skus       []skuOrdinal
	categories []string
	categoryID map[string]int32

	lexemesDirty, skusDirty bool
}

type indexProduct struct {
	p   shop.Product
	vec []vecLexeme // search_vector, in its order
	xid string      // search_xid of the version applied
}

type indexAttrs struct {
	price    int64
	category int32
	bucket   int8 // width_bucket(price_cents, shop.PriceRangeBounds)
	inStock  bool
}

type indexKeys struct {
	uid   uuidKey
	micro int64 // created_at in microseconds, PostgreSQL's precision
}

type skuOrdinal struct {
	sku string
	ord int32
}

func newIndexData() indexData {
	return indexData{byID: map[string]int32{}, lexID: map[string]int32{}, categoryID: map[string]int32{}}
}

func (d *indexData) intern(lex string) int32 {
	id, ok := d.lexID[lex]
	if !ok {
		id = int32(len(d.lexStr)) //nolint:gosec // lexeme numbers: far fewer than 2^31 distinct lexemes
		d.lexID[lex] = id
		d.lexStr = append(d.lexStr, lex)
		d.postings = append(d.postings, nil)
		d.postingsOr = append(d.postingsOr, nil)
		d.lexemesDirty = true
	}
	return id
}

// apply puts a product as a refresh read it into the copy.
func (d *indexData) apply(r indexRow) {
	ord, known := d.byID[r.p.ID]
	var m *indexProduct
	if known {
		m = d.products[ord]
	} else {
		ord = int32(len(d.products)) //nolint:gosec // ordinals: a catalog far smaller than 2^31 products
		m = &indexProduct{}
		d.products = append(d.products, m)
		d.attrs = append(d.attrs, indexAttrs{})
		d.keys = append(d.keys, indexKeys{})
		d.byID[r.p.ID] = ord
	}
	m.xid = r.xid
	parsed := r.parsed
	npos := 0
	for _, e := range parsed {
		npos += len(e.pos)
	}
	positions := make([]uint16, 0, npos) // one allocation for the product's positions
	vec := make([]vecLexeme, len(parsed))
	for i, e := range parsed {
		positions = append(positions, e.pos...)
		vec[i] = vecLexeme{id: d.intern(e.lex), or: orTerm(e.pos), pos: positions[len(positions)-len(e.pos):]}
	}
	if !known || !sameVector(m.vec, vec) {
		for _, e := range m.vec {
			d.unpost(e.id, ord)
		}
		for _, e := range vec {
			d.post(e.id, ord, e.or)
		}
		m.vec = vec
	}
	if !known || m.p.SKU != r.p.SKU {
		d.skusDirty = true
	}
	c, ok := d.categoryID[r.p.Category]
	if !ok {
		c = int32(len(d.categories)) //nolint:gosec // category numbers: a handful of categories
		d.categories = append(d.categories, r.p.Category)
		d.categoryID[r.p.Category] = c
	}
	m.p = r.p
	price := r.p.PriceCents
	d.attrs[ord] = indexAttrs{price: price, category: c, inStock: r.p.Stock > 0,
		bucket: int8(sort.Search(len(shop.PriceRangeBounds), func(i int) bool { return shop.PriceRangeBounds[i] > price }))} //nolint:gosec // a bucket index: len(PriceRangeBounds) < 128
	d.keys[ord] = indexKeys{uid: parseUUIDKey(r.p.ID), micro: r.created.UnixMicro()}
}

func sameVector(a, b []vecLexeme) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].id != b[i].id || !slices.Equal(a[i].pos, b[i].pos) {
			return false
		}
	}
	return true
}

func (d *indexData) post(id, ord int32, or float64) {
	l, o := d.postings[id], d.postingsOr[id]
	i := sort.Search(len(l), func(i int) bool { return l[i] >= ord })
	if i < len(l) && l[i] == ord {
		o[i] = or
		return
	}
	l, o = append(l, 0), append(o, 0)
	copy(l[i+1:], l[i:])
	copy(o[i+1:], o[i:])
	l[i], o[i] = ord, or
	d.postings[id], d.postingsOr[id] = l, o
}

func (d *indexData) unpost(id, ord int32) {
	l := d.postings[id]
	i := sort.Search(len(l), func(i int) bool { return l[i] >= ord })
	if i == len(l) || l[i] != ord {
		return
	}
	d.postings[id] = append(l[:i], l[i+1:]...)
	o := d.postingsOr[id]
	d.postingsOr[id] = append(o[:i], o[i+1:]...)
}

// finish rebuilds the sorted lexeme and SKU lists after a refresh changed them.
func (d *indexData) finish() {
	if d.lexemesDirty {
		d.lexemes = d.lexemes[:0]
		for i := range d.lexStr {
			d.lexemes = append(d.lexemes, int32(i))
		}
		sort.Slice(d.lexemes, func(i, j int) bool { return d.lexStr[d.lexemes[i]] < d.lexStr[d.lexemes[j]] })
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

// bitset is a set of ordinals or lexeme numbers.
type bitset []uint64

func newBitset(n int) bitset { return make(bitset, (n+63)/64) }

// A search's sets of products and its scores are as large as the catalog (12.5 kB and 400 kB
// at 100,000 products): they are reused, not left to the garbage collector.
var productSets, scoreSets sync.Pool

func getProductSet(n int) bitset {
	w := (n + 63) / 64
	if b, ok := productSets.Get().(*bitset); ok && cap(*b) >= w {
		s := (*b)[:w]
		clear(s)
		return s
	}
	return make(bitset, w)
}

func putProductSet(b bitset) { productSets.Put(&b) }

func getScores(n int) []float32 {
	if s, ok := scoreSets.Get().(*[]float32); ok && cap(*s) >= n {
		out := (*s)[:n]
		clear(out)
		return out
	}
	return make([]float32, n)
}

func putScores(s []float32) { scoreSets.Put(&s) }

func (b bitset) set(i int32) { b[i>>6] |= 1 << (uint(i) & 63) } //nolint:gosec // ordinals are non-negative

func (b bitset) has(i int32) bool { return int(i>>6) < len(b) && b[i>>6]&(1<<(uint(i)&63)) != 0 } //nolint:gosec // ordinals are non-negative

// lexemesOf is the set of lexeme numbers an item matches, those that begin with it (a prefix)
// or the one equal to it, and the same in lexeme order.
func (d *indexData) lexemesOf(it rankItem) (bitset, []int32) {
	b := newBitset(len(d.lexStr))
	if !it.prefix {
		if id, ok := d.lexID[it.lex]; ok {
			b.set(id)
			return b, []int32{id}
		}
		return b, nil
	}
	i := sort.Search(len(d.lexemes), func(i int) bool { return d.lexStr[d.lexemes[i]] >= it.lex })
	j := i
	for ; j < len(d.lexemes) && strings.HasPrefix(d.lexStr[d.lexemes[j]], it.lex); j++ {
		b.set(d.lexemes[j])
	}
	return b, d.lexemes[i:j]
}

// textMatch is the products the resolved words match: each word, as a prefix of a lexeme or
// one of its typo alternatives (search_vector @@ tsqueryOf(words)); nil when no word is left.
func (d *indexData) textMatch(words []*resolvedWord) bitset {
	var match bitset
	for _, w := range words {
		if w == nil {
			continue
		}
		lex, _ := d.lexemesOf(rankItem{lex: w.stem, prefix: true})
		for _, a := range w.alts {
			if id, ok := d.lexID[a]; ok {
				lex.set(id)
			}
		}
		t := getProductSet(len(d.products))
		for i, bits := range lex {
			for ; bits != 0; bits &= bits - 1 {
				for _, ord := range d.postings[i*64+mbits.TrailingZeros64(bits)] {
					t.set(ord)
				}
			}
		}
		if match == nil {
			match = t
			continue
		}
		for i := range match {
			match[i] &= t[i]
		}
		putProductSet(t)
	}
	return match
}

// search answers q over the copy, as Store.SearchProducts answers it over the table.
func (d *indexData) search(q shop.ProductQuery, words []*resolvedWord) shop.ProductPage {
	match := d.match(q, words)
	defer putProductSet(match)
	rq, scores := d.relevance(q, words)
	if scores != nil {
		defer putScores(scores)
	}
	category := int32(-1) // no category filter
	if q.Category != "" {
		category = -2 // a category no product has
		if c, ok := d.categoryID[q.Category]; ok {
			category = c
		}
	}
	minPrice, maxPrice := int64(math.MinInt64), int64(math.MaxInt64)
	if q.MinPriceCents != nil {
		minPrice = *q.MinPriceCents
	}
	if q.MaxPriceCents != nil {
		maxPrice = *q.MaxPriceCents
	}
	nb := len(shop.PriceRangeBounds) + 1          // width_bucket gives 0 to len(bounds)
	counts := make([]int, len(d.categories)*nb*4) // category, bucket, in stock, price in range
	top := topN{limit: q.Limit + 1, order: orderOf(q.Sort)}
	after := afterKey(q.Sort, q.After)
	for w, word := range match {
		for ; word != 0; word &= word - 1 {
			ord := int32(w*64 + mbits.TrailingZeros64(word)) //nolint:gosec // an ordinal: below len(products)
			a := &d.attrs[ord]
			priceOK := a.price >= minPrice && a.price <= maxPrice
			counts[((int(a.category)*nb+int(a.bucket))*2+b2i(a.inStock))*2+b2i(priceOK)]++
			if !priceOK || (category != -1 && a.category != category) || (q.InStock != nil && a.inStock != *q.InStock) {
				continue
			}
			k := pageKey{ord: ord}
			switch q.Sort {
			case shop.SortPriceAsc:
				k.k1 = orderedInt(a.price)
			case shop.SortPriceDesc:
				k.k1 = ^orderedInt(a.price)
			case shop.SortNewest:
				k.k1 = ^orderedInt(d.keys[ord].micro)
			case shop.SortRelevance:
				switch {
				case scores != nil:
					k.score = float64(float32(scores[ord] / float32(len(rq.items)))) // rankOr's division; never < 0
				case len(rq.masks) > 0:
					k.score = tsRank(d.products[ord].vec, rq)
				}
				k.k1 = ^orderedFloat(k.score)
			default:
				k.name = d.products[ord].p.Name
				k.k1 = namePrefix(k.name)
			}
			// Most candidates are settled by k1 alone: after the page so far, or before the cursor.
			if len(top.h) == top.limit && top.limit > 0 && k.k1 > top.h[0].k1 || after != nil && k.k1 < after.k1 {
				continue
			}
			k.uid = d.keys[ord].uid
			if after != nil && !top.order.before(after, &k) {
				continue
			}
			top.push(k)
		}
	}
	out := shop.ProductPage{Items: []shop.Product{}}
	out.Total, out.Facets = sumFacets(d.groups(counts, nb), q)
	out.Items, out.NextCursor = d.page(top.sorted(), q)
	return out
}

// match is the products q's text matches (search_vector @@ tsqueryOf(words), or its SKU prefix),
// every product without text.
func (d *indexData) match(q shop.ProductQuery, words []*resolvedWord) bitset {
	n := len(d.products)
	if q.Q == "" {
		match := getProductSet(n)
		for i := range match {
			match[i] = ^uint64(0)
		}
		if r := n % 64; r != 0 {
			match[len(match)-1] = 1<<uint(r) - 1
		}
		return match
	}
	match := d.textMatch(words)
	if match == nil {
		match = getProductSet(n)
	}
	prefix := strings.ToUpper(q.Q)
	for i := sort.Search(len(d.skus), func(i int) bool { return d.skus[i].sku >= prefix }); i < len(d.skus) &&
		strings.HasPrefix(d.skus[i].sku, prefix); i++ {
		match.set(d.skus[i].ord)
	}
	return match
}

// relevance prepares ts_rank for the relevance sort (nothing for another sort). An OR query's
// rank (one word) is a sum over postings: scores holds it, added up in rankOr's order (item by
// item, lexemes in order) for every product at once, before rankOr's division. An AND query's
// (two words or more, few matches) is computed per candidate, from the masks.
func (d *indexData) relevance(q shop.ProductQuery, words []*resolvedWord) (rankQuery, []float32) {
	if q.Sort != shop.SortRelevance {
		return rankQuery{}, nil
	}
	rq := newRankQuery(words)
	var ordered [][]int32
	for _, it := range rq.items {
		m, l := d.lexemesOf(it)
		rq.masks = append(rq.masks, m)
		ordered = append(ordered, l)
	}
	if rq.and || len(rq.items) == 0 {
		return rq, nil
	}
	scores := getScores(len(d.products))
	for _, lexemes := range ordered {
		for _, l := range lexemes {
			or := d.postingsOr[l]
			for i, ord := range d.postings[l] {
				scores[ord] = float32(float64(scores[ord]) + or[i])
			}
		}
	}
	return rq, scores
}

// afterKey is the cursor's keyset position in the sort; nil without a cursor. (A cursor carries
// the key of its own sort: shop.DecodeProductCursor refuses another sort's.)
func afterKey(s shop.Sort, c *shop.ProductCursor) *pageKey {
	if c == nil {
		return nil
	}
	after := &pageKey{uid: parseUUIDKey(c.ID)}
	switch {
	case c.Name != nil:
		after.name = *c.Name
		after.k1 = namePrefix(after.name)
	case c.Price != nil && s == shop.SortPriceDesc:
		after.k1 = ^orderedInt(*c.Price)
	case c.Price != nil:
		after.k1 = orderedInt(*c.Price)
	case c.Micro != nil:
		after.k1 = ^orderedInt(*c.Micro)
	case c.Score != nil:
		after.score = *c.Score
		after.k1 = ^orderedFloat(after.score)
	}
	return after
}

// groups turns the counts (by category, bucket, stock, price in range) into the statement's groups.
func (d *indexData) groups(counts []int, nb int) []facetGroup {
	var groups []facetGroup
	for i, c := range counts {
		if c == 0 {
			continue
		}
		priceOK, inStock := i%2 == 1, (i/2)%2 == 1
		bucket, cat := (i/4)%nb, i/4/nb
		groups = append(groups, facetGroup{Category: d.categories[cat], Bucket: bucket, InStock: inStock, PriceInRange: priceOK, N: c})
	}
	return groups
}

// page is the first Limit hits and, when there is one more, the cursor after the last of them.
func (d *indexData) page(hits []pageKey, q shop.ProductQuery) ([]shop.Product, *string) {
	items := []shop.Product{}
	for i, h := range hits {
		if i == q.Limit {
			last := hits[i-1]
			p, a, keys := d.products[last.ord].p, d.attrs[last.ord], d.keys[last.ord]
			c := shop.ProductCursor{Sort: q.Sort, ID: p.ID}
			switch q.Sort {
			case shop.SortName:
				c.Name = &p.Name
			case shop.SortPriceAsc, shop.SortPriceDesc:
				c.Price = &a.price
			case shop.SortNewest:
				c.Micro = &keys.micro
			case shop.SortRelevance:
				c.Score = &last.score
			}
			enc := c.Encode()
			return items, &enc
		}
		items = append(items, d.products[h.ord].p)
	}
	return items, nil
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// pageKey is a product's place in a sort (the keyset of search.go's keyset): k1, a number whose
// order is the sort key's (its first 8 bytes for a name), then the name for the name sort, then
// the id.
type pageKey struct {
	k1    uint64
	uid   uuidKey
	name  string
	score float64
	ord   int32
}

// orderedInt maps int64 order to uint64 order.
func orderedInt(v int64) uint64 { return uint64(v) ^ 1<<63 } //nolint:gosec // the sign bit flipped on purpose: an order-preserving map to uint64

// orderedFloat maps float64 order to uint64 order (-0 as 0, as PostgreSQL compares them).
func orderedFloat(f float64) uint64 {
	if f == 0 {
		f = 0
	}
	b := math.Float64bits(f)
	if b>>63 == 1 {
		return ^b
	}
	return b | 1<<63
}

// namePrefix is the first 8 bytes of a name, big-endian, zero-padded: shorter and smaller
// prefixes first, as the bytewise order of the names (text has no zero byte).
func namePrefix(s string) uint64 {
	var v uint64
	for i := 0; i < 8; i++ {
		v <<= 8
		if i < len(s) {
			v |= uint64(s[i])
		}
	}
	return v
}

// uuidKey is a UUID as two numbers, which compare as PostgreSQL compares uuids (bytewise).
type uuidKey struct{ hi, lo uint64 }

func (a uuidKey) less(b uuidKey) bool { return a.hi < b.hi || a.hi == b.hi && a.lo < b.lo }

// parseUUIDKey reads a lowercase UUID, as PostgreSQL prints them and shop.ParseID accepts them.
func parseUUIDKey(s string) uuidKey {
	var k uuidKey
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		var v uint64
		switch {
		case c >= '0' && c <= '9':
			v = uint64(c - '0')
		case c >= 'a' && c <= 'f':
			v = uint64(c-'a') + 10
		default:
			continue // the dashes
		}
		if n < 16 {
			k.hi = k.hi<<4 | v
		} else {
			k.lo = k.lo<<4 | v
		}
		n++
	}
	return k
}

// pageOrder is how pageKeys compare after k1: by name then id, by id, or by id descending.
type pageOrder uint8

const (
	byNameThenID pageOrder = iota
	byID
	byIDDesc
)

func orderOf(s shop.Sort) pageOrder {
	switch s {
	case shop.SortName:
		return byNameThenID
	case shop.SortPriceAsc:
		return byID
	}
	return byIDDesc // price_desc, newest and relevance end in id DESC
}

// before returns whether a comes before b in the sort. Names compare bytewise, as under the "C"
// and C.UTF-8 collations.
func (o pageOrder) before(a, b *pageKey) bool {
	if a.k1 != b.k1 {
		return a.k1 < b.k1
	}
	switch o {
	case byNameThenID:
		if a.name != b.name {
			return a.name < b.name
		}
		return a.uid.less(b.uid)
	case byID:
		return a.uid.less(b.uid)
	}
	return b.uid.less(a.uid)
}

// topN keeps the first limit keys pushed, in the sort: a heap whose root is the last of them.
type topN struct {
	limit int
	order pageOrder
	h     []pageKey
}

func (t *topN) push(k pageKey) {
	if len(t.h) < t.limit {
		t.h = append(t.h, k)
		for i := len(t.h) - 1; i > 0; {
			p := (i - 1) / 2
			if !t.order.before(&t.h[p], &t.h[i]) {
				break
			}
			t.h[p], t.h[i] = t.h[i], t.h[p]
			i = p
		}
		return
	}
	if t.limit == 0 || !t.order.before(&k, &t.h[0]) {
		return
	}
	t.h[0] = k
	for i := 0; ; {
		l, r, last := 2*i+1, 2*i+2, i
		if l < len(t.h) && t.order.before(&t.h[last], &t.h[l]) {
			last = l
		}
		if r < len(t.h) && t.order.before(&t.h[last], &t.h[r]) {
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
	sort.Slice(t.h, func(i, j int) bool { return t.order.before(&t.h[i], &t.h[j]) })
	return t.h
}
