package httpapi_test

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shopstack/shopstack/app/shop"
)

func TestLookAlikeEmailsAndNames(t *testing.T) {
	t.Parallel()
	n := seq.Add(1)
	email := fmt.Sprintf("admin%d@example.com", n)
	c := newClient(t)
	register := func(email, name string) response {
		return c.do("POST", "/api/auth/register", map[string]string{"email": email, "password": "correct horse battery", "name": name})
	}
	r := register(email, "Admin")
	require.Equal(t, http.StatusCreated, r.status, string(r.body))
	var owner shop.User
	r.json(t, &owner)

	tests := []struct {
		name, email, userName string
		status                int
		field, problem        string
	}{
		{"fullwidth letter folds to the same account", fmt.Sprintf("ａdmin%d@example.com", n), "A", 409, "", ""},
		{"fullwidth domain folds to the same account", fmt.Sprintf("admin%d@ＥＸＡＭＰＬＥ.com", n), "A", 409, "", ""},
		{"upper-case domain is the same account", fmt.Sprintf("admin%d@EXAMPLE.COM", n), "A", 409, "", ""},
		{"zero-width space", fmt.Sprintf("admin%d\u200b@example.com", n), "A", 422, "email", "U+200B"},
		{"right-to-left override", fmt.Sprintf("\u202eadmin%d@example.com", n), "A", 422, "email", "U+202E"},
		{"soft hyphen", fmt.Sprintf("ad\u00admin%d@example.com", n), "A", 422, "email", "U+00AD"},
		{"Cyrillic a", fmt.Sprintf("\u0430dmin%d@example.com", n), "A", 422, "email", "ASCII"},
		{"bidi control in the name", uniqueEmail(), "Ada\u202egnp.exe", 422, "name", "U+202E"},
		{"isolate in the name", uniqueEmail(), "\u2067Ada", 422, "name", "U+2067"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cl := *c
			cl.t = t
			r := cl.do("POST", "/api/auth/register", map[string]string{"email": tt.email, "password": "correct horse battery", "name": tt.userName})
			require.Equal(t, tt.status, r.status, string(r.body))
			if tt.status == http.StatusConflict {
				assert.Equal(t, "email_taken", r.errorCode(t))
				return
			}
			var body struct {
				Error struct{ Details []shop.FieldError }
			}
			r.json(t, &body)
			require.Len(t, body.Error.Details, 1)
			assert.Equal(t, tt.field, body.Error.Details[0].Field)
			assert.Contains(t, body.Error.Details[0].Problem, tt.problem)
		})
	}

	r = newClient(t).do("POST", "/api/auth/login", map[string]string{"email": fmt.Sprintf("ａdmin%d@ＥＸＡＭＰＬＥ.com", n), "password": "correct horse battery"})
	require.Equal(t, http.StatusOK, r.status, "login normalises the same way")
	var u shop.User
	r.json(t, &u)
	assert.Equal(t, owner.ID, u.ID)

	r = register(fmt.Sprintf("shop%d@Bücher.example", n), "B")
	require.Equal(t, http.StatusCreated, r.status, string(r.body))
	r.json(t, &u)
	assert.Equal(t, fmt.Sprintf("shop%d@xn--bcher-kva.example", n), u.Email, "the domain is kept as lower-case A-labels")
}

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
	mug := "Mug"
	r := c.do("GET", "/api/products?cursor="+shop.ProductCursor{Sort: shop.SortName, Name: &mug, ID: id}.Encode(), nil)
	assert.Equal(t, http.StatusOK, r.status, "a well-formed cursor is a keyset position, product or not")
	assert.NotContains(t, logBuf.String(), "invalid byte sequence")
}
