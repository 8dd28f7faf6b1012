package httpapi

import (
	"context"
	"fmt"
	"net/http"
	"net/netip"
	"strings"

	"github.com/labstack/echo/v4"
)

// CheckClientIPHeader reports whether name can be Config.ClientIPHeader: a header field name
// (letters, digits, '-'), and not X-Forwarded-For, which the default extraction already reads
// hop by hop and whose list would never parse as one address.
func CheckClientIPHeader(name string) error {
	if name == "" {
		return nil
	}
	for _, r := range name {
		if (r < 'a' || r > 'z') && (r < 'A' || r > 'Z') && (r < '0' || r > '9') && r != '-' {
			return fmt.Errorf("header %q is not a header name (letters, digits and '-' only)", name)
		}
	}
	if http.CanonicalHeaderKey(name) == echo.HeaderXForwardedFor {
		return fmt.Errorf("header %q: X-Forwarded-For is what the default (unset) already reads", name)
	}
	return nil
}

// ClientIPExtractor is how the service finds a request's client address, for login throttling
// and request logs. Without a header (""), it is the right-most address of X-Forwarded-For that
// is not private, loopback or link-local, or the TCP peer.
//
// With a header (behind CloudFront, the X-Viewer-Ip that the distribution's function overwrites
// with the viewer's address), that header's value is the client IP, because X-Forwarded-For's
// right-most public hop there is a CloudFront edge shared by every shopper it serves. The value
// is believed only when the TCP peer is a private or loopback address (the load balancer; a
// client on the internet could send anything) and when it is exactly one IP address; otherwise
// the default applies.
func ClientIPExtractor(header string) echo.IPExtractor {
	fallback := echo.ExtractIPFromXFFHeader()
	if header == "" {
		return fallback
	}
	return func(r *http.Request) string {
		if !trustedPeer(r) {
			return fallback(r)
		}
		values := r.Header.Values(header)
		if len(values) != 1 {
			return fallback(r)
		}
		ip, err := netip.ParseAddr(strings.TrimSpace(values[0]))
		if err != nil || ip.Zone() != "" {
			return fallback(r)
		}
		return ip.Unmap().String()
	}
}

type trustedPeerKey struct{}

// WithTrustedPeer marks the requests carrying ctx as coming from the service's own proxy although
// their peer address is public. A Lambda Function URL with AWS_IAM auth is invoked only by the
// CloudFront distribution (through Origin Access Control), and its peer, the event's sourceIp, is a
// public CloudFront edge address: without the mark its proxy headers (ClientIPHeader,
// ViewerHostHeader) would be ignored and every shopper would share the edge's address.
func WithTrustedPeer(ctx context.Context) context.Context {
	return context.WithValue(ctx, trustedPeerKey{}, true)
}

// trustedPeer reports whether r's proxy headers are believed: its peer is private or loopback (the
// load balancer), or the transport vouched for it (WithTrustedPeer).
func trustedPeer(r *http.Request) bool {
	if v, _ := r.Context().Value(trustedPeerKey{}).(bool); v {
		return true
	}
	return privatePeer(r.RemoteAddr)
}

// privatePeer reports whether remoteAddr (host:port, as net/http sets it) is a private or
// loopback address.
func privatePeer(remoteAddr string) bool {
	var ip netip.Addr
	if ap, err := netip.ParseAddrPort(remoteAddr); err == nil {
		ip = ap.Addr()
	} else if a, err := netip.ParseAddr(remoteAddr); err == nil {
		ip = a
	} else {
		return false
	}
	ip = ip.Unmap()
	return ip.IsLoopback() || ip.IsPrivate()
}
