package postgres

import (
	"context"
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
// pipelined batch counts the whole match by category, price bucket and stock (the facets and
// the total) and reads the page by keyset. A product matches the text when
//   - each query word, stemmed, begins a lexeme of its name or description, or is one of the
//     catalog lexemes most similar to it when it begins none (a typo); full text, under
//     products_search_vector_idx; or
//   - the query is a prefix of its SKU.
//
// Relevance is ts_rank: the name weighs 1.0, the description 0.4.
func (s *Store) SearchProducts(ctx context.Context, q shop.ProductQuery) (shop.ProductPage, error) {
	b := searchSQL{}
	if q.Q != "" {
		tsq, err := s.resolveWords(ctx, q.Q)
		if err != nil {
			return shop.ProductPage{}, mapError("search products: words", err)
		}
		b.tsquery = tsq
	}
	facets := b.facetStatement(q)
	facetArgs := b.args
	b.args = nil
	page := b.pageStatement(q)

	batch := &pgx.Batch{}
	batch.Queue(facets, facetArgs...)
	batch.Queue(page, b.args...)
	br := s.pool.SendBatch(ctx, batch)
	defer br.Close()

	out := shop.ProductPage{Items: []shop.Product{}}
	rows, err := br.Query()
	if err != nil {
		return shop.ProductPage{}, mapError("search products: facets", err)
	}
	out.Total, out.Facets, err = collectFacets(rows, q)
	if err != nil {
		return shop.ProductPage{}, mapError("search products: facets", err)
	}
	rows, err = br.Query()
	if err != nil {
		return shop.ProductPage{}, mapError("search products: page", err)
	}
	type hit struct {
		p       shop.Product
		created time.Time
		score   float64
	}
	hits, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (hit, error) {
		var h hit
		err := r.Scan(&h.p.ID, &h.p.SKU, &h.p.Name, &h.p.Description, &h.p.PriceCents, &h.p.Currency,
			&h.p.Stock, &h.p.Category, &h.p.ImageURL, &h.created, &h.score)
		return h, err
	})
	if err != nil {
		return shop.ProductPage{}, mapError("search products: page", err)
	}
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
}

func (b *searchSQL) arg(v any) string {
	b.args = append(b.args, v)
	return fmt.Sprintf("$%d", len(b.args))
}

var wordRE = regexp.MustCompile(`[\p{L}\p{N}]+`)

