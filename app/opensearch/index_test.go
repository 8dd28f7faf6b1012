package opensearch

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shopstack/shopstack/app/search"
	"github.com/shopstack/shopstack/app/shop"
)

// memSource is a search.Source over a slice, in id order.
type memSource struct{ docs []search.Document }

func (m *memSource) SearchDocument(_ context.Context, id string) (search.Document, error) {
	for _, d := range m.docs {
		if d.ID == id {
			return d, nil
		}
	}
	return search.Document{}, shop.Errorf(shop.CodeNotFound, "no product with this id")
}

func (m *memSource) SearchDocuments(_ context.Context, after string, limit int) ([]search.Document, error) {
	var out []search.Document
	for _, d := range m.docs {
		if d.ID > after && len(out) < limit {
			out = append(out, d)
		}
	}
	return out, nil
}

var created = time.Date(2026, 1, 1, 0, 0, 0, 123456000, time.UTC)

func testDoc(id, sku string, version int64) search.Document {
	return search.Document{Product: shop.Product{ID: id, SKU: sku, Name: "Blue Mug", Description: "Stoneware.",
		PriceCents: 1499, Currency: "USD", Stock: 7, Category: "kitchen", ImageURL: "/i.png"}, Version: version, CreatedAt: created}
}

// mugImages are a processed upload's variants; mugImagesJSON is how the document carries them.
var mugImages = shop.ProductImages{Thumb: "/media/products/mug/1/thumb.jpg", Card: "/media/products/mug/1/card.jpg",
	Full: "/media/products/mug/1/full.jpg"}

const mugImagesJSON = `{"thumb": "/media/products/mug/1/thumb.jpg", "card": "/media/products/mug/1/card.jpg",
	"full": "/media/products/mug/1/full.jpg"}`

// pictured is d with mugImages, its image_url the card variant (as the image job leaves it).
func pictured(d search.Document) search.Document {
	d.Images, d.ImageURL = &mugImages, mugImages.Card
	return d
}

// docJSON is testDoc's document as the index stores it, with images "null" or an object;
// pictured documents have the card as image_url.
func docJSON(id, sku string, version int64, images string) string {
	imageURL := "/i.png"
	if images != "null" {
		imageURL = mugImages.Card
	}
	return fmt.Sprintf(`{"id": %q, "sku": %q, "name": "Blue Mug", "description": "Stoneware.", "price_cents": 1499,
		"currency": "USD", "stock": 7, "category": "kitchen", "image_url": %q, "images": %s, "created_at": %d,
		"version": %d}`, id, sku, imageURL, images, created.UnixMicro(), version)
}

func actionJSON(index, id string, version int64) string {
	return fmt.Sprintf(`{"index": {"_index": %q, "_id": %q, "version": %d, "version_type": "external"}}`, index, id, version)
}

// bulkItem is one item of a _bulk answer, as OpenSearch documents it.
func bulkItem(id string, status int) string {
	if status == 409 {
		return fmt.Sprintf(`{"index": {"_index": "products-1", "_id": %q, "status": 409, "error": {
			"type": "version_conflict_engine_exception", "index": "products-1",
			"reason": "[%s]: version conflict, current version [5] is higher or equal to the one provided [3]"}}}`, id, id)
	}
	return fmt.Sprintf(`{"index": {"_index": "products-1", "_id": %q, "_version": 3, "result": "created",
		"_shards": {"total": 2, "successful": 2, "failed": 0}, "_seq_no": 0, "_primary_term": 1, "status": %d}}`, id, status)
}

func bulkAnswer(items ...string) string {
	errors := strings.Contains(strings.Join(items, ""), `"error"`)
	return fmt.Sprintf(`{"took": 3, "errors": %t, "items": [%s]}`, errors, strings.Join(items, ","))
}

