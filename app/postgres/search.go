package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/shopstack/shopstack/app/shop"
)

var _ shop.ProductSearcher = (*Store)(nil)

// SearchProducts answers a catalog listing or search. A text query first has its words
// resolved against the catalog's lexemes (one small statement; see resolveWords), then one
// statement reads the match once and returns both the facet counts (and so the total) and the
// page, by keyset. A product matches the text when
//   - each query word, stemmed, begins a lexeme of its name or description, or is one of the
//     catalog lexemes most similar to it when it begins none (a typo); full text, under
//     products_search_vector_idx; or
//   - the query is a prefix of its SKU.
//
// Relevance is ts_rank: the name weighs 1.0, the description 0.4 (over rankWords' query).
func (s *Store) SearchProducts(ctx context.Context, q shop.ProductQuery) (shop.ProductPage, error) {
	b := searchSQL{}
	if q.Q != "" {
		tsq, rank, err := s.resolveWords(ctx, q.Q)
		if err != nil {
			return shop.ProductPage{}, mapError("search products: words", err)
		}
		b.tsquery, b.rankquery = tsq, rank
	}
	rows, err := s.pool.Query(ctx, b.statement(q), b.args...)
	if err != nil {
		return shop.ProductPage{}, mapError("search products", err)
	}
	type hit struct {
		p       shop.Product
		created time.Time
		score   float64
	}
	var groups []facetGroup
	var hits []hit
	for rows.Next() {
		// An empty page is one row of facets and NULLs.
		var facets []byte
		var id, sku, name, desc, currency, category, image *string
		var price *int64
		var stock *int
		var created *time.Time
		var score *float64
		var images *shop.ProductImages
		err := rows.Scan(&facets, &id, &sku, &name, &desc, &price, &currency, &stock, &category, &image, &images, &created, &score)
		if err == nil && groups == nil {
			groups = []facetGroup{}
			err = json.Unmarshal(facets, &groups)
		}
		if err != nil {
			rows.Close()
			return shop.ProductPage{}, mapError("search products", err)
		}
		if id != nil {
			hits = append(hits, hit{p: shop.Product{ID: *id, SKU: *sku, Name: *name, Description: *desc, PriceCents: *price,
				Currency: *currency, Stock: *stock, Category: *category, ImageURL: *image, Images: images}, created: *created, score: *score})
		}
	}
	if err := rows.Err(); err != nil {
		return shop.ProductPage{}, mapError("search products", err)
	}
	out := shop.ProductPage{Items: []shop.Product{}}
	out.Total, out.Facets = sumFacets(groups, q)
	for i, h := range hits {
		if i == q.Limit {
			last := hits[i-1]
			c := shop.ProductCursor{Sort: q.Sort, ID: last.p.ID}
			switch q.Sort {
			case shop.SortName:
				c.Name = &last.p.Name
			case shop.SortPriceAsc, shop.SortPriceDesc:
				c.Price = &last.p.PriceCents
			case shop.SortNewest:
				t := last.created.UnixMicro()
				c.Micro = &t
			case shop.SortRelevance:
				c.Score = &last.score
			}
			enc := c.Encode()
			out.NextCursor = &enc
			break
		}
		out.Items = append(out.Items, h.p)
	}
	return out, nil
}

// searchSQL builds one statement and its positional arguments.
type searchSQL struct {
	args []any
	// tsquery is the resolved text query as a tsquery literal; "" when it has no word.
	tsquery string
	// rankquery is what ts_rank ranks by: tsqueryOf(rankWords(...)).
	rankquery string
}

func (b *searchSQL) arg(v any) string {
	b.args = append(b.args, v)
	return fmt.Sprintf("$%d", len(b.args))
}

var wordRE = regexp.MustCompile(`[\p{L}\p{N}]+`)