// resolveWordsSQL stems each query word ('english': stop words give no row) and, for a stem
// that begins no lexeme of the catalog, finds the three lexemes most similar to it (pg_trgm
// similarity at its default threshold, 0.3). The prefix test is a range on the "C" btree.
const resolveWordsSQL = `
	SELECT s.stem, coalesce(a.alts, '{}')
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

// resolveWords turns the shopper's text into a tsquery literal: every word, stemmed, as a
// prefix, or-ed with its typo alternatives, all words required. Only letters and digits of the
// text reach PostgreSQL as words, and every lexeme is quoted, so no tsquery syntax gets through.
func (s *Store) resolveWords(ctx context.Context, text string) (string, error) {
	words := wordRE.FindAllString(strings.ToLower(text), 10)
	if len(words) == 0 {
		return "", nil
	}
	rows, err := s.pool.Query(ctx, resolveWordsSQL, words)
	if err != nil {
		return "", err
	}
	var terms []string
	var stem string
	var alts []string
	_, err = pgx.ForEachRow(rows, []any{&stem, &alts}, func() error {
		t := quoteLexeme(stem) + ":*"
		for _, a := range alts {
			t += " | " + quoteLexeme(a)
		}
		terms = append(terms, "("+t+")")
		return nil
	})
	return strings.Join(terms, " & "), err
}

func quoteLexeme(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `''`).Replace(s) + "'"
}

// textMatch returns the text condition and the relevance expression ("0" without a query).
func (b *searchSQL) textMatch(q shop.ProductQuery) (cond, score string) {
	if q.Q == "" {
		return "TRUE", "0::float8"
	}
	sku := "sku LIKE " + b.arg(strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(strings.ToUpper(q.Q))+"%")
	if b.tsquery == "" {
		return sku, "0::float8"
	}
	t := b.arg(b.tsquery) + "::tsquery"
	return "(search_vector @@ " + t + " OR " + sku + ")", "ts_rank(search_vector, " + t + ")::float8"
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

// facetStatement counts the text match (without the other filters, which collectFacets
// applies) by category, price bucket, stock and whether the price filter holds.
func (b *searchSQL) facetStatement(q shop.ProductQuery) string {
	match, _ := b.textMatch(q)
	return "SELECT category, width_bucket(price_cents, " + b.arg(shop.PriceRangeBounds) + "::bigint[]), stock > 0, " +
		b.priceOK(q) + ", count(*) FROM products WHERE " + match + " GROUP BY 1, 2, 3, 4"
}

func collectFacets(rows pgx.Rows, q shop.ProductQuery) (int, shop.Facets, error) {
	f := shop.Facets{Categories: []shop.FacetCount{}, PriceRanges: shop.EmptyPriceRanges()}
	total := 0
	byCategory := map[string]int{}
	var (
		category              string
		bucket, n             int
		inStock, priceInRange bool
	)
	_, err := pgx.ForEachRow(rows, []any{&category, &bucket, &inStock, &priceInRange, &n}, func() error {
		categoryOK := q.Category == "" || category == q.Category
		stockOK := q.InStock == nil || inStock == *q.InStock
		if priceInRange && stockOK {
			byCategory[category] += n
		}
		if !categoryOK {
			return nil
		}
		if priceInRange && stockOK {
			total += n
		}
		if stockOK && bucket >= 1 && bucket <= len(f.PriceRanges) {
			f.PriceRanges[bucket-1].Count += n
		}
		if priceInRange && inStock {
			f.InStock.In += n
		} else if priceInRange {
			f.InStock.Out += n
		}
		return nil
	})
	if err != nil {
		return 0, shop.Facets{}, err
	}
	for v, n := range byCategory {
		f.Categories = append(f.Categories, shop.FacetCount{Value: v, Count: n})
	}
	shop.SortFacetCounts(f.Categories)
	return total, f, nil
}

// pageStatement reads Limit+1 products after the cursor, so the extra one tells whether a
// next page exists.
func (b *searchSQL) pageStatement(q shop.ProductQuery) string {
	match, score := b.textMatch(q)
	if q.Sort != shop.SortRelevance {
		score = "0::float8" // ts_rank reads every match's tsvector: only pay for it when sorting by it
	}
	where := []string{match, b.priceOK(q)}
	if q.Category != "" {
		where = append(where, "category = "+b.arg(q.Category))
	}
	if q.InStock != nil {
		if *q.InStock {
			where = append(where, "stock > 0")
		} else {
			where = append(where, "stock = 0")
		}
	}
	var key, cmp, order string
	switch q.Sort {
	case shop.SortPriceAsc:
		key, cmp, order = "m.price_cents", ">", "m.price_cents, m.id"
	case shop.SortPriceDesc:
		key, cmp, order = "m.price_cents", "<", "m.price_cents DESC, m.id DESC"
	case shop.SortNewest:
		key, cmp, order = "m.created_at", "<", "m.created_at DESC, m.id DESC"
	case shop.SortRelevance:
		key, cmp, order = "m.score", "<", "m.score DESC, m.id DESC"
	default:
		key, cmp, order = "m.name", ">", "m.name, m.id"
	}
	after := "TRUE"
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
		after = "(" + key + ", m.id) " + cmp + " (" + b.arg(v) + ", " + b.arg(c.ID) + "::uuid)"
	}
	// The order and the keyset name m's columns: unqualified, ORDER BY id would be the text output.
	return `SELECT m.id::text, m.sku, m.name, m.description, m.price_cents, m.currency, m.stock, m.category,
			m.image_url, m.created_at, m.score
		FROM (SELECT *, ` + score + ` AS score FROM products WHERE ` + strings.Join(where, " AND ") + `) m
		WHERE ` + after + ` ORDER BY ` + order + ` LIMIT ` + b.arg(q.Limit+1)
}
