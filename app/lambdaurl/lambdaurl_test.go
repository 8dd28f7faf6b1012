package lambdaurl_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/labstack/echo/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shopstack/shopstack/app/httpapi"
	"github.com/shopstack/shopstack/app/lambdaurl"
)

// event is a Function URL event in the documented payload format 2.0, as JSON, so the test
// reads what Lambda sends rather than a struct the code under test also built.
const event = `{
  "version": "2.0",
  "rawPath": "/api/products/a%2Fb",
  "rawQueryString": "q=red+shoe&category=shoes&q=second",
  "cookies": ["shop_session=abc", "theme=dark"],
  "headers": {"host": "abc.lambda-url.eu-west-1.on.aws", "content-type": "application/json",
              "x-viewer-ip": "198.51.100.7", "accept": "text/html, application/json", "content-length": "999"},
  "requestContext": {
    "accountId": "123456789012", "requestId": "r-1", "domainName": "abc.lambda-url.eu-west-1.on.aws",
    "authorizer": {"iam": {"userArn": "arn:aws:sts::123456789012:assumed-role/x", "accountId": "123456789012"}},
    "http": {"method": "POST", "path": "/api/products/a/b", "protocol": "HTTP/1.1",
             "sourceIp": "203.0.113.9", "userAgent": "curl"}
  },
  "body": "eyJhIjoxfQ==",
  "isBase64Encoded": true
}`

func decode(t *testing.T, s string) events.LambdaFunctionURLRequest {
	t.Helper()
	var ev events.LambdaFunctionURLRequest
	require.NoError(t, json.Unmarshal([]byte(s), &ev))
	return ev
}

func TestRequest(t *testing.T) {
	t.Parallel()
	r, err := lambdaurl.Request(context.Background(), decode(t, event))
	require.NoError(t, err)
	assert.Equal(t, http.MethodPost, r.Method)
	assert.Equal(t, "/api/products/a%2Fb", r.URL.EscapedPath(), "the raw path, escapes kept")
	assert.Equal(t, "/api/products/a/b", r.URL.Path)
	assert.Equal(t, []string{"red shoe", "second"}, r.URL.Query()["q"])
	assert.Equal(t, "shoes", r.URL.Query().Get("category"))
	assert.Equal(t, "abc.lambda-url.eu-west-1.on.aws", r.Host)
	assert.Empty(t, r.Header.Get("Host"))
	assert.Equal(t, "text/html, application/json", r.Header.Get("Accept"))
	assert.Equal(t, "shop_session=abc; theme=dark", r.Header.Get("Cookie"))
	c, err := r.Cookie("theme")
	require.NoError(t, err)
	assert.Equal(t, "dark", c.Value)
	body, err := io.ReadAll(r.Body)
	require.NoError(t, err)
	assert.Equal(t, `{"a":1}`, string(body), "base64 body decoded")
	assert.EqualValues(t, 7, r.ContentLength, "the body's length, not the header's")
	assert.Empty(t, r.Header.Get("Content-Length"))
	assert.Equal(t, "203.0.113.9:0", r.RemoteAddr)
	assert.NotNil(t, r.TLS, "Function URLs are HTTPS only")
	assert.Equal(t, 1, r.ProtoMajor)

	// IAM-authenticated (CloudFront OAC): the viewer header is believed although the peer is public.
	assert.Equal(t, "198.51.100.7", httpapi.ClientIPExtractor("X-Viewer-Ip")(r))
}

func TestRequestWithoutIAMAuthTrustsOnlyTheSourceIP(t *testing.T) {
	t.Parallel()
	ev := decode(t, event)
	ev.RequestContext.Authorizer = nil // a URL with auth type NONE: anyone on the internet
	ev.Body, ev.IsBase64Encoded = `plain`, false
	r, err := lambdaurl.Request(context.Background(), ev)
	require.NoError(t, err)
	assert.Equal(t, "203.0.113.9", httpapi.ClientIPExtractor("X-Viewer-Ip")(r), "the header is the client's own claim")
	body, _ := io.ReadAll(r.Body)
	assert.Equal(t, "plain", string(body))
}

