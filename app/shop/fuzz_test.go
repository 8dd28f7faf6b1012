package shop_test

import (
	"testing"

	"github.com/shopstack/shopstack/app/shop"
)

// The seed corpora run in every plain `go test`; `go test -fuzz FuzzParseOrder ./app/shop` explores further.

// FuzzParseOrder checks that any body either parses into an order that satisfies every
// invariant or fails with a client error code, never panics and never yields an internal error.
func FuzzParseOrder(f *testing.F) {
	for _, s := range []string{
		`{"items":[{"product_id":"` + idA + `","quantity":2}]}`,
		`{"items":[{"product_id":"` + idA + `","quantity":1},{"product_id":"` + idB + `","quantity":3}]}`,
		`{"items":[{"product_id":"` + idA + `","quantity":-1}]}`,
		`{"items":[{"product_id":"` + idA + `","quantity":1},{"product_id":"` + idA + `","quantity":1}]}`,
		`{"items":[{"product_id":"x","quantity":99999999999999999999}]}`,
		`{"items":null}`, `{"items":{}}`, `[]`, `""`, `{`, "\x00", `{"items":[],"x":1}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		req, err := shop.ParseOrder(data)
		if err != nil {
			if c := shop.ErrorCode(err); c != shop.CodeInvalidInput && c != shop.CodeMalformedJSON {
				t.Fatalf("unexpected code %q for %q: %v", c, data, err)
			}
			return
		}
		if len(req.Lines) == 0 || len(req.Lines) > shop.MaxOrderLines {
			t.Fatalf("line count %d out of range", len(req.Lines))
		}
		for i, l := range req.Lines {
			if _, ok := shop.ParseID(l.ProductID); !ok {
				t.Fatalf("invalid product id %q accepted", l.ProductID)
			}
			if l.Quantity < 1 || l.Quantity > shop.MaxLineQuantity {
				t.Fatalf("quantity %d accepted", l.Quantity)
			}
			if i > 0 && req.Lines[i-1].ProductID >= l.ProductID {
				t.Fatalf("lines not strictly sorted by product id: %v", req.Lines)
			}
		}
	})
}

// FuzzParseRegistration checks that accepted registrations always satisfy the invariants.
func FuzzParseRegistration(f *testing.F) {
	for _, s := range []string{
		`{"email":"ada@example.com","password":"correct horse","name":"Ada"}`,
		`{"email":"ADA@EXAMPLE.COM","password":"0123456789","name":"Ada Lovelace"}`,
		`{"email":"a@b","password":"x","name":""}`,
		`{"email":"<a@b.c>","password":"correct horse","name":"\u0007"}`,
		`{"email":"a@b.c","password":"correct horse","name":"Ada","role":"admin"}`,
		`{"email":"ａdmin@ＥＸＡＭＰＬＥ.com","password":"correct horse","name":"Ada"}`,
		`{"email":"admin@bücher.example","password":"correct horse","name":"Ada"}`,
		`{"email":"admin\u200b@example.com","password":"correct horse","name":"A\u202eda"}`,
		`{"email":"аdmin@example.com","password":"correct horse","name":"Ada"}`,
		`{}`, `null`, `{"email":`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := shop.ParseRegistration(data)
		if err != nil {
			if c := shop.ErrorCode(err); c != shop.CodeInvalidInput && c != shop.CodeMalformedJSON {
				t.Fatalf("unexpected code %q: %v", c, err)
			}
			return
		}
		if again, err := shop.ParseEmail(r.Email); err != nil || again != r.Email {
			t.Fatalf("accepted email %q is not in normal form: %q, %v", r.Email, again, err)
		}
		if n := len([]rune(r.Password)); n < shop.MinPasswordLen || n > shop.MaxPasswordLen {
			t.Fatalf("password of %d runes accepted", n)
		}
		if r.Name == "" {
			t.Fatal("empty name accepted")
		}
	})
}
