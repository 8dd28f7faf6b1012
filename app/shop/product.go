package shop

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"strings"
)

// Product is a catalog entry. Stock is the live quantity on hand.
type Product struct {
	ID          string `json:"id"`
	SKU         string `json:"sku"`
	Name        string `json:"name"`
	Description string `json:"description"`
	PriceCents  int64  `json:"price_cents"`
	Currency    string `json:"currency"`
	Stock       int    `json:"stock"`
	Category    string `json:"category"`
	ImageURL    string `json:"image_url"`
	// Images are the processed variants of the product's uploaded picture; nil (null) while
	// it has none. ImageURL is then the card variant.
	Images *ProductImages `json:"images"`
}

// ProductStore keeps the catalog. postgres.Store implements it. Listing and searching the
// catalog is ProductSearcher's job (search.go).
type ProductStore interface {
	GetProduct(ctx context.Context, id string) (Product, error)
	CreateProduct(ctx context.Context, p NewProduct) (Product, error)
	UpdateProduct(ctx context.Context, id string, p ProductPatch) (Product, error)
	AdjustStock(ctx context.Context, id string, delta int) (Product, error)
}

// Limits of the product Parse constructors.
const (
	MaxStock         = 1_000_000_000
	MaxStockDelta    = 1_000_000
	MaxPriceCents    = 100_000_000_00
	DefaultPageLimit = 20
	MaxPageLimit     = 100
)

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
	p.Name = fe.productName(body.Name)
	p.Description = fe.productDescription(body.Description)
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
	fe.checkCategory(p.Category)
	fe.checkImageURL(p.ImageURL)
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
		v := fe.productName(*body.Name)
		p.Name = &v
	}
	if body.Description != nil {
		v := fe.productDescription(*body.Description)
		p.Description = &v
	}
	if p.PriceCents != nil && (*p.PriceCents < 0 || *p.PriceCents > MaxPriceCents) {
		fe.add("price_cents", fmt.Sprintf("must be between 0 and %d", int64(MaxPriceCents)))
	}
	if p.Category != nil {
		fe.checkCategory(*p.Category)
	}
	if p.ImageURL != nil {
		fe.checkImageURL(*p.ImageURL)
	}
	return p, fe.err()
}

// The product field rules that creating and patching (and, for the category, listing) share,
// so a field has one rule and one message wherever it is accepted. A problem is recorded under
// the field's JSON name.

func (f *fieldErrors) productName(s string) string {
	v, ok := parseText(s, 1, 200, false)
	if !ok {
		f.add("name", "must be 1 to 200 characters without control characters")
	}
	return v
}

func (f *fieldErrors) productDescription(s string) string {
	v, ok := parseText(s, 0, 2000, true)
	if !ok {
		f.add("description", "must be at most 2000 characters, without control characters other than line breaks and tabs")
	}
	return v
}

func (f *fieldErrors) checkCategory(s string) {
	if !categoryRE.MatchString(s) {
		f.add("category", "must be 1 to 50 characters of a-z, 0-9 and -")
	}
}

func (f *fieldErrors) checkImageURL(s string) {
	if !validImageURL(s) {
		f.add("image_url", "must be empty, an https:// URL or a path starting with /")
	}
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
