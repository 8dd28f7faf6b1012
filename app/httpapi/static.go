package httpapi

import (
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/shopstack/shopstack/site"
)

// static serves the storefront build with the headers and caching rules of package site, the
// same contract CloudFront applies in AWS.
type static struct {
	root *os.Root
	// csp is the storefront's Content-Security-Policy: site.ContentSecurityPolicy, or with
	// payments on site.PaymentsContentSecurityPolicy, which also allows Stripe.js.
	csp string
}

func newStatic(dir string, payments bool) (*static, error) {
	// os.Root confines every open to dir: neither ".." nor a symlink can escape it.
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("SHOP_SITE_DIR: %w", err)
	}
	if _, err := root.Stat("index.html"); err != nil {
		return nil, fmt.Errorf("SHOP_SITE_DIR %s has no index.html (run `make site`): %w", dir, err)
	}
	csp := site.ContentSecurityPolicy
	if payments {
		csp = site.PaymentsContentSecurityPolicy
	}
	return &static{root: root, csp: csp}, nil
}

func (s *static) serve(c echo.Context) error {
	urlPath := path.Clean("/" + c.Request().URL.Path)
	name := strings.TrimPrefix(urlPath, "/")
	if name == "" {
		name = "index.html"
	}
	f, err := s.root.Open(name)
	if err == nil {
		if st, serr := f.Stat(); serr != nil || st.IsDir() {
			_ = f.Close()
			f, err = nil, fs.ErrNotExist
		}
	}
	if err != nil {
		if !site.SPAFallback(urlPath) {
			return echo.ErrNotFound
		}
		// A client-side route such as /products/123: the app shell answers it.
		name, urlPath = "index.html", "/index.html"
		if f, err = s.root.Open(name); err != nil {
			return err
		}
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	h := c.Response().Header()
	for k, v := range site.SecurityHeaders() {
		h.Set(k, v)
	}
	h.Set("Content-Security-Policy", s.csp)
	h.Set("Cache-Control", site.CacheControl(urlPath))
	http.ServeContent(c.Response(), c.Request(), name, st.ModTime(), f)
	return nil
}
