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

// getInvoice gives an order's owner its invoice: 302 to a short-lived presigned URL when the
// store has them (S3), else the PDF itself; 202 while the job has not made it yet. Anyone
// else's order is a 404, as for GET /api/orders/{id}.
func (a *api) getInvoice(c echo.Context) error {
	id, err := pathID(c, "order")
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	o, err := a.orders.GetOrder(ctx, currentUser(c).ID, id)
	if err != nil {
		return err
	}
	key, ok, err := a.invoices.InvoiceKey(ctx, id, shop.DocInvoice)
	if err != nil {
		return err
	}
	if !ok {
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
	h := c.Response().Header()
	h.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s.pdf"`, o.Number))
	h.Set("Content-Length", fmt.Sprint(obj.Size))
	c.Response().Header().Set(echo.HeaderContentType, "application/pdf")
	c.Response().WriteHeader(http.StatusOK)
	_, err = io.Copy(c.Response(), rc)
	return err
}