func TestIndexerPostsTheCurrentDocumentWithItsVersion(t *testing.T) {
	for _, tt := range []struct {
		name   string
		status int
	}{{"written", 201}, {"a copy at least as new is there (409): done, not retried", 409}} {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t, reply{"POST /_bulk?require_alias=true", 200, bulkAnswer(bulkItem(idMugBlue, tt.status))})
			src := &memSource{docs: []search.Document{pictured(testDoc(idMugBlue, "MUG-BLUE", 3))}}
			// The job says version 2; the product is at 3 now: the current document goes, at 3.
			err := Indexer{Client: f.client(t), Source: src}.IndexProduct(context.Background(), idMugBlue, 2)
			require.NoError(t, err)
			reqs := f.requests()
			require.Len(t, reqs, 1)
			assert.Equal(t, "application/x-ndjson", reqs[0].Header.Get("Content-Type"))
			lines := ndjson(t, reqs[0].Body)
			require.Len(t, lines, 2)
			assertJSON(t, actionJSON("products", idMugBlue, 3), lines[0], "the action: the alias, external version")
			assertJSON(t, docJSON(idMugBlue, "MUG-BLUE", 3, mugImagesJSON), lines[1], "the document, with its pictures")
		})
	}
}

func TestIndexerFailures(t *testing.T) {
	t.Run("a rejected item is an error, so River retries the job", func(t *testing.T) {
		f := newFake(t, reply{"POST /_bulk?require_alias=true", 200, `{"took": 1, "errors": true, "items": [{"index": {
			"_index": "products", "_id": "` + idMugBlue + `", "status": 404, "error": {"type": "index_not_found_exception",
			"reason": "no such index [products] and [require_alias] request flag is [true] and [products] is not an alias"}}}]}`})
		src := &memSource{docs: []search.Document{testDoc(idMugBlue, "MUG-BLUE", 1)}}
		err := Indexer{Client: f.client(t), Source: src}.IndexProduct(context.Background(), idMugBlue, 1)
		require.Error(t, err)
		assert.Contains(t, err.Error(), "index_not_found_exception")
	})
	t.Run("a cluster error is an error", func(t *testing.T) {
		f := newFake(t, reply{"POST /_bulk?require_alias=true", 403, `{"message": "no permissions for [indices:data/write/bulk]"}`})
		src := &memSource{docs: []search.Document{testDoc(idMugBlue, "MUG-BLUE", 1)}}
		err := Indexer{Client: f.client(t), Source: src}.IndexProduct(context.Background(), idMugBlue, 1)
		assert.True(t, isStatus(err, 403), "%v", err)
	})
	t.Run("a product that is gone sends nothing", func(t *testing.T) {
		f := newFake(t)
		err := Indexer{Client: f.client(t), Source: &memSource{}}.IndexProduct(context.Background(), idMugBlue, 1)
		require.NoError(t, err)
		assert.Empty(t, f.requests())
	})
}

