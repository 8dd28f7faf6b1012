package policies

import (
	"fmt"
	"slices"
	"strings"
)

// behaviors are a distribution's cache behaviors with their input paths.
func behaviors(r Resource) map[string]Value {
	out := map[string]Value{"defaultCacheBehavior": r.Get("defaultCacheBehavior")}
	if ob := r.Get("orderedCacheBehaviors"); ob.State == Unknown {
		out["orderedCacheBehaviors"] = ob
	}
	for _, b := range r.Get("orderedCacheBehaviors").Items() {
		p, _ := b.Field("pathPattern").Str()
		out["orderedCacheBehaviors["+p+"]"] = b
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

var cloudfrontHTTPS = &Rule{
	ID:        "cloudfront-viewer-https",
	Title:     "Every CloudFront cache behavior redirects HTTP to HTTPS or is HTTPS-only",
	Rationale: "Viewers must never exchange cookies, tokens or pages over plain HTTP.",
	Control:   "CloudFront.3",
	Level:     Mandatory,
	Types:     tDistribution,
	Check: func(c *Check, r Resource) {
		bs := behaviors(r)
		for _, path := range sortedKeys(bs) {
			v := bs[path].Field("viewerProtocolPolicy")
			switch s, _ := v.Str(); {
			case bs[path].State == Unknown || v.State == Unknown:
				c.Unknown(r, path+".viewerProtocolPolicy")
			case s != "redirect-to-https" && s != "https-only":
				c.Fail(r, "%s.viewerProtocolPolicy is %q", path, s)
			}
		}
	},
}

var modernViewerTLS = []string{"TLSv1.2_2021", "TLSv1.2_2025", "TLSv1.3_2025"}

// cloudfrontTLS is CloudFront.15, whose parameter is exactly modernViewerTLS and which, like this rule, judges only
// distributions with a custom certificate; the default certificate is cloudfront-custom-certificate's finding.
var cloudfrontTLS = &Rule{
	ID:        "cloudfront-viewer-tls",
	Title:     "A distribution with its own certificate requires TLS 1.2 (2021 policy) or newer",
	Rationale: "Older security policies allow TLS 1.0/1.1 and weak ciphers.",
	Control:   "CloudFront.15",
	Level:     Mandatory,
	Types:     tDistribution,
	Check: func(c *Check, r Resource) {
		vc := r.Get("viewerCertificate")
		if vc.State == Unknown {
			c.Unknown(r, "viewerCertificate")
			return
		}
		if def, _ := vc.Field("cloudfrontDefaultCertificate").Bool(); def {
			return
		}
		v := vc.Field("minimumProtocolVersion")
		switch s, _ := v.Str(); {
		case v.State == Unknown:
			c.Unknown(r, "viewerCertificate.minimumProtocolVersion")
		case v.State == Absent:
			c.Fail(r, "viewerCertificate.minimumProtocolVersion is not set and AWS defaults it to TLSv1")
		case !slices.Contains(modernViewerTLS, s):
			c.Fail(r, "viewerCertificate.minimumProtocolVersion is %q, want one of %v", s, modernViewerTLS)
		}
	},
}

// cloudfrontCustomCert is advisory because a custom certificate needs a domain: a stack without one is served on
// its *.cloudfront.net name, which only the default certificate covers.
var cloudfrontCustomCert = &Rule{
	ID:    "cloudfront-custom-certificate",
	Title: "Distributions serve their own certificate, not the *.cloudfront.net default",
	Rationale: "The default certificate still negotiates TLS 1.0 and serves the shop under a cloudfront.net name; " +
		"a certificate of the shop's domain allows a TLS 1.2 minimum (cloudfront-viewer-tls).",
	Control: "CloudFront.7",
	Level:   Advisory,
	Types:   tDistribution,
	Check: func(c *Check, r Resource) {
		vc := r.Get("viewerCertificate")
		if vc.State == Unknown {
			c.Unknown(r, "viewerCertificate")
			return
		}
		def, _ := vc.Field("cloudfrontDefaultCertificate").Bool()
		none := vc.Field("acmCertificateArn").State == Absent && vc.Field("iamCertificateId").State == Absent
		if def || none {
			c.Fail(r, "uses the *.cloudfront.net default certificate, which still negotiates TLS 1.0; "+
				"configure a domain to get a certificate with a TLS 1.2 minimum")
		}
	},
}

// customOrigin is the connection settings of one custom or VPC origin, with its input path.
type customOrigin struct {
	path      string
	cfg       Value
	protocols Value
}

// customOrigins are the origins CloudFront reaches over HTTP(S) rather than through S3: a VPC origin's endpoint
// and a distribution's custom origins.
func customOrigins(r Resource) []customOrigin {
	var out []customOrigin
	if tVpcOrigin.Has(r.Type) {
		cfg := r.Get("vpcOriginEndpointConfig")
		out = append(out, customOrigin{"vpcOriginEndpointConfig", cfg, cfg.Path("originSslProtocols.items")})
	}
	for i, o := range r.Get("origins").Items() {
		if cfg := o.Field("customOriginConfig"); cfg.State != Absent {
			out = append(out, customOrigin{fmt.Sprintf("origins[%d].customOriginConfig", i), cfg, cfg.Field("originSslProtocols")})
		}
	}
	return out
}

var cloudfrontOriginTLS = &Rule{
	ID:        "cloudfront-origin-tls",
	Title:     "Custom and VPC origins never offer deprecated SSL/TLS versions",
	Rationale: "SSLv3, TLS 1.0 and 1.1 between the edge and the origin are breakable.",
	Control:   "CloudFront.10",
	Level:     Mandatory,
	Types:     append(append(Tokens{}, tDistribution...), tVpcOrigin...),
	Check: func(c *Check, r Resource) {
		for _, o := range customOrigins(r) {
			protos, unknown := o.protocols.Strings()
			if unknown {
				c.Unknown(r, o.path+".originSslProtocols")
			}
			for _, p := range protos {
				if p == "SSLv3" || p == "TLSv1" || p == "TLSv1.1" {
					c.Fail(r, "%s.originSslProtocols includes %s", o.path, p)
				}
			}
		}
	},
}

// cloudfrontOriginHTTPS is advisory: the stacks reach the API's internal load balancer through a VPC origin, inside
// the VPC, and HTTPS to it needs a certificate of a domain, which a stack without a domain does not have. The
// control's other failing case, match-viewer behind a behavior that allows HTTP, cannot occur while
// cloudfront-viewer-https holds.
var cloudfrontOriginHTTPS = &Rule{
	ID:        "cloudfront-origin-https",
	Title:     "Custom and VPC origins are reached over HTTPS",
	Rationale: "Between the edge and the origin, plain HTTP carries the shop's cookies, tokens and pages unencrypted.",
	Control:   "CloudFront.9",
	Level:     Advisory,
	Types:     append(append(Tokens{}, tDistribution...), tVpcOrigin...),
	Check: func(c *Check, r Resource) {
		for _, o := range customOrigins(r) {
			v := o.cfg.Field("originProtocolPolicy")
			switch pp, _ := v.Str(); {
			case o.cfg.State == Unknown || v.State == Unknown:
				c.Unknown(r, o.path+".originProtocolPolicy")
			case pp == "http-only":
				c.Fail(r, "%s: the origin is reached over plain HTTP (originProtocolPolicy http-only)", o.path)
			}
		}
	},
}

var cloudfrontOAC = &Rule{
	ID:        "cloudfront-s3-oac",
	Title:     "S3 origins use Origin Access Control, not a legacy origin access identity or a public bucket",
	Rationale: "OAC signs every origin request with SigV4 so the bucket can stay private and accept only this distribution.",
	Control:   "CloudFront.13",
	Level:     Mandatory,
	Types:     tDistribution,
	Check: func(c *Check, r Resource) {
		for i, o := range r.Get("origins").Items() {
			s3cfg := o.Field("s3OriginConfig")
			if oai, _ := s3cfg.Field("originAccessIdentity").Str(); oai != "" {
				c.Fail(r, "origins[%d] uses a legacy origin access identity; use Origin Access Control", i)
				continue
			}
			dom := o.Field("domainName")
			name, _ := dom.Str()
			isS3 := s3cfg.State == Known || strings.Contains(name, ".s3.") || strings.Contains(name, ".s3-")
			oac := o.Field("originAccessControlId")
			custom := o.Field("customOriginConfig").State != Absent || o.Field("vpcOriginConfig").State != Absent
			switch {
			case oac.State != Absent || custom: // an OAC is attached (its id may be unknown), or not an S3 origin
			case dom.State == Unknown && s3cfg.State == Absent:
				c.Unknown(r, "origins.domainName")
			case isS3:
				c.Fail(r, "origins[%d] (%s) is an S3 origin without originAccessControlId", i, name)
			}
		}
	},
}

// Managed response-headers policy "SecurityHeadersPolicy" (AWS documented id).
const managedSecurityHeadersPolicy = "67f7725c-6f97-4210-82d7-5512b31e9d03"

var cloudfrontSecurityHeaders = &Rule{
	ID:    "cloudfront-security-headers",
	Title: "Every cache behavior adds security headers (HSTS, nosniff, frame options, referrer policy)",
	Rationale: "The headers stop downgrade, MIME sniffing and clickjacking attacks for every response, " +
		"including API errors.",
	Level: Mandatory,
	CheckStack: func(c *Check, s *Stack) {
		for _, d := range s.Of(tDistribution) {
			bs := behaviors(d)
			for _, path := range sortedKeys(bs) {
				v := bs[path].Field("responseHeadersPolicyId")
				switch id, _ := v.Str(); {
				case v.State == Absent:
					c.Fail(d, "%s has no responseHeadersPolicyId", path)
				case v.State == Unknown && len(respPolicies(s, d)) == 0:
					c.Unknown(d, path+".responseHeadersPolicyId")
				case v.State == Known && id != managedSecurityHeadersPolicy && len(respPolicies(s, d)) == 0:
					c.Fail(d, "%s.responseHeadersPolicyId %q is neither a policy in this stack nor the managed SecurityHeadersPolicy", path, id)
				}
			}
			for _, p := range respPolicies(s, d) {
				sh := p.Get("securityHeadersConfig")
				if sh.State == Unknown {
					c.Unknown(p, "securityHeadersConfig")
					continue
				}
				for _, h := range []string{"strictTransportSecurity", "contentTypeOptions", "frameOptions", "referrerPolicy"} {
					if sh.Field(h).State == Absent {
						c.Fail(p, "securityHeadersConfig.%s is not set", h)
					}
				}
			}
		}
	},
}

func respPolicies(s *Stack, d Resource) []Resource {
	var out []Resource
	seen := map[string]bool{}
	for _, prop := range []string{"defaultCacheBehavior", "orderedCacheBehaviors"} {
		for _, p := range s.Deps(d, prop) {
			if tRespHeadersPolicy.Has(p.Type) && !seen[p.URN] {
				seen[p.URN] = true
				out = append(out, p)
			}
		}
	}
	return out
}

var cloudfrontRootObject = &Rule{
	ID:        "cloudfront-default-root-object",
	Title:     "Distributions set a default root object",
	Rationale: "Without it a request for / lists or errors on the origin instead of serving the site.",
	Control:   "CloudFront.1",
	Level:     Mandatory,
	Types:     tDistribution,
	Check: func(c *Check, r Resource) {
		v := r.Get("defaultRootObject")
		if v.State == Unknown {
			c.Unknown(r, "defaultRootObject")
		} else if s, _ := v.Str(); s == "" {
			c.Fail(r, "defaultRootObject is not set")
		}
	},
}

var cloudfrontLogging = &Rule{
	ID:        "cloudfront-logging",
	Title:     "Distributions log requests",
	Rationale: "Access logs are the record of who fetched what; optional for cost in small stacks.",
	Control:   "CloudFront.5",
	Level:     Advisory,
	CheckStack: func(c *Check, s *Stack) {
		for _, d := range s.Of(tDistribution) {
			if d.Get("loggingConfig").State != Absent || loggedThroughDelivery(s, d) {
				continue
			}
			c.Fail(d, "no loggingConfig and no CloudWatch log delivery of its ACCESS_LOGS (standard logging v2)")
		}
	},
}

// loggedThroughDelivery reports whether d's access logs go out through standard logging v2: a delivery source
// computed from d with logType ACCESS_LOGS, and a delivery computed from that source.
func loggedThroughDelivery(s *Stack, d Resource) bool {
	for _, src := range s.Referencing(d, tLogDeliverySource, "resourceArn") {
		if t, _ := src.Get("logType").Str(); t != "ACCESS_LOGS" {
			continue
		}
		if len(s.Referencing(src, tLogDelivery, "deliverySourceName")) > 0 {
			return true
		}
	}
	return false
}

var elbHTTPSRedirect = &Rule{
	ID:        "elb-http-redirect",
	Title:     "HTTP listeners redirect to HTTPS when the load balancer has a certificate",
	Rationale: "Plain-HTTP listeners next to an HTTPS one let clients bypass TLS.",
	Control:   "ELB.1",
	Level:     Mandatory,
	CheckStack: func(c *Check, s *Stack) {
		for _, lb := range s.Of(tLoadBalancer) {
			listeners := s.Referencing(lb, tListener, "loadBalancerArn")
			hasHTTPS := false
			for _, l := range listeners {
				if p, _ := l.Get("protocol").Str(); p == "HTTPS" {
					hasHTTPS = true
				}
			}
			for _, l := range listeners {
				proto := l.Get("protocol")
				if proto.State == Unknown {
					c.Unknown(l, "protocol")
					continue
				}
				if p, _ := proto.Str(); p != "HTTP" && proto.State != Absent {
					continue
				}
				acts := l.Get("defaultActions")
				if acts.State == Unknown {
					c.Unknown(l, "defaultActions")
					continue
				}
				redirects := false
				for _, a := range acts.Items() {
					t, _ := a.Field("type").Str()
					p, _ := a.Path("redirect.protocol").Str()
					redirects = redirects || (t == "redirect" && p == "HTTPS")
				}
				switch {
				case redirects:
				case hasHTTPS:
					c.Fail(l, "HTTP listener does not redirect to HTTPS although the load balancer has an HTTPS listener")
				default:
					c.Advise(l, "the load balancer serves plain HTTP only (no certificate configured)")
				}
			}
		}
	},
}

func applicationLB(r Resource) bool {
	t, _ := r.Get("loadBalancerType").Str()
	return t == "" || t == "application"
}

var elbDropInvalidHeaders = &Rule{
	ID:        "elb-drop-invalid-headers",
	Title:     "Application load balancers drop invalid HTTP header fields",
	Rationale: "Malformed headers are a request-smuggling vector toward the targets.",
	Control:   "ELB.4",
	Level:     Mandatory,
	Types:     tLoadBalancer,
	Check: func(c *Check, r Resource) {
		if applicationLB(r) {
			c.Bool(r, "dropInvalidHeaderFields", true, false, "invalid header fields reach the targets")
		}
	},
}

var elbDesync = &Rule{
	ID:        "elb-desync-mitigation",
	Title:     "Application load balancers use defensive or strictest desync mitigation",
	Rationale: "Monitor mode forwards ambiguous requests that enable HTTP desync attacks.",
	Control:   "ELB.12",
	Level:     Mandatory,
	Types:     tLoadBalancer,
	Check: func(c *Check, r Resource) {
		if !applicationLB(r) {
			return
		}
		v := r.Get("desyncMitigationMode")
		switch s, _ := v.Str(); {
		case v.State == Unknown:
			c.Unknown(r, "desyncMitigationMode")
		case v.State == Absent: // AWS default: defensive
		case s != "defensive" && s != "strictest":
			c.Fail(r, "desyncMitigationMode is %q", s)
		}
	},
}

var elbTLSPolicy = &Rule{
	ID:        "elb-tls-policy",
	Title:     "HTTPS listeners use a TLS 1.3 security policy",
	Rationale: "The default ELBSecurityPolicy-2016-08 still allows TLS 1.0 and CBC ciphers.",
	Control:   "ELB.17",
	Level:     Mandatory,
	Types:     tListener,
	Check: func(c *Check, r Resource) {
		if p, _ := r.Get("protocol").Str(); p != "HTTPS" && p != "TLS" {
			return
		}
		v := r.Get("sslPolicy")
		switch s, _ := v.Str(); {
		case v.State == Unknown:
			c.Unknown(r, "sslPolicy")
		case v.State == Absent:
			c.Fail(r, "sslPolicy is not set and AWS defaults it to ELBSecurityPolicy-2016-08")
		case !strings.HasPrefix(s, "ELBSecurityPolicy-TLS13-"):
			c.Fail(r, "sslPolicy %q is not a TLS 1.3 policy", s)
		}
	},
}

var elbDeletionProtection = &Rule{
	ID:             "elb-deletion-protection",
	Title:          "Load balancers in production-grade stacks have deletion protection",
	Rationale:      "Deleting the load balancer takes the API offline and changes its DNS name.",
	Control:        "ELB.6",
	Level:          Mandatory,
	ProductionOnly: true,
	Types:          tLoadBalancer,
	Check: func(c *Check, r Resource) {
		c.Bool(r, "enableDeletionProtection", true, false, "the load balancer can be deleted")
	},
}

var elbAccessLogs = &Rule{
	ID:        "elb-access-logs",
	Title:     "Load balancers write access logs",
	Rationale: "Access logs are needed to investigate abuse that reached the load balancer.",
	Control:   "ELB.5",
	Level:     Advisory,
	Types:     tLoadBalancer,
	Check: func(c *Check, r Resource) {
		c.Bool(r, "accessLogs.enabled", true, false, "no access logs")
	},
}
