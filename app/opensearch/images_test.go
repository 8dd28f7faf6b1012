package opensearch_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shopstack/shopstack/app/shop"
)

// A product's processed pictures go from PostgreSQL through Reindex's bulk load into a real
// search server and come back with the hit; a product without any comes back with images nil.
// Zinc accepts the "enabled": false object type and ignores it (it maps the URLs as it likes),
// so this proves that the adapter writes and reads images and that the mapping is accepted, not
// that OpenSearch leaves them unindexed. The hits are looked up by SKU prefix, which Zinc
// answers as OpenSearch does; q=vase found nothing on it (its multi_match, see textMatch).
func TestImagesRoundTripOnZinc(t *testing.T) {
	ctx := context.Background()
	z := startZinc(t)
	s := newStore(t)
	vase, err := s.CreateProduct(ctx, shop.NewProduct{SKU: "PIC-1", Name: "Pictured Vase", PriceCents: 2500,
		Currency: "USD", Stock: 2, Category: "home"})
	require.NoError(t, err)
	_, err = s.CreateProduct(ctx, shop.NewProduct{SKU: "BARE-1", Name: "Plain Bowl", PriceCents: 900,
		Currency: "USD", Stock: 4, Category: "home"})
	require.NoError(t, err)
	images := shop.ProductImages{Thumb: "/media/products/vase/1/thumb.jpg", Card: "/media/products/vase/1/card.jpg",
		Full: "/media/products/vase/1/full.jpg"}
	// image_version is 0 while no upload was attached: the image job's write for version 0.
	ok, err := s.SetProductImages(ctx, vase.ID, 0, images)
	require.NoError(t, err)
	require.True(t, ok)

	c := z.client(t, "products")
	_, err = c.Reindex(ctx, s, time.Now(), discardLog())
	require.NoError(t, err)
	z.waitVisible(t, c.Index(), 2)

	got := findOne(t, c, "pic")
	require.NotNil(t, got.Images, "the hit carries the pictures")
	assert.Equal(t, images, *got.Images)
	assert.Equal(t, images.Card, got.ImageURL)
	assert.Nil(t, findOne(t, c, "bare").Images, "no processed upload: images null")
}
