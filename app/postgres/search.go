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

// SearchProducts answers a catalog listing or search in one round trip: one statement counts
// the whole match by category, price bucket and stock (the facets and the total), the other
// reads the page by keyset. A text query matches a product when
//   - its stemmed words, each as a prefix, all occur in the name or description (full text,
//     products_search_vector_idx), or
//   - the query is similar to a stretch of the name (pg_trgm word similarity >= 0.6, the
//     extension's default: typos, partial words; products_name_trgm_idx), or
//   - the query is a prefix of its SKU.
//
// Relevance is ts_rank (name weighted A, description B) plus the word similarity to the name.
func (s *Store) SearchProducts(ctx context.Context, q shop.ProductQuery) (shop.ProductPage, error) {
	b := searchSQL{}
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
type searchSQL struct{ args []any }

func (b *searchSQL) arg(v any) string {
	b.args = append(b.args, v)
	return fmt.Sprintf("$%d", len(b.args))
}

var wordRE = regexp.MustCompile(`[\p{L}\p{N}]+`)

// prefixQuery turns the shopper's text into a to_tsquery input: every word as a prefix, all
// required. Only letters and digits reach it, so it never holds tsquery syntax.
func prefixQuery(text string) string {
	words := wordRE.FindAllString(strings.ToLower(text), 10)
	for i, w := range words {
		words[i] = w + ":*"
	}
	return strings.Join(words, " & ")
}

// textMatch returns the text condition and the relevance expression ("0" without a query).
func (b *searchSQL) textMatch(q shop.ProductQuery) (cond, score string) {
	if q.Q == "" {
		return "TRUE", "0::float8"
	}
	text := b.arg(q.Q)
	sku := b.arg(strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(strings.ToUpper(q.Q)) + "%")
	conds := []string{text + " <% name", "sku LIKE " + sku}
	score = "word_similarity(" + text + ", name)::float8"
	if tsq := prefixQuery(q.Q); tsq != "" {
		t := "to_tsquery('english', " + b.arg(tsq) + ")"
		conds = append(conds, "search_vector @@ "+t)
		score = "ts_rank(search_vector, " + t + ")::float8 + " + score
	}
	return "(" + strings.Join(conds, " OR ") + ")", score
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
		key, cmp, order = "price_cents", ">", "price_cents, id"
	case shop.SortPriceDesc:
		key, cmp, order = "price_cents", "<", "price_cents DESC, id DESC"
	case shop.SortNewest:
		key, cmp, order = "created_at", "<", "created_at DESC, id DESC"
	case shop.SortRelevance:
		key, cmp, order = "score", "<", "score DESC, id DESC"
	default:
		key, cmp, order = "name", ">", "name, id"
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
		after = "(" + key + ", id) " + cmp + " (" + b.arg(v) + ", " + b.arg(c.ID) + "::uuid)"
	}
	return `SELECT id::text, sku, name, description, price_cents, currency, stock, category, image_url, created_at, score
		FROM (SELECT *, ` + score + ` AS score FROM products WHERE ` + strings.Join(where, " AND ") + `) m
		WHERE ` + after + ` ORDER BY ` + order + ` LIMIT ` + b.arg(q.Limit+1)
}