func TestRequestRefusesBadEvents(t *testing.T) {
	t.Parallel()
	ev := decode(t, event)
	ev.Body = "not base64!"
	_, err := lambdaurl.Request(context.Background(), ev)
	assert.ErrorContains(t, err, "isBase64Encoded but not base64")

	ev = decode(t, event)
	ev.RequestContext.HTTP.Method = ""
	_, err = lambdaurl.Request(context.Background(), ev)
	assert.ErrorContains(t, err, "no requestContext.http.method")
}

func TestResponse(t *testing.T) {
	t.Parallel()
	png := []byte{0x89, 'P', 'N', 'G', 0, 1, 2, 0xff}
	tests := []struct {
		name       string
		write      func(w http.ResponseWriter)
		status     int
		body       string
		base64     bool
		headers    map[string]string
		cookies    []string
		noHeaderOf string
	}{
		{"json with cookies", func(w http.ResponseWriter) {
			w.Header().Set("Content-Type", "application/json; charset=UTF-8")
			http.SetCookie(w, &http.Cookie{Name: "a", Value: "1", HttpOnly: true})
			http.SetCookie(w, &http.Cookie{Name: "b", Value: "2"})
			w.Header().Add("Vary", "Origin")
			w.Header().Add("Vary", "Cookie")
			w.WriteHeader(http.StatusCreated)
			_, _ = w.Write([]byte(`{"ok":true}`))
		}, 201, `{"ok":true}`, false, map[string]string{"Vary": "Origin, Cookie"}, []string{"a=1; HttpOnly", "b=2"}, "Set-Cookie"},
		{"binary is base64", func(w http.ResponseWriter) {
			w.Header().Set("Content-Type", "image/png")
			_, _ = w.Write(png)
		}, 200, base64.StdEncoding.EncodeToString(png), true, nil, nil, ""},
		{"gzip is base64 whatever the type", func(w http.ResponseWriter) {
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Content-Encoding", "gzip")
			_, _ = w.Write([]byte("{}"))
		}, 200, base64.StdEncoding.EncodeToString([]byte("{}")), true, nil, nil, ""},
		{"text that is not UTF-8 is base64", func(w http.ResponseWriter) {
			w.Header().Set("Content-Type", "text/plain")
			_, _ = w.Write([]byte{0xff, 0xfe})
		}, 200, base64.StdEncoding.EncodeToString([]byte{0xff, 0xfe}), true, nil, nil, ""},
		{"svg is text", func(w http.ResponseWriter) {
			w.Header().Set("Content-Type", "image/svg+xml")
			_, _ = w.Write([]byte("<svg/>"))
		}, 200, "<svg/>", false, nil, nil, ""},
		{"no body, no status: 200 empty", func(http.ResponseWriter) {}, 200, "", false, nil, nil, ""},
		{"204", func(w http.ResponseWriter) {
			w.WriteHeader(http.StatusNoContent)
			w.WriteHeader(http.StatusInternalServerError)
		}, 204, "", false, nil, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := lambdaurl.NewResponseWriter()
			tt.write(w)
			res := w.Response()
			assert.Equal(t, tt.status, res.StatusCode)
			assert.Equal(t, tt.body, res.Body)
			assert.Equal(t, tt.base64, res.IsBase64Encoded)
			for k, v := range tt.headers {
				assert.Equal(t, v, res.Headers[k], k)
			}
			assert.Equal(t, tt.cookies, res.Cookies)
			if tt.noHeaderOf != "" {
				assert.NotContains(t, res.Headers, tt.noHeaderOf)
			}
		})
	}
}

// TestServeThroughEcho: routing sees the raw path and the route's parameters.
func TestServeThroughEcho(t *testing.T) {
	t.Parallel()
	e := echo.New()
	e.POST("/api/products/:id", func(c echo.Context) error {
		ck, err := c.Cookie("shop_session")
		if err != nil {
			return err
		}
		return c.JSON(http.StatusAccepted, map[string]string{"id": c.Param("id"), "session": ck.Value,
			"ip": c.RealIP(), "q": c.QueryParam("q")})
	})
	e.IPExtractor = httpapi.ClientIPExtractor("X-Viewer-Ip")
	res, err := lambdaurl.Serve(context.Background(), e, decode(t, event))
	require.NoError(t, err)
	require.Equal(t, http.StatusAccepted, res.StatusCode, res.Body)
	assert.JSONEq(t, `{"id":"a%2Fb","session":"abc","ip":"198.51.100.7","q":"red shoe"}`, res.Body)
}
