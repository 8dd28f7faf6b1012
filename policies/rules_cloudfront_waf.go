package policies

var cloudfrontWAF = &Rule{
	ID:    "cloudfront-waf",
	Title: "CloudFront distributions in production-grade stacks are protected by a CLOUDFRONT-scope WAF web ACL",
	Rationale: "At the edge the WAF sees the viewer's own address, so IP reputation and rate rules judge the real " +
		"client, and attacks are stopped before they cost origin capacity.",
	Control:        "CloudFront.6",
	Level:          Mandatory,
	ProductionOnly: true,
	CheckStack: func(c *Check, s *Stack) {
		for _, d := range s.Of(tDistribution) {
			switch protected, unknown, why := distributionWAF(s, d); {
			case protected:
			case unknown:
				c.Unknown(d, "webAclId")
			default:
				c.Fail(d, "%s", why)
			}
		}
	},
}

// distributionWAF reports whether distribution d has a web ACL: one of the
// stack's, of CLOUDFRONT scope, or an ARN from outside the stack. unknown:
// webAclId is computed and comes from no web ACL the stack declares.
func distributionWAF(s *Stack, d Resource) (protected, unknown bool, why string) {
	for _, acl := range s.Deps(d, "webAclId") {
		if !tWebACL.Has(acl.Type) {
			continue
		}
		switch v := acl.Get("scope"); v.State {
		case Unknown:
			return false, true, ""
		default:
			if scope, _ := v.Str(); scope != "CLOUDFRONT" {
				return false, false, "webAclId refers to " + acl.Name + ", a web ACL of scope " + scope + "; a distribution needs CLOUDFRONT scope (us-east-1)"
			}
			return true, false, ""
		}
	}
	v := d.Get("webAclId")
	switch id, _ := v.Str(); {
	case v.State == Unknown:
		return false, true, ""
	case id == "":
		return false, false, "webAclId is not set: no WAF web ACL inspects the distribution's requests"
	}
	return true, false, ""
}

// edgeProtected reports whether load balancer lb is internal and reached only
// through VPC origins whose every distribution has a web ACL: then the edge
// ACL has inspected every request before it arrives, and a regional ACL on
// the load balancer would inspect the same requests again.
func edgeProtected(s *Stack, lb Resource) bool {
	if internal, _ := lb.Get("internal").Bool(); !internal {
		return false
	}
	origins := s.Referencing(lb, tVpcOrigin, "vpcOriginEndpointConfig")
	if len(origins) == 0 {
		return false
	}
	for _, vo := range origins {
		dists := s.Referencing(vo, tDistribution, "origins")
		if len(dists) == 0 {
			return false
		}
		for _, d := range dists {
			if protected, _, _ := distributionWAF(s, d); !protected {
				return false
			}
		}
	}
	return true
}
