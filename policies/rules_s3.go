package policies

import "strings"

var s3PublicAccessBlock = &Rule{
	ID:        "s3-public-access-block",
	Title:     "Every bucket has a public access block with all four flags on",
	Rationale: "A bucket policy or ACL mistake must not make objects public; the block overrides both.",
	Control:   "S3.8",
	Level:     Mandatory,
	CheckStack: func(c *Check, s *Stack) {
		flags := []string{"blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"}
		for _, pab := range s.Of(tBucketPAB) {
			for _, f := range flags {
				c.Bool(pab, f, true, false, "public access block flag")
			}
		}
		for _, b := range s.Of(tBucket) {
			if len(s.Referencing(b, tBucketPAB, "bucket")) == 0 {
				c.Fail(b, "no BucketPublicAccessBlock refers to this bucket")
			}
		}
	},
}

var s3NoACLs = &Rule{
	ID:        "s3-no-acls",
	Title:     "Buckets use BucketOwnerEnforced object ownership (ACLs disabled)",
	Rationale: "ACLs grant access outside the bucket policy; with ACLs disabled the policy is the only access path.",
	Control:   "S3.12",
	Level:     Mandatory,
	Types:     append(append(append(Tokens{}, tBucketOwnership...), tBucketACL...), tBucket...),
	Check: func(c *Check, r Resource) {
		switch {
		case tBucketACL.Has(r.Type):
			c.Fail(r, "bucket ACL resource: manage access with the bucket policy and BucketOwnerEnforced ownership")
		case tBucketOwnership.Has(r.Type):
			v := r.Get("rule.objectOwnership")
			switch s, _ := v.Str(); {
			case v.State == Unknown:
				c.Unknown(r, "rule.objectOwnership")
			case s != "BucketOwnerEnforced":
				c.Fail(r, "rule.objectOwnership is %q, want BucketOwnerEnforced", s)
			}
		default: // the legacy Bucket's inline acl; absent means BucketOwnerEnforced (AWS default since 2023)
			v := r.Get("acl")
			if s, _ := v.Str(); v.State == Known && s != "private" {
				c.Fail(r, "acl is %q: a canned ACL opens access outside the bucket policy", s)
			} else if v.State == Unknown {
				c.Unknown(r, "acl")
			}
		}
	},
}

var s3TLSOnly = &Rule{
	ID:        "s3-tls-only",
	Title:     "Every bucket policy denies requests without TLS",
	Rationale: "Without an explicit deny on aws:SecureTransport=false, clients may read and write over plain HTTP.",
	Control:   "S3.5",
	Level:     Mandatory,
	CheckStack: func(c *Check, s *Stack) {
		for _, b := range s.Of(tBucket) {
			// Policy documents that govern b: BucketPolicy resources and the legacy inline policy.
			docs := s.Referencing(b, tBucketPolicy, "bucket")
			if b.Get("policy").State != Absent {
				docs = append(docs, b)
			}
			if len(docs) == 0 {
				c.Fail(b, "no bucket policy refers to this bucket, so nothing denies plain-HTTP requests")
				continue
			}
			denied, unknown := false, false
			for _, d := range docs {
				v := d.Get("policy")
				if v.State == Unknown {
					unknown = true
					c.Unknown(d, "policy")
					continue
				}
				sts, err := parseStatements(v)
				if err != nil {
					c.Fail(d, "policy: %v", err)
					continue
				}
				for _, st := range sts {
					denied = denied || st.deniesInsecureTransport()
				}
			}
			if !denied && !unknown {
				c.Fail(b, "the bucket policy has no Deny statement with Bool aws:SecureTransport=false")
			}
		}
	},
}

var s3NoPublicPolicy = &Rule{
	ID:        "s3-no-public-policy",
	Title:     "Bucket policies grant nothing to everyone without a condition",
	Rationale: "An Allow for Principal * without a condition (e.g. aws:SourceArn of the distribution) makes the bucket public.",
	Control:   "S3.2",
	Level:     Mandatory,
	Types:     append(append(Tokens{}, tBucketPolicy...), tBucket...),
	Check: func(c *Check, r Resource) {
		v := r.Get("policy")
		switch v.State {
		case Absent:
			return
		case Unknown:
			c.Unknown(r, "policy")
			return
		}
		sts, err := parseStatements(v)
		if err != nil {
			c.Fail(r, "policy: %v", err)
			return
		}
		for i, st := range sts {
			if strings.EqualFold(st.Effect, "Allow") && st.publicPrincipal() && len(st.Condition) == 0 {
				c.Fail(r, "statement %d allows %v to everyone (Principal *) without a condition", i, st.Actions)
			}
		}
	},
}

var s3Lifecycle = &Rule{
	ID:    "s3-versioned-lifecycle",
	Title: "Versioned buckets (the media bucket) have a lifecycle that expires noncurrent versions and aborts incomplete uploads",
	Rationale: "Versioning keeps every overwritten or deleted object forever; without expiry and multipart cleanup " +
		"the bucket's cost only grows.",
	Control: "S3.10",
	Level:   Mandatory,
	CheckStack: func(c *Check, s *Stack) {
		for _, b := range s.Of(tBucket) {
			versioned, unknown := bucketVersioned(s, b)
			if unknown {
				c.Unknown(b, "versioning status")
				continue
			}
			if !versioned {
				continue
			}
			lcs := s.Referencing(b, tBucketLifecycle, "bucket")
			var rules []Value
			unknownRules := false
			for _, lc := range lcs {
				v := lc.Get("rules")
				if v.State == Unknown {
					c.Unknown(lc, "rules")
					unknownRules = true
				}
				rules = append(rules, v.Items()...)
			}
			if unknownRules {
				continue
			}
			rules = append(rules, b.Get("lifecycleRules").Items()...)
			noncurrent, multipart := false, false
			for _, rule := range rules {
				if st, _ := rule.Field("status").Str(); st != "" && st != "Enabled" {
					continue
				}
				if on, ok := rule.Field("enabled").Bool(); ok && !on {
					continue
				}
				noncurrent = noncurrent || rule.Field("noncurrentVersionExpiration").State == Known
				multipart = multipart || rule.Field("abortIncompleteMultipartUpload").State == Known ||
					rule.Field("abortIncompleteMultipartUploadDays").State == Known
			}
			if !noncurrent {
				c.Fail(b, "versioned bucket without an enabled lifecycle rule expiring noncurrent versions")
			}
			if !multipart {
				c.Fail(b, "versioned bucket without an enabled lifecycle rule aborting incomplete multipart uploads")
			}
		}
	},
}

// bucketVersioned reports whether b has versioning enabled (inline or through a
// versioning resource that refers to it).
func bucketVersioned(s *Stack, b Resource) (versioned, unknown bool) {
	if v := b.Get("versioning.enabled"); v.State == Unknown {
		return false, true
	} else if on, _ := v.Bool(); on {
		return true, false
	}
	for _, vr := range s.Referencing(b, tBucketVersioning, "bucket") {
		v := vr.Get("versioningConfiguration.status")
		if v.State == Unknown {
			return false, true
		}
		if st, _ := v.Str(); st == "Enabled" {
			return true, false
		}
	}
	return false, false
}