// resolveWordsSQL stems each query word ('english': stop words give no row) and, for a stem
// that begins no lexeme of the catalog, finds the three lexemes most similar to it (pg_trgm
// similarity at its default threshold, 0.3). The prefix test is a range on the "C" btree. Each
// row carries its word's 1-based position in $1.
const resolveWordsSQL = `
	SELECT u.i, s.stem, coalesce(a.alts, '{}')
	FROM unnest($1::text[]) WITH ORDINALITY AS u(w, i)
	CROSS JOIN LATERAL (SELECT (tsvector_to_array(to_tsvector('english', u.w)))[1] AS stem) s
	CROSS JOIN LATERAL (
		SELECT array_agg(x.lexeme) AS alts FROM (
			SELECT l.lexeme FROM search_lexemes l
			WHERE NOT EXISTS (SELECT 1 FROM search_lexemes p
				WHERE p.lexeme >= s.stem AND p.lexeme < s.stem || U&'\+10FFFF')
			  AND l.lexeme % s.stem
			ORDER BY similarity(l.lexeme, s.stem) DESC, l.lexeme LIMIT 3) x
	) a
	WHERE s.stem IS NOT NULL
	ORDER BY u.i`

// queryWords are the words of the shopper's text that reach PostgreSQL: letters and digits
// only, lower-cased, at most 10.
func queryWords(text string) []string {
	return wordRE.FindAllString(strings.ToLower(text), 10)
}

// resolvedWord is one query word as resolveWordsSQL resolved it: its stem, which matches as a
// prefix, and the lexemes a typo is widened to (only when the stem begins no lexeme).
type resolvedWord struct {
	stem string
	alts []string
}

// resolveWordList resolves words in one statement: out[i] is words[i] resolved, nil for a stop
// word.
func (s *Store) resolveWordList(ctx context.Context, words []string) ([]*resolvedWord, error) {
	out := make([]*resolvedWord, len(words))
	if len(words) == 0 {
		return out, nil
	}
	rows, err := s.pool.Query(ctx, resolveWordsSQL, words)
	if err != nil {
		return nil, err
	}
	var i int64
	var w resolvedWord
	_, err = pgx.ForEachRow(rows, []any{&i, &w.stem, &w.alts}, func() error {
		if i < 1 || int(i) > len(words) {
			return fmt.Errorf("resolve words: position %d of %d words", i, len(words))
		}
		out[i-1] = &resolvedWord{stem: w.stem, alts: w.alts}
		return nil
	})
	return out, err
}

// tsqueryOf is the resolved words as a tsquery literal: every word, stemmed, as a prefix, or-ed
// with its typo alternatives, all words required; "" without a word. Every lexeme is quoted, so
// no tsquery syntax from the shopper gets through.
func tsqueryOf(words []*resolvedWord) string {
	var terms []string
	for _, w := range words {
		if w == nil {
			continue
		}
		t := quoteLexeme(w.stem) + ":*"
		for _, a := range w.alts {
			t += " | " + quoteLexeme(a)
		}
		terms = append(terms, "("+t+")")
	}
	return strings.Join(terms, " & ")
}

// rankWords are the words ts_rank ranks by: without the typo alternatives equal to a word's
// stem. ts_rank de-duplicates its operands by lexeme alone, so of 'cotton':* (the word cotton)
// and 'cotton' (a typo's alternative, in "cotton coton") it would keep whichever its unstable
// sort leaves first, and rank by a prefix or an exact lexeme by chance. Without such a pair the
// rank is determined, and SearchIndex computes the same. The match is not changed.
func rankWords(words []*resolvedWord) []*resolvedWord {
	stems := map[string]bool{}
	for _, w := range words {
		if w != nil {
			stems[w.stem] = true
		}
	}
	out := make([]*resolvedWord, 0, len(words))
	for _, w := range words {
		if w == nil {
			continue
		}
		r := &resolvedWord{stem: w.stem}
		for _, a := range w.alts {
			if !stems[a] {
				r.alts = append(r.alts, a)
			}
		}
		out = append(out, r)
	}
	return out
}

