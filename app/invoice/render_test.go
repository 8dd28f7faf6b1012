package invoice_test

import (
	"bytes"
	"os/exec"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shopstack/shopstack/app/invoice"
	"github.com/shopstack/shopstack/app/shop"
)

func TestMoney(t *testing.T) {
	t.Parallel()
	for cents, want := range map[int64]string{0: "EUR 0.00", 5: "EUR 0.05", 123456: "EUR 1,234.56", -100000000: "-EUR 1,000,000.00"} {
		assert.Equal(t, want, invoice.Money(cents, "EUR"))
	}
}

func TestRenderReadsBack(t *testing.T) {
	t.Parallel()
	placed := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	cancelled := time.Date(2027, 1, 2, 9, 0, 0, 0, time.UTC)
	o := shop.InvoiceOrder{Order: shop.Order{ID: "0b0e2a4c-0000-4000-8000-000000000001", Number: "SH-000042", Currency: "EUR",
		CreatedAt: placed, TotalCents: 2*1999 + 4599,
		Items: []shop.OrderItem{{SKU: "TEE-CLASSIC", Name: "Classic T-Shirt", Quantity: 2, UnitPriceCents: 1999},
			{SKU: "PAN-CAST", Name: "Crème brûlée pan", Quantity: 1, UnitPriceCents: 4599}},
		ShippingAddress: &shop.ShippingAddress{Name: "Jürgen Müller", Line1: "Hauptstraße 5", City: "Köln", PostalCode: "50667", Country: "DE"}},
		CustomerName: "Jürgen", CustomerEmail: "j@example.com"}
	info := shop.Identity{Name: "Shopstack Demo Store", Address: "1 Example Street\n12345 Example City", ContactEmail: "hello@shop.localhost"}

	assert.Equal(t, "invoices/2026/12/SH-000042.pdf", invoice.Key(o, shop.DocInvoice))
	pdf, err := invoice.Render(info, o, shop.DocInvoice)
	require.NoError(t, err)
	again, err := invoice.Render(info, o, shop.DocInvoice)
	require.NoError(t, err)
	assert.Equal(t, pdf, again, "re-rendering (a retried job) gives the same bytes")
	text := pdfText(t, pdf)
	for _, want := range []string{"Shopstack Demo Store", "12345 Example City", "hello@shop.localhost", "Invoice SH-000042",
		"Date: 2026-12-01", "Jürgen Müller", "Hauptstraße 5", "50667 Köln", "DE", "TEE-CLASSIC", "Crème brûlée pan",
		"EUR 19.99", "EUR 39.98", "EUR 45.99", "EUR 85.97"} {
		assert.Contains(t, text, want)
	}

	o.Status, o.CancelledAt = shop.StatusCancelled, &cancelled
	assert.Equal(t, "invoices/2027/01/SH-000042-credit.pdf", invoice.Key(o, shop.DocCreditNote))
	pdf, err = invoice.Render(info, o, shop.DocCreditNote)
	require.NoError(t, err)
	text = pdfText(t, pdf)
	for _, want := range []string{"Credit note SH-000042", "Date: 2027-01-02", "Cancels invoice SH-000042 of 2026-12-01",
		"-EUR 39.98", "-EUR 85.97"} {
		assert.Contains(t, text, want)
	}
}

func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	cmd := exec.Command("pdftotext", "-layout", "-", "-")
	cmd.Stdin = bytes.NewReader(pdf)
	out, err := cmd.Output()
	require.NoError(t, err, "pdftotext (apt-get install poppler-utils)")
	return string(out)
}
