package httpapi_test

import (
	"encoding/base64"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shopstack/shopstack/app/shop"
)

func TestForgedCursors(t *testing.T) {
	t.Parallel()
	c := newClient(t)
	id := "00000000-0000-4000-8000-000000000000"
	enc := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	for name, cursor := range map[string]string{
		"NUL in the name":     enc(`{"n":"a\u0000","i":"` + id + `"}`),
		"raw NUL":             enc("{\"n\":\"a\x00\",\"i\":\"" + id + "\"}"),
		"invalid UTF-8":       enc("{\"n\":\"\xff\xfe\",\"i\":\"" + id + "\"}"),
		"control character":   enc(`{"n":"a\u0007","i":"` + id + `"}`),
		"not an id":           enc(`{"n":"a","i":"1; DROP TABLE products"}`),
		"upper-case id":       enc(`{"n":"a","i":"` + strings.ToUpper("0000000a-0000-4000-8000-000000000000") + `"}`),
		"unknown field":       enc(`{"n":"a","i":"` + id + `","x":1}`),
		"trailing data":       enc(`{"n":"a","i":"` + id + `"}{}`),
		"empty object":        enc(`{}`),
		"not JSON":            enc(`hello`),
		"name too long":       enc(`{"n":"` + strings.Repeat("a", 201) + `","i":"` + id + `"}`),
		"padded name":         enc(`{"n":" a ","i":"` + id + `"}`),
		"not base64url":       "%2F%2F%2F%2F",
		"percent-encoded NUL": "%00",
	} {
		t.Run(name, func(t *testing.T) {
			cl := *c
			cl.t = t
			r := cl.do("GET", "/api/products?cursor="+cursor, nil)
			require.Equal(t, http.StatusUnprocessableEntity, r.status, string(r.body))
			var body struct {
				Error struct{ Details []shop.FieldError }
			}
			r.json(t, &body)
			require.Len(t, body.Error.Details, 1)
			assert.Equal(t, shop.FieldError{Field: "cursor", Problem: "must be a next_cursor value returned by this endpoint"}, body.Error.Details[0])
		})
	}
	r := c.do("GET", "/api/products?cursor="+shop.ProductCursor{Name: "Mug", ID: id}.Encode(), nil)
	assert.Equal(t, http.StatusOK, r.status, "a well-formed cursor is a keyset position, product or not")
	assert.NotContains(t, logBuf.String(), "invalid byte sequence")
}
