package cache

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/shopstack/shopstack/app/shop"
)

// MaxStaleness is how far a cached product or catalog page may lag PostgreSQL: every entry
// expires this long after the read that produced it began, whatever else happens (a missed
// invalidation, a fill racing a write). Writes through this instance's decorators also
// invalidate or refresh what they touch at once.
const MaxStaleness = time.Second

// Keys. The catalog's keys share the hash tag {catalog}, so the generation and a page can be
// read with one MGET on a cluster-mode server too.
const (
	productKeyPrefix = "shop:product:"
	catalogGenKey    = "shop:{catalog}:gen"
	catalogPagePref  = "shop:{catalog}:page:"
)

func productKey(id string) string { return productKeyPrefix + id }

// Products is a shop.ProductStore and shop.ProductSearcher that reads single products and the
// catalog's first pages through a Cache. Pages after the first (a cursor) and text queries go
// to the searcher.
//
// Admin writes refresh the product's entry with the row PostgreSQL returned and move the
// catalog to a new generation, so every cached page is stale at once on every instance.
type Products struct {
	shop.ProductStore
	search shop.ProductSearcher
	cache  Cache
	group  singleflight.Group
}

// NewProducts decorates store and search with c.
func NewProducts(store shop.ProductStore, search shop.ProductSearcher, c Cache) *Products {
	return &Products{ProductStore: store, search: search, cache: c}
}

// GetProduct returns the cached product, or reads it once per instance and caches it.
func (p *Products) GetProduct(ctx context.Context, id string) (shop.Product, error) {
	key := productKey(id)
	v := p.cache.Get(ctx, key)[0]
	lookup(ctx, p.cache, "product", v != nil)
	if v != nil {
		var prod shop.Product
		if json.Unmarshal(v, &prod) == nil {
			return prod, nil
		}
	}
	return coalesce(ctx, &p.group, key,
		func(ctx context.Context) (shop.Product, error) { return p.ProductStore.GetProduct(ctx, id) },
		func(prod shop.Product, started time.Time) { p.fillProduct(ctx, prod, started) })
}

func (p *Products) fillProduct(ctx context.Context, prod shop.Product, started time.Time) {
	if ttl := remaining(MaxStaleness, started); ttl > 0 {
		b, _ := json.Marshal(prod) // a struct of strings and numbers always marshals
		p.cache.Fill(context.WithoutCancel(ctx), productKey(prod.ID), b, ttl)
	}
}

// cachedPage is a catalog page with the generation it was read under.
type cachedPage struct {
	Gen  string           `json:"g"`
	Page shop.ProductPage `json:"p"`
}

// SearchProducts serves a first page without a text query (the catalog and its filters) from
// the cache; anything else goes to the searcher.
func (p *Products) SearchProducts(ctx context.Context, q shop.ProductQuery) (shop.ProductPage, error) {
	if q.After != nil || q.Q != "" {
		return p.search.SearchProducts(ctx, q)
	}
	// Every field of the query is in the key, including any the query gains later.
	raw, err := json.Marshal(q)
	if err != nil {
		return p.search.SearchProducts(ctx, q)
	}
	sum := sha256.Sum256(raw)
	key := catalogPagePref + hex.EncodeToString(sum[:16])
	vals := p.cache.Get(ctx, catalogGenKey, key)
	gen := string(vals[0])
	lookup(ctx, p.cache, "catalog", vals[1] != nil)
	if vals[1] != nil {
		var c cachedPage
		if json.Unmarshal(vals[1], &c) == nil && c.Gen == gen {
			return c.Page, nil
		}
	}
	// The generation is the one read before PostgreSQL, so a page read across an admin
	// change is stored under the old generation and never served.
	return coalesce(ctx, &p.group, key+":"+gen,
		func(ctx context.Context) (shop.ProductPage, error) { return p.search.SearchProducts(ctx, q) },
		func(page shop.ProductPage, started time.Time) {
			if ttl := remaining(MaxStaleness, started); ttl > 0 {
				if b, err := json.Marshal(cachedPage{Gen: gen, Page: page}); err == nil {
					p.cache.Fill(context.WithoutCancel(ctx), key, b, ttl)
				}
			}
		})
}

// CreateProduct creates the product and makes cached catalog pages stale.
func (p *Products) CreateProduct(ctx context.Context, np shop.NewProduct) (shop.Product, error) {
	prod, err := p.ProductStore.CreateProduct(ctx, np)
	if err == nil {
		p.changed(ctx, prod)
	}
	return prod, err
}

// UpdateProduct patches the product, refreshes its entry and makes cached pages stale.
func (p *Products) UpdateProduct(ctx context.Context, id string, patch shop.ProductPatch) (shop.Product, error) {
	prod, err := p.ProductStore.UpdateProduct(ctx, id, patch)
	if err == nil {
		p.changed(ctx, prod)
	}
	return prod, err
}

// AdjustStock changes the stock, refreshes the product's entry and makes cached pages stale.
func (p *Products) AdjustStock(ctx context.Context, id string, delta int) (shop.Product, error) {
	prod, err := p.ProductStore.AdjustStock(ctx, id, delta)
	if err == nil {
		p.changed(ctx, prod)
	}
	return prod, err
}

// changed stores the product as PostgreSQL returned it after the write and starts a new
// catalog generation. Both are invalidations: an adapter that cannot apply them now applies
// them before it serves a read again.
func (p *Products) changed(ctx context.Context, prod shop.Product) {
	b, _ := json.Marshal(prod)
	p.cache.Invalidate(context.WithoutCancel(ctx),
		Change{Key: productKey(prod.ID), Value: b, TTL: MaxStaleness},
		Change{Key: catalogGenKey, Value: []byte(rand.Text())})
}

// Orders is a shop.OrderStore that drops the cached entries of the products an order or a
// cancellation changed the stock of. The order itself is decided by the store (PostgreSQL).
type Orders struct {
	shop.OrderStore
	cache Cache
}

// NewOrders decorates store with c.
func NewOrders(store shop.OrderStore, c Cache) *Orders {
	return &Orders{OrderStore: store, cache: c}
}

// PlaceOrder places the order, then drops its products' entries. A refused order
// (insufficient stock) drops them too: it means the displayed stock was out of date.
func (o *Orders) PlaceOrder(ctx context.Context, userID, key string, req shop.OrderRequest, render func(shop.Order) ([]byte, error)) (shop.IdempotentResult, error) {
	res, err := o.OrderStore.PlaceOrder(ctx, userID, key, req, render)
	if (err == nil && !res.Replay) || (err != nil && shop.ErrorCode(err) == shop.CodeInsufficientStock) {
		ids := make([]string, len(req.Lines))
		for i, l := range req.Lines {
			ids[i] = l.ProductID
		}
		o.drop(ctx, ids)
	}
	return res, err
}

// CancelOrder cancels the order, then drops its products' entries.
func (o *Orders) CancelOrder(ctx context.Context, userID, orderID string) (shop.Order, error) {
	ord, err := o.OrderStore.CancelOrder(ctx, userID, orderID)
	if err == nil {
		ids := make([]string, len(ord.Items))
		for i, it := range ord.Items {
			ids[i] = it.ProductID
		}
		o.drop(ctx, ids)
	}
	return ord, err
}

func (o *Orders) drop(ctx context.Context, ids []string) {
	changes := make([]Change, len(ids))
	for i, id := range ids {
		changes[i] = Change{Key: productKey(id)}
	}
	o.cache.Invalidate(context.WithoutCancel(ctx), changes...)
}