func TestReindexSwapsTheAlias(t *testing.T) {
	now := time.Date(2026, 12, 1, 10, 0, 0, 42000, time.UTC)
	const name = "products-20261201t100000.000042"
	src := &memSource{docs: []search.Document{pictured(testDoc(idMugBlue, "MUG-BLUE", 3)), testDoc(idMugTall, "MUG-TALL", 1)}}
	f := newFake(t,
		reply{"PUT /" + name, 200, `{"acknowledged": true, "shards_acknowledged": true, "index": "` + name + `"}`},
		reply{"POST /_bulk", 200, bulkAnswer(bulkItem(idMugBlue, 201), bulkItem(idMugTall, 201))},
		reply{"POST /" + name + "/_refresh", 200, `{"_shards": {"total": 2, "successful": 2, "failed": 0}}`},
		reply{"GET /_alias/products", 200, `{"products-20261101t000000.000000": {"aliases": {"products": {}}}}`},
		reply{"POST /_aliases", 200, `{"acknowledged": true}`},
		reply{"POST /_bulk", 200, bulkAnswer(bulkItem(idMugBlue, 409), bulkItem(idMugTall, 409))},
		reply{"DELETE /products-20261101t000000.000000", 200, `{"acknowledged": true}`},
	)
	got, err := f.client(t).Reindex(context.Background(), src, now, slog.New(slog.NewTextHandler(io.Discard, nil)))
	require.NoError(t, err)
	assert.Equal(t, name, got)

	reqs := f.requests()
	require.Len(t, reqs, 7)
	assertJSON(t, `{
		"settings": {"index": {"number_of_shards": 1, "refresh_interval": "1s"}},
		"mappings": {"dynamic": "strict", "properties": {
			"id": {"type": "keyword"},
			"sku": {"type": "keyword"},
			"name": {"type": "text", "analyzer": "english", "fields": {"sort": {"type": "keyword"}}},
			"description": {"type": "text", "analyzer": "english"},
			"price_cents": {"type": "long"},
			"currency": {"type": "keyword", "index": false, "doc_values": false},
			"stock": {"type": "integer"},
			"category": {"type": "keyword"},
			"image_url": {"type": "keyword", "index": false, "doc_values": false},
			"images": {"type": "object", "enabled": false},
			"created_at": {"type": "long"},
			"version": {"type": "long"}
		}}
	}`, reqs[0].Body, "the explicit mapping")
	lines := ndjson(t, reqs[1].Body)
	require.Len(t, lines, 4)
	assertJSON(t, actionJSON(name, idMugBlue, 3), lines[0], "load: into the new index by name")
	assertJSON(t, docJSON(idMugBlue, "MUG-BLUE", 3, mugImagesJSON), lines[1], "a product with pictures")
	assertJSON(t, actionJSON(name, idMugTall, 1), lines[2], "")
	assertJSON(t, docJSON(idMugTall, "MUG-TALL", 1, "null"), lines[3], "a product without: images null")
	assertJSON(t, `{"actions": [
		{"remove": {"index": "products-20261101t000000.000000", "alias": "products"}},
		{"add": {"index": "`+name+`", "alias": "products"}}
	]}`, reqs[4].Body, "one atomic _aliases request: remove the old, add the new")
	lines = ndjson(t, reqs[5].Body)
	require.Len(t, lines, 4)
	assertJSON(t, actionJSON("products", idMugBlue, 3), lines[0], "catch-up: through the alias, now the new index")
}

func TestReindexFirstRun(t *testing.T) {
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	const name = "products-20261201t100000.000000"
	f := newFake(t,
		reply{"PUT /" + name, 200, `{"acknowledged": true, "shards_acknowledged": true, "index": "` + name + `"}`},
		reply{"POST /" + name + "/_refresh", 200, `{"_shards": {"total": 1, "successful": 1, "failed": 0}}`},
		reply{"GET /_alias/products", 404, `{"error": "alias [products] missing", "status": 404}`},
		reply{"POST /_aliases", 200, `{"acknowledged": true}`},
	)
	_, err := f.client(t).Reindex(context.Background(), &memSource{}, now, slog.New(slog.NewTextHandler(io.Discard, nil)))
	require.NoError(t, err)
	reqs := f.requests()
	require.Len(t, reqs, 4, "an empty catalog sends no bulk; no old index, nothing to delete")
	assertJSON(t, `{"actions": [{"add": {"index": "`+name+`", "alias": "products"}}]}`, reqs[3].Body, "only add")
}

func TestReindexStopsBeforeTheSwapWhenTheLoadFails(t *testing.T) {
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	const name = "products-20261201t100000.000000"
	src := &memSource{docs: []search.Document{testDoc(idMugBlue, "MUG-BLUE", 3)}}
	f := newFake(t,
		reply{"PUT /" + name, 200, `{"acknowledged": true, "shards_acknowledged": true, "index": "` + name + `"}`},
		reply{"POST /_bulk", 200, `{"took": 1, "errors": true, "items": [{"index": {"_index": "` + name + `", "_id": "` +
			idMugBlue + `", "status": 400, "error": {"type": "strict_dynamic_mapping_exception",
			"reason": "mapping set to strict, dynamic introduction of [colour] within [_doc] is not allowed"}}}]}`},
	)
	_, err := f.client(t).Reindex(context.Background(), src, now, slog.New(slog.NewTextHandler(io.Discard, nil)))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "strict_dynamic_mapping_exception")
	assert.Len(t, f.requests(), 2, "the alias still names the old index")
}
