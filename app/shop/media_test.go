package shop_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shopstack/shopstack/app/shop"
)

func TestParseUploadRequest(t *testing.T) {
	t.Parallel()
	for body, code := range map[string]shop.Code{
		`{"content_type":"image/gif","size_bytes":10}`:      shop.CodeUnsupportedMediaType,
		`{"content_type":"image/png; x=y","size_bytes":10}`: shop.CodeUnsupportedMediaType,
		`{"content_type":"image/png","size_bytes":0}`:       shop.CodeInvalidInput,
		`{"content_type":"image/png","size_bytes":5242881}`: shop.CodeInvalidInput,
		`{"content_type":"image/png"}`:                      shop.CodeInvalidInput,
		`{"size_bytes":10}`:                                 shop.CodeInvalidInput,
		`{"content_type":"image/png","size_bytes":1,"x":1}`: shop.CodeInvalidInput,
	} {
		_, err := shop.ParseUploadRequest([]byte(body))
		assert.Equal(t, code, shop.ErrorCode(err), body)
	}
	for _, ct := range shop.UploadContentTypes {
		r, err := shop.ParseUploadRequest([]byte(`{"content_type":"` + ct + `","size_bytes":5242880}`))
		require.NoError(t, err)
		assert.Equal(t, shop.UploadRequest{ContentType: ct, SizeBytes: shop.MaxUploadBytes}, r)
	}
}

func TestUploadKeys(t *testing.T) {
	t.Parallel()
	k := shop.NewUploadKey()
	assert.True(t, shop.IsUploadKey(k), k)
	assert.NotEqual(t, k, shop.NewUploadKey())
	for _, bad := range []string{"", "uploads/", "uploads/../x", "products/" + strings.TrimPrefix(k, "uploads/"), k + "/x", strings.ToUpper(k)} {
		assert.False(t, shop.IsUploadKey(bad), bad)
		_, err := shop.ParseProductImage([]byte(`{"key":"` + bad + `"}`))
		assert.Equal(t, shop.CodeInvalidInput, shop.ErrorCode(err), bad)
	}
	assert.Equal(t, "products/p/7-card.jpg", shop.ProductImageKey("p", 7, "card"))
}

func TestCountryCodes(t *testing.T) {
	t.Parallel()
	for _, c := range []string{"DE", "US", "GB", "FR", "JP", "BR", "ZA", "AQ"} {
		assert.True(t, shop.IsCountryCode(c), c)
	}
	for _, c := range []string{"", "de", "UK", "EU", "ZZ", "XX", "AA", "QO", "DEU", "001", "D", "EA", "IC"} {
		assert.False(t, shop.IsCountryCode(c), c)
	}
}

func TestParseOrderWithAnAddress(t *testing.T) {
	t.Parallel()
	id := "00000000-0000-4000-8000-000000000001"
	r, err := shop.ParseOrder([]byte(`{"items":[{"product_id":"` + id + `","quantity":1}],
		"shipping_address":{"name":" Ada ","line1":"1 Road","city":"Paris","country":"FR"}}`))
	require.NoError(t, err)
	assert.Equal(t, &shop.ShippingAddress{Name: "Ada", Line1: "1 Road", City: "Paris", Country: "FR"}, r.ShippingAddress)
	plain, err := shop.ParseOrder([]byte(`{"items":[{"product_id":"` + id + `","quantity":1}]}`))
	require.NoError(t, err)
	assert.Nil(t, plain.ShippingAddress)
	assert.NotEqual(t, plain.Fingerprint(), r.Fingerprint(), "a key reused with another address is another request")

	_, err = shop.ParseOrder([]byte(`{"items":[{"product_id":"` + id + `","quantity":1}],
		"shipping_address":{"name":"","line1":"x","city":"` + strings.Repeat("c", 101) + `","postal_code":"` + strings.Repeat("1", 21) + `","country":"fr","extra":1}}`))
	assert.Equal(t, shop.CodeInvalidInput, shop.ErrorCode(err), "an unknown field is refused")
	_, err = shop.ParseOrder([]byte(`{"items":[{"product_id":"` + id + `","quantity":1}],
		"shipping_address":{"name":"","line1":"x","city":"` + strings.Repeat("c", 101) + `","postal_code":"` + strings.Repeat("1", 21) + `","country":"fr"}}`))
	var se *shop.Error
	require.ErrorAs(t, err, &se)
	var fields []string
	for _, f := range se.Details.([]shop.FieldError) {
		fields = append(fields, f.Field)
	}
	assert.ElementsMatch(t, []string{"shipping_address.name", "shipping_address.city", "shipping_address.postal_code", "shipping_address.country"}, fields)
}

func TestOrderNumbers(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "SH-000123", shop.OrderNumber(123))
	assert.Equal(t, "SH-1234567", shop.OrderNumber(1234567))
	assert.Equal(t, int64(123), shop.OrderSeq("SH-000123"))
	assert.Zero(t, shop.OrderSeq("XX-000123"))
	assert.Zero(t, shop.OrderSeq("SH-abc"))
}

func TestParseAdminQueries(t *testing.T) {
	t.Parallel()
	q, err := shop.ParseAdminProductQuery(url.Values{"q": {"mug"}, "low_stock": {"5"}, "limit": {"10"}})
	require.NoError(t, err)
	assert.Equal(t, "mug", q.Q)
	assert.Equal(t, 5, *q.LowStock)
	assert.Equal(t, 10, q.Limit)
	c := shop.KeyCursor{Key: "Mug", ID: "00000000-0000-4000-8000-000000000001"}
	q, err = shop.ParseAdminProductQuery(url.Values{"cursor": {c.Encode()}})
	require.NoError(t, err)
	assert.Equal(t, &c, q.After)
	assert.Equal(t, shop.DefaultPageLimit, q.Limit)
	_, err = shop.ParseAdminOrderQuery(url.Values{"cursor": {c.Encode()}})
	assert.Equal(t, shop.CodeInvalidInput, shop.ErrorCode(err), "an order cursor's key is a time")
	oq, err := shop.ParseAdminOrderQuery(url.Values{"status": {"cancelled"}})
	require.NoError(t, err)
	assert.Equal(t, shop.StatusCancelled, oq.Status)
}

func TestCheckIdentity(t *testing.T) {
	t.Parallel()
	ok := shop.Identity{Name: "S", Address: "1 Street\n2 Town", ContactEmail: "a@example.com", Currency: "EUR"}
	require.NoError(t, shop.CheckIdentity(ok))
	bad := shop.Identity{Name: "", Address: "x\x00", ContactEmail: "nope", Currency: "eur"}
	err := shop.CheckIdentity(bad)
	require.Error(t, err)
	for _, v := range []string{"SHOP_NAME", "SHOP_ADDRESS", "SHOP_CONTACT_EMAIL", "SHOP_CURRENCY"} {
		assert.Contains(t, err.Error(), v)
	}
}
