package httpapi

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/shopstack/shopstack/app/shop"
)

// refuseCrossSite answers 403 cross_site_request to a state-changing request that a browser
// sent on behalf of another site, before any handler runs, body or no body. SameSite=Lax keeps
// the session cookie off cross-site POSTs, but not off same-site ones: a page on a sibling
// subdomain is same-site. So the request's own headers decide, as browsers set them and a
// page cannot:
//
//   - Sec-Fetch-Site other than same-origin or none (cross-site, same-site): refused, unless
//     Origin is one of the configured AllowedOrigins;
//   - Origin present and neither the request's own origin (its scheme and Host) nor an
//     AllowedOrigin: refused, whatever Sec-Fetch-Site says;
//   - neither header (curl, API clients, which cannot carry a victim's cookie): allowed.
//
// Behind CloudFront the Host the service sees is the origin's, not the shop's domain, so the
// deployed shop has the distribution's function pass the viewer's Host in ViewerHostHeader
// (SHOP_VIEWER_HOST_HEADER), or lists its public origin in AllowedOrigins (SHOP_ALLOWED_ORIGINS).
func (a *api) refuseCrossSite(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		switch c.Request().Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
			return next(c)
		}
		// Stripe's webhook deliveries come from Stripe's servers, not from a browser, and each
		// is authenticated by its Stripe-Signature: no cookie is read on this path, so there is
		// nothing a cross-site page could ride on. Only this exact path is exempt.
		if c.Request().URL.Path == stripeWebhookPath {
			return next(c)
		}
		if !a.sameSite(c) {
			return shop.Errorf(shop.CodeCrossSiteRequest, "this request came from another site; state-changing requests are accepted only from the shop's own pages")
		}
		return next(c)
	}
}

func (a *api) sameSite(c echo.Context) bool {
	h := c.Request().Header
	origins := h.Values("Origin")
	if len(origins) > 1 {
		return false
	}
	origin, err := "", error(nil)
	if len(origins) == 1 {
		if origin, err = NormalizeOrigin(origins[0]); err != nil {
			return false // "null" (a sandboxed or privacy-redirected page) or garbage
		}
	}
	listed := origin != "" && a.allowedOrigins[origin]
	switch h.Get("Sec-Fetch-Site") {
	case "", "same-origin", "none":
	default:
		return listed
	}
	if origin == "" || listed {
		return true
	}
	scheme := "http"
	if viaHTTPS(c) {
		scheme = "https"
	}
	own, err := NormalizeOrigin(scheme + "://" + a.ownHost(c.Request()))
	return err == nil && origin == own
}

// ownHost is the host the viewer asked for: the ViewerHostHeader that a private or loopback
// peer (the load balancer behind CloudFront) or a trusted one (WithTrustedPeer) passes on, when it holds exactly one value, else
// the request's Host. A client on the internet cannot choose it.
func (a *api) ownHost(r *http.Request) string {
	if a.viewerHostHeader == "" || !trustedPeer(r) {
		return r.Host
	}
	if values := r.Header.Values(a.viewerHostHeader); len(values) == 1 && strings.TrimSpace(values[0]) != "" {
		return strings.TrimSpace(values[0])
	}
	return r.Host
}

// NormalizeOrigin returns an origin as browsers serialise it in the Origin header
// (scheme://host[:port], lower case, without the scheme's default port), or an error if s is
// not an http or https origin. A trailing "/" is tolerated, any other path is not.
func NormalizeOrigin(s string) (string, error) {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("origin %q: want scheme://host[:port] with scheme http or https", s)
	}
	if u.User != nil || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" || u.Opaque != "" {
		return "", fmt.Errorf("origin %q: want only scheme://host[:port], no user, path, query or fragment", s)
	}
	host, port := strings.ToLower(u.Hostname()), u.Port()
	if host == "" {
		return "", fmt.Errorf("origin %q has no host", s)
	}
	if port != "" {
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
			return "", fmt.Errorf("origin %q: want a port from 1 to 65535", s)
		}
	}
	if (u.Scheme == "https" && port == "443") || (u.Scheme == "http" && port == "80") {
		port = ""
	}
	if port != "" {
		host = net.JoinHostPort(host, port)
	} else if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	return u.Scheme + "://" + host, nil
}

// allowedOrigins normalises the configured origins into a set.
func allowedOrigins(list []string) (map[string]bool, error) {
	set := make(map[string]bool, len(list))
	var errs []error
	for _, o := range list {
		n, err := NormalizeOrigin(o)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		set[n] = true
	}
	return set, errors.Join(errs...)
}
