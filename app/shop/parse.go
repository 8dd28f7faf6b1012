package shop

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/mail"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits enforced by the Parse constructors.
const (
	MaxOrderLines     = 50
	MaxLineQuantity   = 1000
	MaxStock          = 1_000_000_000
	MaxStockDelta     = 1_000_000
	MaxPriceCents     = 100_000_000_00
	MinPasswordLen    = 10
	MaxPasswordLen    = 128
	DefaultPageLimit  = 20
	MaxPageLimit      = 100
	MaxIdempotencyKey = 200
)

// DecodeJSON decodes exactly one JSON value into v, rejecting unknown fields and trailing data.
// Syntax errors are CodeMalformedJSON; well-formed JSON of the wrong shape is CodeInvalidInput.
func DecodeJSON(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return decodeError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return Errorf(CodeMalformedJSON, "the body must hold a single JSON value")
	}
	return nil
}

func decodeError(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return Errorf(CodeMalformedJSON, "the body is not valid JSON")
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			field = "(body)"
		}
		return &Error{Code: CodeInvalidInput, Message: "the request has invalid fields",
			Details: []FieldError{{Field: field, Problem: "must be a JSON " + jsonKind(typ.Type.String())}}}
	}
	// encoding/json reports an unknown field only as text; its message names the field and is
	// about the client's own input, so it is safe to return.
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return &Error{Code: CodeInvalidInput, Message: "the request has invalid fields",
			Details: []FieldError{{Field: strings.Trim(name, `"`), Problem: "unknown field"}}}
	}
	return Errorf(CodeInvalidInput, "the body does not match the expected JSON shape")
}

func jsonKind(goType string) string {
	switch {
	case strings.HasPrefix(goType, "int"), strings.HasPrefix(goType, "*int"):
		return "integer in range"
	case strings.HasPrefix(goType, "[]"):
		return "array"
	case strings.Contains(goType, "string"):
		return "string"
	case strings.Contains(goType, "bool"):
		return "boolean"
	}
	return "object"
}

var uuidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// ParseID validates an opaque id (a lowercase UUID) from a path or a body.
func ParseID(s string) (string, bool) {
	s = strings.ToLower(s)
	return s, uuidRE.MatchString(s)
}

// OrderLine is one validated line of an order request.
type OrderLine struct {
	ProductID string
	Quantity  int
}

// OrderRequest is a validated order: 1..MaxOrderLines lines, sorted by product id, no duplicates.
// The sort order is the lock order of the order transaction.
type OrderRequest struct {
	Lines []OrderLine
}

