package httpapi

import (
	"net/http"

	"github.com/klauspost/compress/gzhttp"
	"github.com/labstack/echo/v4"

	"github.com/shopstack/shopstack/app/shop"
)

// compressedTypes are the responses `shop serve` gzips, as CloudFront compresses them in AWS:
// text, scripts, styles, JSON, YAML and SVG. Pictures and PDFs are compressed already.
var compressedTypes = []string{
	"text/html", "text/css", "text/plain", "text/javascript", "application/javascript",
	"application/json", "application/yaml", "image/svg+xml", "application/manifest+json",
}

// Compress gzips h's responses of compressedTypes for clients that accept gzip, from
// gzhttp.DefaultMinSize (1 KiB) up: smaller bodies gain nothing. Responses carry
// Vary: Accept-Encoding, so caches keep both forms apart. A response that carries a secret is
// sent as it is (orderJSON).
func Compress(h http.Handler) (http.Handler, error) {
	wrap, err := gzhttp.NewWrapper(gzhttp.ContentTypes(compressedTypes))
	if err != nil {
		return nil, err
	}
	return wrap(h), nil
}

// orderJSON answers with an order. An order carrying its payment's client secret is kept out
// of gzip (BREACH): its JSON also holds what the shopper sent (the address, the lines), and the
// compressed length of a secret next to text an attacker can influence and watch on the wire
// tells the secret apart byte by byte. Compress honours gzhttp.HeaderNoCompression and strips
// it from the response.
func orderJSON(c echo.Context, status int, o shop.Order) error {
	if o.Payment != nil && o.Payment.ClientSecret != "" {
		c.Response().Header().Set(gzhttp.HeaderNoCompression, "1")
	}
	return c.JSON(status, o)
}
