package httpapi

import (
	"net/http"

	"github.com/klauspost/compress/gzhttp"
)

// compressedTypes are the responses `shop serve` gzips, as CloudFront compresses them in AWS:
// text, scripts, styles, JSON, YAML and SVG. Pictures and PDFs are compressed already.
var compressedTypes = []string{
	"text/html", "text/css", "text/plain", "text/javascript", "application/javascript",
	"application/json", "application/yaml", "image/svg+xml", "application/manifest+json",
}

// Compress gzips h's responses of compressedTypes for clients that accept gzip, from
// gzhttp.DefaultMinSize (1 KiB) up: smaller bodies gain nothing. Responses carry
// Vary: Accept-Encoding, so caches keep both forms apart.
func Compress(h http.Handler) (http.Handler, error) {
	wrap, err := gzhttp.NewWrapper(gzhttp.ContentTypes(compressedTypes))
	if err != nil {
		return nil, err
	}
	return wrap(h), nil
}
