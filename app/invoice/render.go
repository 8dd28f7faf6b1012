// Package invoice makes an order's PDFs, the invoice when it is placed and the credit note when
// it is cancelled, with github.com/go-pdf/fpdf, and keeps them in the media store under
// invoices/YYYY/MM/ (private: never served at the public /media prefix). The invoice job is
// enqueued by the order's own transaction (a trigger on orders, migration "media_invoices_admin").
package invoice

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/go-pdf/fpdf"

	"github.com/shopstack/shopstack/app/shop"
)

// Key is where the document of kind for o is stored: invoices/YYYY/MM/<number>.pdf for the
// invoice (the month it was placed), invoices/YYYY/MM/<number>-credit.pdf for the credit note
// (the month it was cancelled).
func Key(o shop.InvoiceOrder, kind string) string {
	date, suffix := o.CreatedAt, ""
	if kind == shop.DocCreditNote {
		suffix = "-credit"
		if o.CancelledAt != nil {
			date = *o.CancelledAt
		}
	}
	return fmt.Sprintf("invoices/%04d/%02d/%s%s.pdf", date.Year(), int(date.Month()), o.Number, suffix)
}

// Money formats cents in the order's currency, e.g. "USD 1,234.50".
func Money(cents int64, currency string) string {
	sign := ""
	if cents < 0 {
		sign, cents = "-", -cents
	}
	whole := fmt.Sprint(cents / 100)
	var b strings.Builder
	for i, r := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return fmt.Sprintf("%s%s %s.%02d", sign, currency, b.String(), cents%100)
}

// Render makes the PDF of the document of kind for o, from the shop's identity. A credit note
// shows the same lines with negated totals. The core Helvetica font writes Windows-1252: a
// character outside it (e.g. CJK) prints as '?'.
func Render(shopInfo shop.Identity, o shop.InvoiceOrder, kind string) ([]byte, error) {
	pdf := fpdf.New("P", "mm", "A4", "")
	tr := pdf.UnicodeTranslatorFromDescriptor("")
	title, date, sign := "Invoice", o.CreatedAt, int64(1)
	if kind == shop.DocCreditNote {
		title, sign = "Credit note", -1
		if o.CancelledAt != nil {
			date = *o.CancelledAt
		}
	}
	// A fixed creation date keeps the bytes of a re-rendered document identical.
	// Resource dictionaries in sorted order (fpdf writes them from a map otherwise), so a retried
	// job writes the same bytes.
	pdf.SetCatalogSort(true)
	pdf.SetCreationDate(date)
	pdf.SetModificationDate(date)
	pdf.SetTitle(tr(title+" "+o.Number), false)
	pdf.SetAuthor(tr(shopInfo.Name), false)
	pdf.AddPage()

	pdf.SetFont("Helvetica", "B", 18)
	pdf.CellFormat(0, 10, tr(shopInfo.Name), "", 1, "L", false, 0, "")
	pdf.SetFont("Helvetica", "", 10)
	pdf.MultiCell(0, 5, tr(shopInfo.Address+"\n"+shopInfo.ContactEmail), "", "L", false)
	pdf.Ln(6)

	pdf.SetFont("Helvetica", "B", 14)
	pdf.CellFormat(0, 8, tr(title+" "+o.Number), "", 1, "L", false, 0, "")
	pdf.SetFont("Helvetica", "", 10)
	pdf.CellFormat(0, 5, "Date: "+date.UTC().Format("2006-01-02"), "", 1, "L", false, 0, "")
	if kind == shop.DocCreditNote {
		pdf.CellFormat(0, 5, tr("Cancels invoice "+o.Number+" of "+o.CreatedAt.UTC().Format("2006-01-02")), "", 1, "L", false, 0, "")
	}
	pdf.CellFormat(0, 5, "Order: "+o.ID, "", 1, "L", false, 0, "")
	pdf.Ln(4)

	pdf.SetFont("Helvetica", "B", 10)
	pdf.CellFormat(0, 5, "Bill to / deliver to", "", 1, "L", false, 0, "")
	pdf.SetFont("Helvetica", "", 10)
	pdf.MultiCell(0, 5, tr(addressBlock(o)), "", "L", false)
	pdf.Ln(4)

	lines(pdf, tr, o, sign)
	if err := pdf.Error(); err != nil {
		return nil, fmt.Errorf("invoice: render %s: %w", o.Number, err)
	}
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return nil, fmt.Errorf("invoice: render %s: %w", o.Number, err)
	}
	return buf.Bytes(), nil
}

// addressBlock is the customer and, when the order has one, the delivery address.
func addressBlock(o shop.InvoiceOrder) string {
	parts := []string{o.CustomerName, o.CustomerEmail}
	if a := o.ShippingAddress; a != nil {
		parts = []string{a.Name, a.Line1}
		if a.Line2 != "" {
			parts = append(parts, a.Line2)
		}
		parts = append(parts, strings.TrimSpace(a.PostalCode+" "+a.City))
		if a.Region != "" {
			parts = append(parts, a.Region)
		}
		parts = append(parts, a.Country, o.CustomerEmail)
	}
	return strings.Join(parts, "\n")
}

// lines is the table of the order's lines and its total.
func lines(pdf *fpdf.Fpdf, tr func(string) string, o shop.InvoiceOrder, sign int64) {
	widths := []float64{30, 80, 15, 32, 33}
	pdf.SetFont("Helvetica", "B", 10)
	for i, h := range []string{"SKU", "Item", "Qty", "Unit price", "Amount"} {
		align := "L"
		if i >= 2 {
			align = "R"
		}
		pdf.CellFormat(widths[i], 7, h, "B", 0, align, false, 0, "")
	}
	pdf.Ln(-1)
	pdf.SetFont("Helvetica", "", 10)
	for _, it := range o.Items {
		amount := sign * it.UnitPriceCents * int64(it.Quantity)
		pdf.CellFormat(widths[0], 6, tr(it.SKU), "", 0, "L", false, 0, "")
		pdf.CellFormat(widths[1], 6, tr(it.Name), "", 0, "L", false, 0, "")
		pdf.CellFormat(widths[2], 6, fmt.Sprint(it.Quantity), "", 0, "R", false, 0, "")
		pdf.CellFormat(widths[3], 6, Money(it.UnitPriceCents, o.Currency), "", 0, "R", false, 0, "")
		pdf.CellFormat(widths[4], 6, Money(amount, o.Currency), "", 1, "R", false, 0, "")
	}
	pdf.SetFont("Helvetica", "B", 10)
	pdf.CellFormat(widths[0]+widths[1]+widths[2]+widths[3], 8, "Total", "T", 0, "R", false, 0, "")
	pdf.CellFormat(widths[4], 8, Money(sign*o.TotalCents, o.Currency), "T", 1, "R", false, 0, "")
}