// Fingerprint identifies the request's content for idempotency: two bodies that differ only in
// whitespace or line order have the same fingerprint.
func (r OrderRequest) Fingerprint() string {
	h := sha256.New()
	for _, l := range r.Lines {
		fmt.Fprintf(h, "%s:%d;", l.ProductID, l.Quantity)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// ParseOrder decodes and validates a POST /api/orders body.
func ParseOrder(data []byte) (OrderRequest, error) {
	var body struct {
		Items []struct {
			ProductID string `json:"product_id"`
			Quantity  int    `json:"quantity"`
		} `json:"items"`
	}
	if err := DecodeJSON(data, &body); err != nil {
		return OrderRequest{}, err
	}
	var fe fieldErrors
	if len(body.Items) == 0 {
		fe.add("items", "must hold at least one line")
	}
	if len(body.Items) > MaxOrderLines {
		fe.add("items", fmt.Sprintf("must hold at most %d lines", MaxOrderLines))
		return OrderRequest{}, fe.err()
	}
	seen := make(map[string]bool, len(body.Items))
	lines := make([]OrderLine, 0, len(body.Items))
	for i, it := range body.Items {
		field := "items[" + strconv.Itoa(i) + "]"
		id, ok := ParseID(it.ProductID)
		switch {
		case !ok:
			fe.add(field+".product_id", "must be a product id")
		case seen[id]:
			fe.add(field+".product_id", "duplicate product: put the whole quantity on one line")
		}
		seen[id] = true
		if it.Quantity < 1 || it.Quantity > MaxLineQuantity {
			fe.add(field+".quantity", fmt.Sprintf("must be between 1 and %d", MaxLineQuantity))
		}
		lines = append(lines, OrderLine{ProductID: id, Quantity: it.Quantity})
	}
	if err := fe.err(); err != nil {
		return OrderRequest{}, err
	}
	slices.SortFunc(lines, func(a, b OrderLine) int { return strings.Compare(a.ProductID, b.ProductID) })
	return OrderRequest{Lines: lines}, nil
}

// ParseIdempotencyKey validates the Idempotency-Key header.
func ParseIdempotencyKey(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", Errorf(CodeIdempotencyKeyRequired, "the Idempotency-Key header is required")
	}
	if len(s) > MaxIdempotencyKey || !isPrintableASCII(s) {
		return "", &Error{Code: CodeInvalidInput, Message: "the request has invalid fields",
			Details: []FieldError{{Field: "Idempotency-Key", Problem: fmt.Sprintf("must be 1 to %d printable ASCII characters", MaxIdempotencyKey)}}}
	}
	return s, nil
}

func isPrintableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

// Registration is a validated sign-up.
type Registration struct {
	Email    string
	Password string
	Name     string
}

// ParseRegistration decodes and validates a POST /api/auth/register body.
func ParseRegistration(data []byte) (Registration, error) {
	var body struct {
		Email    string `json:"email"`
		Password string `json:"password"`
		Name     string `json:"name"`
	}
	if err := DecodeJSON(data, &body); err != nil {
		return Registration{}, err
	}
	var fe fieldErrors
	email, ok := ParseEmail(body.Email)
	if !ok {
		fe.add("email", "must be an email address")
	}
	if n := utf8.RuneCountInString(body.Password); n < MinPasswordLen || n > MaxPasswordLen || !utf8.ValidString(body.Password) {
		fe.add("password", fmt.Sprintf("must be %d to %d characters", MinPasswordLen, MaxPasswordLen))
	}
	name, ok := parseText(body.Name, 1, 100, false)
	if !ok {
		fe.add("name", "must be 1 to 100 characters without control characters")
	}
	return Registration{Email: email, Password: body.Password, Name: name}, fe.err()
}

// ParseEmail normalises and validates an email address (a bare addr-spec, at most 254 bytes).
func ParseEmail(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 254 {
		return "", false
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || a.Name != "" || !strings.Contains(s[strings.LastIndex(s, "@"):], ".") {
		return "", false
	}
	return s, true
}

// Credentials is a login attempt. It is only shape-checked: a login never says which part was wrong.
type Credentials struct {
	Email    string
	Password string
}

// ParseCredentials decodes a POST /api/auth/login body.
func ParseCredentials(data []byte) (Credentials, error) {
	var body struct {
		Email    string `json:"email"`
		Password string `json:"password"`
	}
	if err := DecodeJSON(data, &body); err != nil {
		return Credentials{}, err
	}
	var fe fieldErrors
	switch {
	case body.Email == "" || len(body.Email) > 254:
		fe.add("email", "is required")
	case strings.ContainsFunc(body.Email, unicode.IsControl):
		// No account can have such an address, and PostgreSQL text cannot hold a NUL, so
		// refusing it here reveals nothing and keeps it away from the queries.
		fe.add("email", "must not contain control characters")
	}
	if body.Password == "" || len(body.Password) > 4*MaxPasswordLen {
		fe.add("password", "is required")
	}
	return Credentials{Email: strings.TrimSpace(body.Email), Password: body.Password}, fe.err()
}

// NewProduct is a validated product to create.
type NewProduct struct {
	SKU         string
	Name        string
	Description string
	PriceCents  int64
	Currency    string
	Stock       int
	Category    string
	ImageURL    string
}

// ProductPatch holds the fields to change; nil means unchanged. Stock changes go through
// AdjustStock so they compose with concurrent orders.
type ProductPatch struct {
	Name        *string
	Description *string
	PriceCents  *int64
	Category    *string
	ImageURL    *string
}

var (
	skuRE      = regexp.MustCompile(`^[A-Z0-9][A-Z0-9-]{1,39}$`)
	categoryRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,49}$`)
	currencyRE = regexp.MustCompile(`^[A-Z]{3}$`)
)

// ParseNewProduct decodes and validates a POST /api/admin/products body.
func ParseNewProduct(data []byte) (NewProduct, error) {
	var body struct {
		SKU         string  `json:"sku"`
		Name        string  `json:"name"`
		Description string  `json:"description"`
		PriceCents  *int64  `json:"price_cents"`
		Currency    *string `json:"currency"`
		Stock       int     `json:"stock"`
		Category    string  `json:"category"`
		ImageURL    string  `json:"image_url"`
	}
	if err := DecodeJSON(data, &body); err != nil {
		return NewProduct{}, err
	}
	var fe fieldErrors
	p := NewProduct{SKU: body.SKU, Currency: "USD", Stock: body.Stock, Category: body.Category, ImageURL: body.ImageURL}
	if !skuRE.MatchString(p.SKU) {
		fe.add("sku", "must be 2 to 40 characters of A-Z, 0-9 and -")
	}
	var ok bool
	if p.Name, ok = parseText(body.Name, 1, 200, false); !ok {
		fe.add("name", "must be 1 to 200 characters without control characters")
	}
	if p.Description, ok = parseText(body.Description, 0, 2000, true); !ok {
		fe.add("description", "must be at most 2000 characters, without control characters other than line breaks and tabs")
	}
	if body.PriceCents == nil || *body.PriceCents < 0 || *body.PriceCents > MaxPriceCents {
		fe.add("price_cents", fmt.Sprintf("is required, between 0 and %d", int64(MaxPriceCents)))
	} else {
		p.PriceCents = *body.PriceCents
	}
	if body.Currency != nil {
		p.Currency = *body.Currency
		if !currencyRE.MatchString(p.Currency) {
			fe.add("currency", "must be an ISO 4217 code such as USD")
		}
	}
	if p.Stock < 0 || p.Stock > MaxStock {
		fe.add("stock", fmt.Sprintf("must be between 0 and %d", MaxStock))
	}
	if !categoryRE.MatchString(p.Category) {
		fe.add("category", "must be 1 to 50 characters of a-z, 0-9 and -")
	}
	if !validImageURL(p.ImageURL) {
		fe.add("image_url", "must be empty, an https:// URL or a path starting with /")
	}
	return p, fe.err()
}

// ParseProductPatch decodes and validates a PATCH /api/admin/products/{id} body.
func ParseProductPatch(data []byte) (ProductPatch, error) {
	var body struct {
		Name        *string `json:"name"`
		Description *string `json:"description"`
		PriceCents  *int64  `json:"price_cents"`
		Category    *string `json:"category"`
		ImageURL    *string `json:"image_url"`
	}
	if err := DecodeJSON(data, &body); err != nil {
		return ProductPatch{}, err
	}
	var fe fieldErrors
	p := ProductPatch{PriceCents: body.PriceCents, Category: body.Category, ImageURL: body.ImageURL}
	if body.Name == nil && body.Description == nil && body.PriceCents == nil && body.Category == nil && body.ImageURL == nil {
		fe.add("(body)", "must change at least one of name, description, price_cents, category, image_url")
	}
	if body.Name != nil {
		v, ok := parseText(*body.Name, 1, 200, false)
		if !ok {
			fe.add("name", "must be 1 to 200 characters without control characters")
		}
		p.Name = &v
	}
	if body.Description != nil {
		v, ok := parseText(*body.Description, 0, 2000, true)
		if !ok {
			fe.add("description", "must be at most 2000 characters, without control characters other than line breaks and tabs")
		}
		p.Description = &v
	}
	if p.PriceCents != nil && (*p.PriceCents < 0 || *p.PriceCents > MaxPriceCents) {
		fe.add("price_cents", fmt.Sprintf("must be between 0 and %d", int64(MaxPriceCents)))
	}
	if p.Category != nil && !categoryRE.MatchString(*p.Category) {
		fe.add("category", "must be 1 to 50 characters of a-z, 0-9 and -")
	}
	if p.ImageURL != nil && !validImageURL(*p.ImageURL) {
		fe.add("image_url", "must be empty, an https:// URL or a path starting with /")
	}
	return p, fe.err()
}

// ParseStockDelta decodes and validates a POST /api/admin/products/{id}/stock body.
func ParseStockDelta(data []byte) (int, error) {
	var body struct {
		Delta *int `json:"delta"`
	}
	if err := DecodeJSON(data, &body); err != nil {
		return 0, err
	}
	if body.Delta == nil || *body.Delta == 0 || *body.Delta < -MaxStockDelta || *body.Delta > MaxStockDelta {
		return 0, &Error{Code: CodeInvalidInput, Message: "the request has invalid fields",
			Details: []FieldError{{Field: "delta", Problem: fmt.Sprintf("is required, non-zero, between -%d and %d", MaxStockDelta, MaxStockDelta)}}}
	}
	return *body.Delta, nil
}

// ProductQuery is a validated catalog listing request.
type ProductQuery struct {
	Q        string
	Category string
	Limit    int
	// After is the keyset position decoded from the cursor: list products after (Name, ID).
	After *ProductCursor
}

// ProductCursor is the keyset position of a listing: products sort by name, then id.
type ProductCursor struct {
	Name string `json:"n"`
	ID   string `json:"i"`
}

// Encode returns the opaque cursor string.
func (c ProductCursor) Encode() string {
	b, _ := json.Marshal(c) // a struct of two strings always marshals
	return base64.RawURLEncoding.EncodeToString(b)
}

// ParseProductQuery validates the query parameters of GET /api/products.
func ParseProductQuery(q, category, limit, cursor string) (ProductQuery, error) {
	var fe fieldErrors
	pq := ProductQuery{Limit: DefaultPageLimit}
	var ok bool
	if pq.Q, ok = parseText(q, 0, 100, false); !ok {
		fe.add("q", "must be at most 100 characters without control characters")
	}
	if category != "" {
		if !categoryRE.MatchString(category) {
			fe.add("category", "must be 1 to 50 characters of a-z, 0-9 and -")
		}
		pq.Category = category
	}
	if limit != "" {
		n, err := strconv.Atoi(limit)
		if err != nil || n < 1 || n > MaxPageLimit {
			fe.add("limit", fmt.Sprintf("must be an integer between 1 and %d", MaxPageLimit))
		}
		pq.Limit = n
	}
	if cursor != "" {
		var c ProductCursor
		raw, err := base64.RawURLEncoding.DecodeString(cursor)
		if err == nil {
			err = json.Unmarshal(raw, &c)
		}
		if _, idOK := ParseID(c.ID); err != nil || !idOK || len(c.Name) > 200 {
			fe.add("cursor", "must be a next_cursor value returned by this endpoint")
		} else {
			pq.After = &c
		}
	}
	return pq, fe.err()
}

// parseText trims s and checks its length in runes and that it holds no control characters
// (newlines and tabs are allowed when multiline).
func parseText(s string, minLen, maxLen int, multiline bool) (string, bool) {
	s = strings.TrimSpace(s)
	if !utf8.ValidString(s) {
		return "", false
	}
	n := utf8.RuneCountInString(s)
	if n < minLen || n > maxLen {
		return "", false
	}
	for _, r := range s {
		allowed := multiline && (r == '\n' || r == '\t' || r == '\r')
		if unicode.IsControl(r) && !allowed {
			return "", false
		}
	}
	return s, true
}

func validImageURL(s string) bool {
	if s == "" {
		return true
	}
	if len(s) > 500 || !isPrintableASCII(s) {
		return false
	}
	if strings.HasPrefix(s, "/") && !strings.HasPrefix(s, "//") {
		return true
	}
	u, err := url.Parse(s)
	return err == nil && u.Scheme == "https" && u.Host != "" && u.User == nil
}
