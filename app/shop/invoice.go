package shop

import (
	"context"
	"time"
)

// The documents made for an order.
const (
	DocInvoice    = "invoice"
	DocCreditNote = "credit_note"
)

// InvoiceOrder is what an invoice shows of an order.
type InvoiceOrder struct {
	Order
	CustomerName  string
	CustomerEmail string
	// CancelledAt is set for a cancelled order (the credit note's date).
	CancelledAt *time.Time
}

// InvoiceStore finds orders' documents. postgres.Store implements it.
type InvoiceStore interface {
	// InvoiceKey returns the media key of the order's document of kind (DocInvoice,
	// DocCreditNote); ok is false while it has not been made.
	InvoiceKey(ctx context.Context, orderID, kind string) (key string, ok bool, err error)
	InvoiceOrder(ctx context.Context, orderID string) (InvoiceOrder, error)
	// RecordInvoice notes that the order's document of kind is stored at key (idempotent).
	RecordInvoice(ctx context.Context, orderID, kind, key string) error
}

// DocDue tells whether the order has, or is about to have, its document doc: the invoice once
// the order is owed (placed, or paid) and after such an order is cancelled; the credit note
// once such an order is cancelled. An order awaiting payment has no invoice yet; one that
// expired or was cancelled unpaid never gets one (migration 010's triggers follow this rule).
func DocDue(o Order, doc string) bool {
	invoiced := o.Payment == nil || o.Payment.PaidAt != nil
	switch doc {
	case DocInvoice:
		return o.Status == StatusPlaced || o.Status == StatusPaid || (o.Status == StatusCancelled && invoiced)
	case DocCreditNote:
		return o.Status == StatusCancelled && invoiced
	}
	return false
}
