package httpapi

import (
	"fmt"
	"io"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/shopstack/shopstack/app/shop"
)

// invoiceRetryAfter is the Retry-After, in seconds, of a 202 for an invoice not made yet: the
// job is picked up within River's poll interval (1 s) and renders in milliseconds.
const invoiceRetryAfter = "2"

// getInvoice gives an order's owner its invoice (see serveDocument).
func (a *api) getInvoice(c echo.Context) error { return a.serveDocument(c, shop.DocInvoice) }

// getCreditNote gives the owner of a cancelled invoiced order its credit note (see serveDocument).
func (a *api) getCreditNote(c echo.Context) error { return a.serveDocument(c, shop.DocCreditNote) }

// serveDocument gives an order's owner its document doc: 302 to a short-lived presigned URL
// when the store has them (S3), else the PDF itself; 202 while the job has not made it yet.
// Anyone else's order is a 404, as for GET /api/orders/{id}, and so is an order that has no
// such document (shop.DocDue: not paid yet, never paid, or not cancelled).
func (a *api) serveDocument(c echo.Context, doc string) error {
	id, err := pathID(c, "order")
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	o, err := a.orders.GetOrder(ctx, currentUser(c).ID, id)
	if err != nil {
		return err
	}
	key, ok, err := a.invoices.InvoiceKey(ctx, id, doc)
	if err != nil {
		return err
	}
	if !ok {
		if !shop.DocDue(o, doc) {
			return noDocument(o, doc)
		}
		c.Response().Header().Set("Retry-After", invoiceRetryAfter)
		return c.JSON(http.StatusAccepted, map[string]string{"status": "pending"})
	}
	if url, err := a.media.PresignGet(ctx, key); err != nil {
		return err
	} else if url != "" {
		return c.Redirect(http.StatusFound, url)
	}
	rc, obj, err := a.media.Get(ctx, key)
	if err != nil {
		return err
	}
	defer rc.Close()
	name := o.Number
	if doc == shop.DocCreditNote {
		name += "-credit"
	}
	h := c.Response().Header()
	h.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s.pdf"`, name))
	h.Set("Content-Length", fmt.Sprint(obj.Size))
	h.Set(echo.HeaderContentType, "application/pdf")
	c.Response().WriteHeader(http.StatusOK)
	_, err = io.Copy(c.Response(), rc)
	return err
}

// noDocument is the 404 for an order of the caller's that has no document doc, saying why.
func noDocument(o shop.Order, doc string) error {
	switch {
	case doc == shop.DocCreditNote && o.Status != shop.StatusCancelled:
		return shop.Errorf(shop.CodeNotFound, "no credit note: the order is not cancelled")
	case o.Status == shop.StatusPendingPayment:
		return shop.Errorf(shop.CodeNotFound, "no invoice yet: the order awaits payment")
	}
	return shop.Errorf(shop.CodeNotFound, "no %s: the order was never paid", docName(doc))
}

func docName(doc string) string {
	if doc == shop.DocCreditNote {
		return "credit note"
	}
	return "invoice"
}
