package shop

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// AdminStore is what the admin console's API needs beyond ProductStore: listings of every
// product and order, stock adjustments recorded as movements, and cancelling on a customer's
// behalf. postgres.Store implements it.
type AdminStore interface {
	AdminProducts(ctx context.Context, q AdminProductQuery) (AdminProductPage, error)
	// AdjustStockBy changes a product's stock and records the movement in one transaction.
	AdjustStockBy(ctx context.Context, id string, adj StockAdjustment) (Product, error)
	StockMovements(ctx context.Context, productID string) ([]StockMovement, error)
	AdminOrders(ctx context.Context, q AdminOrderQuery) (AdminOrderPage, error)
	// AdminCancelOrder cancels any customer's placed order, returning its stock as the
	// customer's own cancel does.
	AdminCancelOrder(ctx context.Context, orderID string) (Order, error)
	// OrderOwner is the id of the customer who placed the order (CodeNotFound if none).
	OrderOwner(ctx context.Context, orderID string) (string, error)
}

// UnspecifiedReason is the reason a stock adjustment records when the client sent none (clients
// written before reasons existed).
const UnspecifiedReason = "unspecified"

// MaxReasonLen bounds a stock adjustment's reason, in characters.
const MaxReasonLen = 200

// StockAdjustment is a validated POST /api/admin/products/{id}/stock body plus who sent it.
type StockAdjustment struct {
	Delta  int
	Reason string
	// ActorID is the admin's user id; empty for adjustments made outside a request (seeding).
	ActorID string
}

// StockMovement is one recorded change of a product's stock by an admin.
type StockMovement struct {
	At         time.Time `json:"at"`
	Delta      int       `json:"delta"`
	Reason     string    `json:"reason"`
	ActorEmail *string   `json:"actor_email"`
	StockAfter int       `json:"stock_after"`
}

// ParseStockAdjustment decodes and validates a POST /api/admin/products/{id}/stock body. The
// reason is optional (UnspecifiedReason when absent), so older clients keep working; when
// given it must be 1 to MaxReasonLen characters.
func ParseStockAdjustment(data []byte) (StockAdjustment, error) {
	var body struct {
		Delta  *int    `json:"delta"`
		Reason *string `json:"reason"`
	}
	if err := DecodeJSON(data, &body); err != nil {
		return StockAdjustment{}, err
	}
	var fe fieldErrors
	if body.Delta == nil || *body.Delta == 0 || *body.Delta < -MaxStockDelta || *body.Delta > MaxStockDelta {
		fe.add("delta", fmt.Sprintf("is required, non-zero, between -%d and %d", MaxStockDelta, MaxStockDelta))
	}
	adj := StockAdjustment{Reason: UnspecifiedReason}
	if body.Delta != nil {
		adj.Delta = *body.Delta
	}
	if body.Reason != nil {
		r, ok := parseText(*body.Reason, 1, MaxReasonLen, false)
		if !ok {
			fe.add("reason", fmt.Sprintf("must be 1 to %d characters without control characters", MaxReasonLen))
		}
		adj.Reason = r
	}
	return adj, fe.err()
}

// KeyCursor is the keyset position of an admin listing: the last item's sort key and id,
// sent to clients as base64url JSON.
type KeyCursor struct {
	Key string `json:"k"`
	ID  string `json:"id"`
}

// Encode is the cursor as clients see it.
func (c KeyCursor) Encode() string {
	b, _ := json.Marshal(c) // two strings always marshal
	return base64.RawURLEncoding.EncodeToString(b)
}

func (f *fieldErrors) keyCursor(v string) *KeyCursor {
	if v == "" {
		return nil
	}
	var c KeyCursor
	raw, err := base64.RawURLEncoding.DecodeString(v)
	if err == nil {
		err = DecodeJSON(raw, &c)
	}
	if _, ok := ParseID(c.ID); err != nil || !ok || len(c.Key) > 400 {
		f.add("cursor", "must be a next_cursor value returned by this endpoint")
		return nil
	}
	return &c
}

