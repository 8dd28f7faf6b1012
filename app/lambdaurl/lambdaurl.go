// Package lambdaurl serves Lambda Function URL events (payload format 2.0, buffered responses)
// through an ordinary http.Handler, so the shop's Echo application answers them with the same
// routes and middleware as `shop serve`.
//
// A request is rebuilt from the event: method, raw path and query, headers, the `cookies` array as
// one Cookie header, the body (decoded when isBase64Encoded), the peer from
// requestContext.http.sourceIp, and, for a URL with AWS_IAM auth (invoked only through CloudFront's
// Origin Access Control), httpapi.WithTrustedPeer. Function URLs accept HTTPS only, so the
// request is marked as received over TLS. The response's Set-Cookie headers become its
// `cookies`; a body that is not text is base64-encoded.
package lambdaurl

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/base64"
	"fmt"
	"mime"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/events"

	"github.com/shopstack/shopstack/app/httpapi"
)

// MaxBody is the most a Function URL accepts in a buffered request or response (6 MB); larger
// bodies never reach the function.
const MaxBody = 6 << 20

// Serve answers one Function URL event with h.
func Serve(ctx context.Context, h http.Handler, ev events.LambdaFunctionURLRequest) (events.LambdaFunctionURLResponse, error) {
	r, err := Request(ctx, ev)
	if err != nil {
		return events.LambdaFunctionURLResponse{}, err
	}
	w := NewResponseWriter()
	h.ServeHTTP(w, r)
	return w.Response(), nil
}

// Request is the http.Request an event describes, carrying ctx.
func Request(ctx context.Context, ev events.LambdaFunctionURLRequest) (*http.Request, error) {
	body := []byte(ev.Body)
	if ev.IsBase64Encoded {
		var err error
		if body, err = base64.StdEncoding.DecodeString(ev.Body); err != nil {
			return nil, fmt.Errorf("lambdaurl: body: isBase64Encoded but not base64: %w", err)
		}
	}
	method := ev.RequestContext.HTTP.Method
	if method == "" {
		return nil, fmt.Errorf("lambdaurl: event has no requestContext.http.method")
	}
	path := ev.RawPath
	if path == "" {
		path = "/"
	}
	target := path
	if ev.RawQueryString != "" {
		target += "?" + ev.RawQueryString
	}
	if ev.RequestContext.Authorizer != nil && ev.RequestContext.Authorizer.IAM != nil {
		ctx = httpapi.WithTrustedPeer(ctx)
	}
	r, err := http.NewRequestWithContext(ctx, method, target, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("lambdaurl: request %s %q: %w", method, target, err)
	}
	r.RequestURI = target
	for k, v := range ev.Headers {
		// The event joins repeated headers with commas, as HTTP allows for all but Set-Cookie
		// (a response header) and Cookie (sent apart, in cookies).
		r.Header.Set(k, v)
	}
	if len(ev.Cookies) > 0 {
		r.Header.Set("Cookie", strings.Join(ev.Cookies, "; "))
	}
	r.Host = r.Header.Get("Host")
	if r.Host == "" {
		r.Host = ev.RequestContext.DomainName
	}
	r.Header.Del("Host")
	r.ContentLength = int64(len(body))
	r.Header.Del("Content-Length")
	// A Function URL answers HTTPS only: TLS ended at Lambda's front end, as it ends at an ALB,
	// so the request is marked as received over TLS (Secure cookies; Echo's c.Scheme()).
	r.TLS = &tls.ConnectionState{HandshakeComplete: true, ServerName: r.Host}
	if ip, err := netip.ParseAddr(ev.RequestContext.HTTP.SourceIP); err == nil {
		r.RemoteAddr = net.JoinHostPort(ip.String(), "0")
	}
	if ev.RequestContext.HTTP.Protocol != "" {
		r.Proto = ev.RequestContext.HTTP.Protocol
		if major, minor, ok := http.ParseHTTPVersion(r.Proto); ok {
			r.ProtoMajor, r.ProtoMinor = major, minor
		}
	}
	return r, nil
}

// ResponseWriter buffers a response for a Function URL's buffered mode.
type ResponseWriter struct {
	header http.Header
	status int
	body   bytes.Buffer
}

// NewResponseWriter returns an empty ResponseWriter.
func NewResponseWriter() *ResponseWriter { return &ResponseWriter{header: http.Header{}} }

// Header implements http.ResponseWriter.
func (w *ResponseWriter) Header() http.Header { return w.header }

// WriteHeader implements http.ResponseWriter; only the first call counts, as in net/http.
func (w *ResponseWriter) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
}

// Write implements http.ResponseWriter.
func (w *ResponseWriter) Write(p []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	if w.body.Len()+len(p) > MaxBody {
		return 0, fmt.Errorf("lambdaurl: response body over %d bytes, the Function URL's limit", MaxBody)
	}
	return w.body.Write(p)
}

// Flush implements http.Flusher as a no-op: a buffered response is sent whole.
func (w *ResponseWriter) Flush() {}

// Response is the event answer: status, headers (repeated values joined with ", "), the
// Set-Cookie values as cookies, and the body, base64-encoded unless it is text.
func (w *ResponseWriter) Response() events.LambdaFunctionURLResponse {
	status := w.status
	if status == 0 {
		status = http.StatusOK
	}
	res := events.LambdaFunctionURLResponse{StatusCode: status, Headers: map[string]string{}}
	for k, vs := range w.header {
		if k == "Set-Cookie" {
			res.Cookies = append(res.Cookies, vs...)
			continue
		}
		res.Headers[k] = strings.Join(vs, ", ")
	}
	if w.body.Len() == 0 {
		return res
	}
	if isText(w.header, w.body.Bytes()) {
		res.Body = w.body.String()
	} else {
		res.Body = base64.StdEncoding.EncodeToString(w.body.Bytes())
		res.IsBase64Encoded = true
	}
	return res
}

// isText reports whether a body can travel as a JSON string unchanged: not content-encoded
// (gzip is binary), of a textual media type, and valid UTF-8.
func isText(h http.Header, body []byte) bool {
	if enc := h.Get("Content-Encoding"); enc != "" && !strings.EqualFold(enc, "identity") {
		return false
	}
	mt, _, err := mime.ParseMediaType(h.Get("Content-Type"))
	if err != nil {
		return false
	}
	textual := strings.HasPrefix(mt, "text/") || strings.HasSuffix(mt, "+json") || strings.HasSuffix(mt, "+xml") ||
		mt == "application/json" || mt == "application/javascript" || mt == "application/xml" ||
		mt == "application/yaml" || mt == "application/x-yaml" || mt == "application/problem+json"
	return textual && utf8.Valid(body)
}