// resolveWords turns the shopper's text into a tsquery literal (tsqueryOf) and the one it is
// ranked by (rankWords). Only letters and digits of the text reach PostgreSQL as words.
func (s *Store) resolveWords(ctx context.Context, text string) (match, rank string, err error) {
	words := queryWords(text)
	if len(words) == 0 {
		return "", "", nil
	}
	resolved, err := s.resolveWordList(ctx, words)
	if err != nil {
		return "", "", err
	}
	return tsqueryOf(resolved), tsqueryOf(rankWords(resolved)), nil
}

func quoteLexeme(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `''`).Replace(s) + "'"
}

// textMatch returns the text conditions, one per branch of the match (a product matches when
// it meets any; the branches exclude each other, so their rows are distinct), and the relevance
// expression ("0" without a query). The full-text branch alone is a bitmap scan of the GIN index
// with nothing re-evaluated per row; or-ing the SKU prefix into the same WHERE made PostgreSQL
// re-check the whole OR on every matching row. The SKU branch reads only the SKU index's matches.
func (b *searchSQL) textMatch(q shop.ProductQuery) (branches []string, score string) {
	if q.Q == "" {
		return []string{"TRUE"}, "0::float8"
	}
	sku := "sku LIKE " + b.arg(strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(strings.ToUpper(q.Q))+"%")
	if b.tsquery == "" {
		return []string{sku}, "0::float8"
	}
	t := b.arg(b.tsquery) + "::tsquery"
	branches = []string{"search_vector @@ " + t, sku + " AND NOT search_vector @@ " + t}
	if q.Sort != shop.SortRelevance {
		// ts_rank reads every match's tsvector: only pay for it when sorting by it. (Binding the
		// rank query anyway would leave a parameter the statement never uses, whose type
		// PostgreSQL cannot tell: 42P18.)
		return branches, "0::float8"
	}
	r := t
	if b.rankquery != b.tsquery {
		r = b.arg(b.rankquery) + "::tsquery"
	}
	return branches, "ts_rank(search_vector, " + r + ")::float8"
}

func (b *searchSQL) priceOK(q shop.ProductQuery) string {
	var c []string
	if q.MinPriceCents != nil {
		c = append(c, "price_cents >= "+b.arg(*q.MinPriceCents))
	}
	if q.MaxPriceCents != nil {
		c = append(c, "price_cents <= "+b.arg(*q.MaxPriceCents))
	}
	if len(c) == 0 {
		return "TRUE"
	}
	return "(" + strings.Join(c, " AND ") + ")"
}

// facetGroup is one row of the facet count: the matches of one category, price bucket
// (1-based, as width_bucket numbers them) and stock state, and whether the price filter holds.
type facetGroup struct {
	Category     string
	Bucket       int
	InStock      bool
	PriceInRange bool
	N            int
}

// UnmarshalJSON reads the group from the array the statement builds with json_build_array.
func (g *facetGroup) UnmarshalJSON(b []byte) error {
	return json.Unmarshal(b, &[]any{&g.Category, &g.Bucket, &g.InStock, &g.PriceInRange, &g.N})
}

// sumFacets applies each facet's filters to the groups: every facet applies the filters but
// its own.
func sumFacets(groups []facetGroup, q shop.ProductQuery) (int, shop.Facets) {
	f := shop.Facets{Categories: []shop.FacetCount{}, PriceRanges: shop.EmptyPriceRanges()}
	total := 0
	byCategory := map[string]int{}
	for _, g := range groups {
		categoryOK := q.Category == "" || g.Category == q.Category
		stockOK := q.InStock == nil || g.InStock == *q.InStock
		if g.PriceInRange && stockOK {
			byCategory[g.Category] += g.N
		}
		if !categoryOK {
			continue
		}
		if g.PriceInRange && stockOK {
			total += g.N
		}
		if stockOK && g.Bucket >= 1 && g.Bucket <= len(f.PriceRanges) {
			f.PriceRanges[g.Bucket-1].Count += g.N
		}
		if g.PriceInRange && g.InStock {
			f.InStock.In += g.N
		} else if g.PriceInRange {
			f.InStock.Out += g.N
		}
	}
	for v, n := range byCategory {
		f.Categories = append(f.Categories, shop.FacetCount{Value: v, Count: n})
	}
	shop.SortFacetCounts(f.Categories)
	return total, f
}

