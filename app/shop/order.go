package shop

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Order statuses. Without a payment provider an order is placed (paid on delivery) and may be
// cancelled; with one it is pending_payment until paid, or expired when the payment never came
// (payment.go). The allowed transitions are enforced in SQL (migration payments).
const (
	StatusPlaced         = "placed"
	StatusCancelled      = "cancelled"
	StatusPendingPayment = "pending_payment"
	StatusPaid           = "paid"
	StatusExpired        = "expired"
)

// OrderStatuses are every status an order can have, in lifecycle order (the admin list filters by them).
var OrderStatuses = []string{StatusPendingPayment, StatusPlaced, StatusPaid, StatusCancelled, StatusExpired}

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
	Number     string      `json:"number"`
	Status     string      `json:"status"`
	Items      []OrderItem `json:"items"`
	TotalCents int64       `json:"total_cents"`
	Currency   string      `json:"currency"`
	CreatedAt  time.Time   `json:"created_at"`
	// ShippingAddress is null for an order placed without one.
	ShippingAddress *ShippingAddress `json:"shipping_address"`
	// Payment is nil for an order without a payment provider (pay on delivery).
	Payment *Payment `json:"payment,omitempty"`
}

// OrderNumber formats an order's sequence number (orders.number) as customers see it: SH-000123.
func OrderNumber(n int64) string { return fmt.Sprintf("SH-%06d", n) }

// OrderSeq is the sequence number of an order number made by OrderNumber (0 for anything else).
func OrderSeq(number string) int64 {
	n, err := strconv.ParseInt(strings.TrimPrefix(number, "SH-"), 10, 64)
	if err != nil || !strings.HasPrefix(number, "SH-") {
		return 0
	}
	return n
}

// Shortfall is one order line that cannot be served from stock.
type Shortfall struct {
	ProductID string `json:"product_id"`
	Requested int    `json:"requested"`
	Available int    `json:"available"`
}

// IdempotentResult is the stored outcome of an order request, replayed for the same key.
type IdempotentResult struct {
	Status int
	Body   []byte
	Replay bool
}

// OrderStore keeps a user's orders and takes their stock. postgres.Store implements it.
type OrderStore interface {
	// PlaceOrder runs the order transaction. render turns the new order into the response body
	// that is stored with the idempotency key and replayed for a repeated request.
	PlaceOrder(ctx context.Context, userID, idempotencyKey string, req OrderRequest, render func(Order) ([]byte, error)) (IdempotentResult, error)
	ListOrders(ctx context.Context, userID string) ([]Order, error)
	GetOrder(ctx context.Context, userID, orderID string) (Order, error)
	CancelOrder(ctx context.Context, userID, orderID string) (Order, error)
}

// Limits of the order Parse constructors.
const (
	MaxOrderLines     = 50
	MaxLineQuantity   = 1000
	MaxIdempotencyKey = 200
)

// OrderLine is one validated line of an order request.
type OrderLine struct {
	ProductID string
	Quantity  int
}

// OrderRequest is a validated order: 1..MaxOrderLines lines, sorted by product id, no duplicates.
// The sort order is the lock order of the order transaction.
type OrderRequest struct {
	Lines []OrderLine
	// ShippingAddress is optional (nil: none given).
	ShippingAddress *ShippingAddress
}

// Fingerprint identifies the request's content for idempotency: two bodies that differ only in
// whitespace or line order have the same fingerprint.
func (r OrderRequest) Fingerprint() string {
	h := sha256.New()
	for _, l := range r.Lines {
		fmt.Fprintf(h, "%s:%d;", l.ProductID, l.Quantity)
	}
	// Only when given, so an order without an address keeps the fingerprint it always had.
	if a := r.ShippingAddress; a != nil {
		fmt.Fprintf(h, "address:%q;%q;%q;%q;%q;%q;%q", a.Name, a.Line1, a.Line2, a.City, a.Region, a.PostalCode, a.Country)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// ProductIDs returns the lines' product ids, in line (lock) order.
func (r OrderRequest) ProductIDs() []string {
	ids := make([]string, len(r.Lines))
	for i, l := range r.Lines {
		ids[i] = l.ProductID
	}
	return ids
}

// ParseOrder decodes and validates a POST /api/orders body.
func ParseOrder(data []byte) (OrderRequest, error) {
	var body struct {
		Items []struct {
			ProductID string `json:"product_id"`
			Quantity  int    `json:"quantity"`
		} `json:"items"`
		ShippingAddress *ShippingAddress `json:"shipping_address"`
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
	address := fe.parseShippingAddress(body.ShippingAddress)
	if err := fe.err(); err != nil {
		return OrderRequest{}, err
	}
	slices.SortFunc(lines, func(a, b OrderLine) int { return strings.Compare(a.ProductID, b.ProductID) })
	return OrderRequest{Lines: lines, ShippingAddress: address}, nil
}

// ParseIdempotencyKey validates the Idempotency-Key header.
func ParseIdempotencyKey(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", Errorf(CodeIdempotencyKeyRequired, "the Idempotency-Key header is required")
	}
	if len(s) > MaxIdempotencyKey || !isPrintableASCII(s) {
		return "", invalidField("Idempotency-Key", fmt.Sprintf("must be 1 to %d printable ASCII characters", MaxIdempotencyKey))
	}
	return s, nil
}