func (f *fieldErrors) limitParam(params url.Values) int {
	v := params.Get("limit")
	if v == "" {
		return DefaultPageLimit
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > MaxPageLimit {
		f.add("limit", fmt.Sprintf("must be an integer between 1 and %d", MaxPageLimit))
	}
	return n
}

// AdminProductQuery is a validated GET /api/admin/products: products by name, then id.
type AdminProductQuery struct {
	// Q matches a part of the name or a prefix of the SKU, case-insensitively.
	Q string
	// LowStock, when set, keeps products whose stock is at most this.
	LowStock *int
	Limit    int
	After    *KeyCursor
}

// AdminProductPage is one page of GET /api/admin/products.
type AdminProductPage struct {
	Items      []Product `json:"items"`
	NextCursor *string   `json:"next_cursor"`
	Total      int       `json:"total"`
}

// ParseAdminProductQuery validates the query parameters of GET /api/admin/products.
func ParseAdminProductQuery(params url.Values) (AdminProductQuery, error) {
	var fe fieldErrors
	q := AdminProductQuery{Limit: fe.limitParam(params), After: fe.keyCursor(params.Get("cursor"))}
	var ok bool
	if q.Q, ok = parseText(params.Get("q"), 0, 100, false); !ok {
		fe.add("q", "must be at most 100 characters without control characters")
	}
	if v := params.Get("low_stock"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > MaxStock {
			fe.add("low_stock", fmt.Sprintf("must be an integer between 0 and %d", MaxStock))
		}
		q.LowStock = &n
	}
	return q, fe.err()
}

// AdminOrder is an order as the console lists it: with its customer's email.
type AdminOrder struct {
	Order
	CustomerEmail string `json:"customer_email"`
}

// AdminOrderQuery is a validated GET /api/admin/orders: newest first.
type AdminOrderQuery struct {
	// Status, when set, is one of OrderStatuses.
	Status string
	Limit  int
	After  *KeyCursor
}

// AdminOrderPage is one page of GET /api/admin/orders.
type AdminOrderPage struct {
	Items      []AdminOrder `json:"items"`
	NextCursor *string      `json:"next_cursor"`
}

// ParseAdminOrderQuery validates the query parameters of GET /api/admin/orders.
func ParseAdminOrderQuery(params url.Values) (AdminOrderQuery, error) {
	var fe fieldErrors
	q := AdminOrderQuery{Limit: fe.limitParam(params), After: fe.keyCursor(params.Get("cursor")), Status: params.Get("status")}
	if q.Status != "" && !slices.Contains(OrderStatuses, q.Status) {
		fe.add("status", "must be one of "+strings.Join(OrderStatuses, ", "))
	}
	if q.After != nil {
		if _, err := strconv.ParseInt(q.After.Key, 10, 64); err != nil {
			fe.add("cursor", "must be a next_cursor value returned by this endpoint")
		}
	}
	return q, fe.err()
}

// Identity is the shop's identity from configuration: GET /api/shop, the invoices, the
// storefront's content pages.
type Identity struct {
	Name         string `json:"name"`
	Address      string `json:"address"`
	ContactEmail string `json:"contact_email"`
	ReturnsDays  int    `json:"returns_days"`
	Currency     string `json:"currency"`
}

// CheckIdentity checks the shop's identity from configuration, naming each variable.
func CheckIdentity(s Identity) error {
	var errs []string
	if _, ok := parseText(s.Name, 1, 100, false); !ok {
		errs = append(errs, "SHOP_NAME: want 1 to 100 characters without control characters")
	}
	if _, ok := parseText(s.Address, 1, 300, true); !ok {
		errs = append(errs, "SHOP_ADDRESS: want 1 to 300 characters without control characters other than line breaks")
	}
	if _, err := ParseEmail(s.ContactEmail); err != nil {
		errs = append(errs, "SHOP_CONTACT_EMAIL="+strconv.Quote(s.ContactEmail)+": want an email address")
	}
	if !currencyRE.MatchString(s.Currency) {
		errs = append(errs, "SHOP_CURRENCY="+strconv.Quote(s.Currency)+": want an ISO 4217 code such as USD")
	}
	if len(errs) > 0 {
		return errors.New(strings.Join(errs, "; "))
	}
	return nil
}
