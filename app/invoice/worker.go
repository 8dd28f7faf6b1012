package invoice

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"

	"github.com/shopstack/shopstack/app/media"
	"github.com/shopstack/shopstack/app/shop"
)

// Args asks for one document of an order. The trigger that enqueues it (enqueue_invoice)
// writes exactly these fields.
type Args struct {
	OrderID string `json:"order_id"`
	// Doc is shop.DocInvoice or shop.DocCreditNote (JSON "kind").
	Doc string `json:"kind"`
}

// Kind is the job's name in river_job.kind.
func (Args) Kind() string { return "invoice" }

// Worker renders and stores orders' documents.
type Worker struct {
	river.WorkerDefaults[Args]
	Orders shop.InvoiceStore
	Store  media.Store
	Shop   shop.Identity
	Log    *slog.Logger
}

// Timeout bounds one attempt.
func (w *Worker) Timeout(*river.Job[Args]) time.Duration { return time.Minute }

// Work renders the document, stores it and records its key. It is idempotent: a repeat
// renders the same bytes to the same key. An order that no longer exists, or a kind this
// build does not know, fails permanently.
func (w *Worker) Work(ctx context.Context, job *river.Job[Args]) error {
	a := job.Args
	if a.Doc != shop.DocInvoice && a.Doc != shop.DocCreditNote {
		w.Log.Warn("invoice job with an unknown kind; it will not retry", "order_id", a.OrderID, "kind", a.Doc)
		return river.JobCancel(fmt.Errorf("unknown document kind %q", a.Doc))
	}
	o, err := w.Orders.InvoiceOrder(ctx, a.OrderID)
	if shop.ErrorCode(err) == shop.CodeNotFound {
		w.Log.Warn("invoice job for a missing order; it will not retry", "order_id", a.OrderID)
		return river.JobCancel(err)
	}
	if err != nil {
		return err
	}
	pdf, err := Render(w.Shop, o, a.Doc)
	if err != nil {
		return err
	}
	key := Key(o, a.Doc)
	if err := w.Store.Put(ctx, key, "application/pdf", bytes.NewReader(pdf), int64(len(pdf))); err != nil {
		return err
	}
	return w.Orders.RecordInvoice(ctx, a.OrderID, a.Doc, key)
}
