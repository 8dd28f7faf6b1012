// Package shop is the domain of the shop service: its types, the constructors that enforce
// their invariants, and coded errors. Storage (postgres) and transport (httpapi) are adapters
// around it; this package imports neither.
package shop

import (
	"context"
	"time"
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
}

// User is an account. The password hash never leaves the storage adapter.
type User struct {
	ID        string    `json:"id"`
	Email     string    `json:"email"`
	Name      string    `json:"name"`
	IsAdmin   bool      `json:"is_admin"`
	CreatedAt time.Time `json:"created_at"`
}

// Order statuses.
const (
	StatusPlaced    = "placed"
	StatusCancelled = "cancelled"
)

// OrderItem is one line of an order, with the name and price as they were at order time.
type OrderItem struct {
	ProductID      string `json:"product_id"`
	SKU            string `json:"sku"`
	Name           string `json:"name"`
	Quantity       int    `json:"quantity"`
	UnitPriceCents int64  `json:"unit_price_cents"`
}

// Order is a placed (or later cancelled) purchase.
type Order struct {
	ID         string      `json:"id"`
	Status     string      `json:"status"`
	Items      []OrderItem `json:"items"`
	TotalCents int64       `json:"total_cents"`
	Currency   string      `json:"currency"`
	CreatedAt  time.Time   `json:"created_at"`
}

// ProductPage is one page of a keyset-paginated product listing.
type ProductPage struct {
	Items      []Product `json:"items"`
	NextCursor *string   `json:"next_cursor"`
}

// Shortfall is one order line that cannot be served from stock.
type Shortfall struct {
	ProductID string `json:"product_id"`
	Requested int    `json:"requested"`
	Available int    `json:"available"`
}

// Session is an authenticated login. Token is the secret sent to the client; only its hash is stored.
type Session struct {
	Token     string
	ExpiresAt time.Time
}

// IdempotentResult is the stored outcome of an order request, replayed for the same key.
type IdempotentResult struct {
	Status int
	Body   []byte
	Replay bool
}

// Store is what the transport needs from storage. postgres.Store implements it.
type Store interface {
	Ping(ctx context.Context) error

	ListProducts(ctx context.Context, q ProductQuery) (ProductPage, error)
	GetProduct(ctx context.Context, id string) (Product, error)
	CreateProduct(ctx context.Context, p NewProduct) (Product, error)
	UpdateProduct(ctx context.Context, id string, p ProductPatch) (Product, error)
	AdjustStock(ctx context.Context, id string, delta int) (Product, error)

	Register(ctx context.Context, r Registration) (User, error)
	Login(ctx context.Context, c Credentials, clientIP string) (User, error)
	CreateSession(ctx context.Context, userID string) (Session, error)
	UserBySession(ctx context.Context, token string) (User, error)
	DeleteSession(ctx context.Context, token string) error

	// PlaceOrder runs the order transaction. render turns the new order into the response body
	// that is stored with the idempotency key and replayed for a repeated request.
	PlaceOrder(ctx context.Context, userID, idempotencyKey string, req OrderRequest, render func(Order) ([]byte, error)) (IdempotentResult, error)
	ListOrders(ctx context.Context, userID string) ([]Order, error)
	GetOrder(ctx context.Context, userID, orderID string) (Order, error)
	CancelOrder(ctx context.Context, userID, orderID string) (Order, error)
}