// statement is the facet count and the page in one statement. m is the text match; the facet
// count groups all of it (the other filters are applied per facet in sumFacets); the page
// applies every filter and the keyset and reads Limit+1 rows, so the extra one tells whether a
// next page exists. The facets come on every row, and on a single row of NULLs when the page
// is empty. With a text query m is materialized, so the matching products are read once; without
// one it is inlined in both uses, so the page still walks its sort's index instead of the table.
func (b *searchSQL) statement(q shop.ProductQuery) string {
	match, score := b.textMatch(q)
	materialized := "NOT MATERIALIZED"
	if q.Q != "" {
		materialized = "MATERIALIZED"
	}
	where := []string{"m.price_ok"}
	if q.Category != "" {
		where = append(where, "m.category = "+b.arg(q.Category))
	}
	if q.InStock != nil {
		if *q.InStock {
			where = append(where, "m.stock > 0")
		} else {
			where = append(where, "m.stock = 0")
		}
	}
	key, cmp, order := keyset(q.Sort)
	if c := q.After; c != nil {
		var v any
		switch {
		case c.Name != nil:
			v = *c.Name
		case c.Price != nil:
			v = *c.Price
		case c.Micro != nil:
			v = time.UnixMicro(*c.Micro)
		case c.Score != nil:
			v = *c.Score
		}
		where = append(where, "("+key+", m.id) "+cmp+" ("+b.arg(v)+", "+b.arg(c.ID)+"::uuid)")
	}
	cols := "SELECT id, name, category, price_cents, stock, created_at, " + score + " AS score, " + b.priceOK(q) +
		" AS price_ok FROM products WHERE "
	selects := make([]string, len(match))
	for i, cond := range match {
		selects[i] = cols + cond
	}
	return `WITH m AS ` + materialized + ` (
			` + strings.Join(selects, "\n\t\t\tUNION ALL\n\t\t\t") + `
		), f AS (
			SELECT coalesce(json_agg(json_build_array(category, bucket, in_stock, price_ok, n)), '[]') AS facets
			FROM (SELECT category, width_bucket(price_cents, ` + b.arg(shop.PriceRangeBounds) + `::bigint[]) AS bucket,
					stock > 0 AS in_stock, price_ok, count(*) AS n
				FROM m GROUP BY 1, 2, 3, 4) g
		), pg AS (
			SELECT m.id, m.name, m.price_cents, m.created_at, m.score FROM m
			WHERE ` + strings.Join(where, " AND ") + ` ORDER BY ` + order + ` LIMIT ` + b.arg(q.Limit+1) + `
		)
		SELECT f.facets, p.id::text, p.sku, p.name, p.description, p.price_cents, p.currency, p.stock, p.category,
			p.image_url, p.images, p.created_at, pg.score
		FROM f LEFT JOIN (pg JOIN products p ON p.id = pg.id) ON true
		ORDER BY ` + strings.ReplaceAll(order, "m.", "pg.")
}

// keyset returns a sort's key column, the comparison that means "after" and the order. Every
// order ends in the id, so it is total and the keyset stable.
func keyset(sort shop.Sort) (key, cmp, order string) {
	switch sort {
	case shop.SortPriceAsc:
		return "m.price_cents", ">", "m.price_cents, m.id"
	case shop.SortPriceDesc:
		return "m.price_cents", "<", "m.price_cents DESC, m.id DESC"
	case shop.SortNewest:
		return "m.created_at", "<", "m.created_at DESC, m.id DESC"
	case shop.SortRelevance:
		return "m.score", "<", "m.score DESC, m.id DESC"
	}
	return "m.name", ">", "m.name, m.id"
}
