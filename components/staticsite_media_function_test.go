package components_test

import (
	"testing"

	"github.com/dop251/goja"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shopstack/shopstack/components"
)

// runViewerRequest runs CloudFront Function code (viewer-request) on a request for uri, in goja, an
// ECMAScript interpreter: the function uses only what cloudfront-js-2.0 offers (startsWith, indexOf,
// substring). It returns the request's URI after the function, or the status of the response it answered.
func runViewerRequest(t *testing.T, code, uri string) (string, int) {
	t.Helper()
	vm := goja.New()
	_, err := vm.RunString(code)
	require.NoError(t, err)
	handler, ok := goja.AssertFunction(vm.Get("handler"))
	require.True(t, ok, "the code defines handler")
	out, err := handler(goja.Undefined(), vm.ToValue(map[string]any{"request": map[string]any{"uri": uri}}))
	require.NoError(t, err)
	res := out.Export().(map[string]any)
	if status, ok := res["statusCode"]; ok {
		return "", int(status.(int64))
	}
	return res["uri"].(string), 0
}

// The media function is what keeps invoices and uploads off the CDN before a request reaches the bucket
// (whose policy refuses them too).
func TestMediaPathFunctionRuns(t *testing.T) {
	t.Parallel()
	code := components.MediaPathFunction("/media", "products/")
	for uri, want := range map[string]string{
		"/media/products/7/card-v3.webp": "/products/7/card-v3.webp",
		"/media/products/abc/full.jpg":   "/products/abc/full.jpg",
		"/media/products/":               "/products/",
	} {
		got, status := runViewerRequest(t, code, uri)
		assert.Zero(t, status, uri)
		assert.Equal(t, want, got, uri)
	}
	for _, uri := range []string{
		"/media/invoices/2026/12/SH-000001.pdf",
		"/media/uploads/0b9c5f0e-1d2a-4c3b-9e8f-7a6b5c4d3e2f",
		"/media/products/../invoices/2026/12/SH-000001.pdf",
		"/media/products/7/..",
		"/media/products/x%2F..%2Finvoices", // any "..", encoded or not: image keys never hold one
		"/media/",
		"/media",
		"/mediaproducts/7/card.webp",
		"/media/Products/7/card.webp",
	} {
		got, status := runViewerRequest(t, code, uri)
		assert.Equal(t, 404, status, "%s is not served (got %q)", uri, got)
	}
}
