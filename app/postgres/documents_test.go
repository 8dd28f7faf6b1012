package postgres_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shopstack/shopstack/app/shop"
)

// The documents a search engine indexes carry the product's current version and creation time,
// and a full pass visits every product once, in id order.
func TestSearchDocuments(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := migratedStore(t, 4)
	var ids []string
	for _, sku := range []string{"A-1", "B-2", "C-3"} {
		p, err := s.CreateProduct(ctx, shop.NewProduct{SKU: sku, Name: "Thing " + sku, PriceCents: 100, Currency: "USD",
			Stock: 1, Category: "things"})
		require.NoError(t, err)
		ids = append(ids, p.ID)
	}
	d, err := s.SearchDocument(ctx, ids[0])
	require.NoError(t, err)
	assert.Equal(t, "A-1", d.SKU)
	v1 := d.Version
	assert.False(t, d.CreatedAt.IsZero())
	_, err = s.AdjustStock(ctx, ids[0], 2)
	require.NoError(t, err)
	d, err = s.SearchDocument(ctx, ids[0])
	require.NoError(t, err)
	assert.Equal(t, v1+1, d.Version, "every write bumps the version the engine keys on")
	assert.Equal(t, 3, d.Stock)
	assert.Nil(t, d.Images, "no processed upload yet")

	images := shop.ProductImages{Thumb: "/media/a/thumb.jpg", Card: "/media/a/card.jpg", Full: "/media/a/full.jpg"}
	ok, err := s.SetProductImages(ctx, ids[0], 0, images)
	require.NoError(t, err)
	require.True(t, ok)
	d, err = s.SearchDocument(ctx, ids[0])
	require.NoError(t, err)
	require.NotNil(t, d.Images, "the document carries the pictures the engine stores")
	assert.Equal(t, images, *d.Images)
	assert.Equal(t, images.Card, d.ImageURL)
	assert.Equal(t, v1+2, d.Version, "the pictures are a write like any other")

	_, err = s.SearchDocument(ctx, "0195f6a0-0000-7000-8000-00000000dead")
	assert.Equal(t, shop.CodeNotFound, shop.ErrorCode(err))

	var seen []string
	after := ""
	for range 4 {
		docs, err := s.SearchDocuments(ctx, after, 2)
		require.NoError(t, err)
		if len(docs) == 0 {
			break
		}
		for _, d := range docs {
			seen = append(seen, d.ID)
			assert.Equal(t, d.ID == ids[0], d.Images != nil, "a full pass carries images too")
		}
		after = docs[len(docs)-1].ID
	}
	assert.ElementsMatch(t, ids, seen)
	assert.IsNonDecreasing(t, seen)
}
