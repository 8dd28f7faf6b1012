package shop_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shopstack/shopstack/app/shop"
)

const (
	idA = "0a7c1b3e-1111-4a4a-8a8a-000000000001"
	idB = "0a7c1b3e-1111-4a4a-8a8a-000000000002"
)

func TestParseOrder(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, body string
		code       shop.Code
		field      string
	}{
		{"valid", `{"items":[{"product_id":"` + idB + `","quantity":2},{"product_id":"` + idA + `","quantity":1}]}`, "", ""},
		{"uppercase id is normalised", `{"items":[{"product_id":"` + strings.ToUpper(idA) + `","quantity":1}]}`, "", ""},
		{"malformed", `{"items":[`, shop.CodeMalformedJSON, ""},
		{"empty body", ``, shop.CodeMalformedJSON, ""},
		{"trailing data", `{"items":[{"product_id":"` + idA + `","quantity":1}]} {}`, shop.CodeMalformedJSON, ""},
		{"wrong type", `{"items":[{"product_id":"` + idA + `","quantity":"1"}]}`, shop.CodeInvalidInput, "items.quantity"},
		{"fractional quantity", `{"items":[{"product_id":"` + idA + `","quantity":1.5}]}`, shop.CodeInvalidInput, "items.quantity"},
		{"huge quantity", `{"items":[{"product_id":"` + idA + `","quantity":1e30}]}`, shop.CodeInvalidInput, "items.quantity"},
		{"unknown field", `{"items":[],"coupon":"FREE"}`, shop.CodeInvalidInput, "coupon"},
		{"no items", `{"items":[]}`, shop.CodeInvalidInput, "items"},
		{"null", `null`, shop.CodeInvalidInput, "items"},
		{"zero quantity", `{"items":[{"product_id":"` + idA + `","quantity":0}]}`, shop.CodeInvalidInput, "items[0].quantity"},
		{"negative quantity", `{"items":[{"product_id":"` + idA + `","quantity":-3}]}`, shop.CodeInvalidInput, "items[0].quantity"},
		{"over the line maximum", `{"items":[{"product_id":"` + idA + `","quantity":1001}]}`, shop.CodeInvalidInput, "items[0].quantity"},
		{"bad id", `{"items":[{"product_id":"42","quantity":1}]}`, shop.CodeInvalidInput, "items[0].product_id"},
		{"duplicate line", `{"items":[{"product_id":"` + idA + `","quantity":1},{"product_id":"` + idA + `","quantity":2}]}`, shop.CodeInvalidInput, "items[1].product_id"},
		{"not an object", `[1,2]`, shop.CodeInvalidInput, "(body)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			req, err := shop.ParseOrder([]byte(tt.body))
			if tt.code == "" {
				require.NoError(t, err)
				require.NotEmpty(t, req.Lines)
				for i := 1; i < len(req.Lines); i++ {
					assert.Less(t, req.Lines[i-1].ProductID, req.Lines[i].ProductID, "lines are in lock order")
				}
				return
			}
			var e *shop.Error
			require.ErrorAs(t, err, &e)
			assert.Equal(t, tt.code, e.Code)
			if tt.field != "" {
				require.IsType(t, []shop.FieldError{}, e.Details)
				assert.Equal(t, tt.field, e.Details.([]shop.FieldError)[0].Field)
			}
		})
	}
}

func TestParseOrderTooManyLines(t *testing.T) {
	t.Parallel()
	var items []string
	for i := range shop.MaxOrderLines + 1 {
		items = append(items, fmt.Sprintf(`{"product_id":"0a7c1b3e-1111-4a4a-8a8a-%012d","quantity":1}`, i))
	}
	_, err := shop.ParseOrder([]byte(`{"items":[` + strings.Join(items, ",") + `]}`))
	assert.Equal(t, shop.CodeInvalidInput, shop.ErrorCode(err))
}

func TestFingerprintIgnoresLineOrderAndWhitespace(t *testing.T) {
	t.Parallel()
	a, err := shop.ParseOrder([]byte(`{"items":[{"product_id":"` + idA + `","quantity":1},{"product_id":"` + idB + `","quantity":2}]}`))
	require.NoError(t, err)
	b, err := shop.ParseOrder([]byte(` { "items" : [ {"quantity":2,"product_id":"` + idB + `"}, {"product_id":"` + idA + `","quantity":1} ] } `))
	require.NoError(t, err)
	c, err := shop.ParseOrder([]byte(`{"items":[{"product_id":"` + idA + `","quantity":2},{"product_id":"` + idB + `","quantity":2}]}`))
	require.NoError(t, err)
	assert.Equal(t, a.Fingerprint(), b.Fingerprint())
	assert.NotEqual(t, a.Fingerprint(), c.Fingerprint())
}
