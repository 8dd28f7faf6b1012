package shop_test

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shopstack/shopstack/app/shop"
)

func TestParseNewProductAndPatch(t *testing.T) {
	t.Parallel()
	p, err := shop.ParseNewProduct([]byte(`{"sku":"TEE-1","name":"Tee","price_cents":1999,"stock":5,"category":"apparel","image_url":"https://img.example.com/t.png"}`))
	require.NoError(t, err)
	assert.Equal(t, shop.NewProduct{SKU: "TEE-1", Name: "Tee", PriceCents: 1999, Currency: "USD", Stock: 5, Category: "apparel", ImageURL: "https://img.example.com/t.png"}, p)

	bad := []struct{ body, field string }{
		{`{"sku":"t","name":"Tee","price_cents":1,"category":"a"}`, "sku"},
		{`{"sku":"TEE-1","name":"Tee","category":"a"}`, "price_cents"},
		{`{"sku":"TEE-1","name":"Tee","price_cents":-1,"category":"a"}`, "price_cents"},
		{`{"sku":"TEE-1","name":"Tee","price_cents":1,"category":"a","stock":-1}`, "stock"},
		{`{"sku":"TEE-1","name":"Tee","price_cents":1,"category":"A B"}`, "category"},
		{`{"sku":"TEE-1","name":"Tee","price_cents":1,"category":"a","image_url":"javascript:alert(1)"}`, "image_url"},
		{`{"sku":"TEE-1","name":"Tee","price_cents":1,"category":"a","image_url":"//evil.example/x.png"}`, "image_url"},
		{`{"sku":"TEE-1","name":"Tee","price_cents":1,"category":"a","currency":"usd"}`, "currency"},
	}
	for _, tt := range bad {
		t.Run(tt.field, func(t *testing.T) {
			t.Parallel()
			_, err := shop.ParseNewProduct([]byte(tt.body))
			var e *shop.Error
			require.ErrorAs(t, err, &e)
			assert.Equal(t, tt.field, e.Details.([]shop.FieldError)[0].Field)
		})
	}

	for _, body := range []string{
		`{"sku":"TEE-1","name":"Tee","price_cents":1,"category":"a","description":"a\u0000b"}`,
		`{"description":"a\u0000b"}`,
	} {
		_, err := shop.ParseNewProduct([]byte(body))
		if !strings.Contains(body, "sku") {
			_, err = shop.ParseProductPatch([]byte(body))
		}
		var e *shop.Error
		require.ErrorAs(t, err, &e, body)
		assert.Equal(t, []shop.FieldError{{Field: "description",
			Problem: "must be at most 2000 characters, without control characters other than line breaks and tabs"}}, e.Details, "the message names the actual problem")
	}

	// A patch is held to the same rules as a new product, field by field: a patch is how an
	// admin would otherwise slip in a negative price or a javascript: image URL.
	badPatch := []struct{ name, body, field, problem string }{
		{"negative price", `{"price_cents":-1}`, "price_cents", "must be between 0 and 10000000000"},
		{"price over the maximum", `{"price_cents":10000000001}`, "price_cents", "must be between 0 and 10000000000"},
		{"category with a space", `{"category":"A B"}`, "category", "must be 1 to 50 characters of a-z, 0-9 and -"},
		{"empty category", `{"category":""}`, "category", "must be 1 to 50 characters of a-z, 0-9 and -"},
		{"javascript image URL", `{"image_url":"javascript:alert(1)"}`, "image_url", "must be empty, an https:// URL or a path starting with /"},
		{"protocol-relative image URL", `{"image_url":"//evil.example/x.png"}`, "image_url", "must be empty, an https:// URL or a path starting with /"},
		{"empty name", `{"name":""}`, "name", "must be 1 to 200 characters without control characters"},
	}
	for _, tt := range badPatch {
		t.Run("patch "+tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := shop.ParseProductPatch([]byte(tt.body))
			var e *shop.Error
			require.ErrorAs(t, err, &e)
			assert.Equal(t, shop.CodeInvalidInput, e.Code)
			assert.Equal(t, []shop.FieldError{{Field: tt.field, Problem: tt.problem}}, e.Details)
		})
	}

	_, err = shop.ParseProductPatch([]byte(`{}`))
	assert.Equal(t, shop.CodeInvalidInput, shop.ErrorCode(err))
	patch, err := shop.ParseProductPatch([]byte(`{"price_cents":10}`))
	require.NoError(t, err)
	assert.Nil(t, patch.Name)
	assert.Equal(t, int64(10), *patch.PriceCents)
	_, err = shop.ParseProductPatch([]byte(`{"stock":10}`))
	assert.Equal(t, shop.CodeInvalidInput, shop.ErrorCode(err), "stock changes go through the stock endpoint")

	for _, body := range []string{`{}`, `{"delta":0}`, `{"delta":1000001}`, `{"delta":"1"}`, `{"delta":1,"reason":""}`,
		`{"delta":1,"reason":"` + strings.Repeat("x", 201) + `"}`, `{"delta":1,"reason":"a\u0000b"}`} {
		_, err := shop.ParseStockAdjustment([]byte(body))
		assert.Equal(t, shop.CodeInvalidInput, shop.ErrorCode(err), body)
	}
	adj, err := shop.ParseStockAdjustment([]byte(`{"delta":-5}`))
	require.NoError(t, err)
	assert.Equal(t, shop.StockAdjustment{Delta: -5, Reason: shop.UnspecifiedReason}, adj, "an old client's body keeps working")
	adj, err = shop.ParseStockAdjustment([]byte(`{"delta":3,"reason":" recount "}`))
	require.NoError(t, err)
	assert.Equal(t, shop.StockAdjustment{Delta: 3, Reason: "recount"}, adj)
}

func TestDemoCatalogIsValid(t *testing.T) {
	t.Parallel()
	demo := shop.DemoCatalog()
	assert.GreaterOrEqual(t, len(demo), 24)
	skus, cats, images := map[string]bool{}, map[string]bool{}, map[string]bool{}
	for _, p := range demo {
		raw, err := json.Marshal(map[string]any{"sku": p.SKU, "name": p.Name, "description": p.Description,
			"price_cents": p.PriceCents, "currency": p.Currency, "stock": p.Stock, "category": p.Category, "image_url": p.ImageURL})
		require.NoError(t, err)
		parsed, err := shop.ParseNewProduct(raw)
		require.NoError(t, err, p.SKU)
		assert.Equal(t, p.NewProduct, parsed)
		assert.False(t, skus[p.SKU], "duplicate SKU %s", p.SKU)
		// Same-origin pictures the storefront's build draws, one per product, so the
		// catalog works offline (site/sitebuild checks that each is written).
		assert.Equal(t, shop.DemoImageURL(p.SKU), p.ImageURL)
		assert.False(t, images[p.ImageURL], "%s shares its picture", p.SKU)
		images[p.ImageURL] = true
		// The category picture it had before is still shipped, for shops seeded then.
		assert.Contains(t, p.FormerImageURLs, "/images/"+p.Category+".svg")
		assert.FileExists(t, filepath.Join("..", "..", "site", "src", "images", p.Category+".svg"))
		assert.NotContains(t, p.FormerImageURLs, p.ImageURL)
		skus[p.SKU], cats[p.Category] = true, true
	}
	assert.GreaterOrEqual(t, len(cats), 4)
}
