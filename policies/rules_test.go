package policies_test

import (
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shopstack/shopstack/policies"
)

type expect string

const (
	pass     expect = "pass"    // no finding at all
	fires    expect = "fires"   // at least one violation at the rule's level
	advises  expect = "advises" // advisory violations only
	cantTell expect = "unknown" // cannot-evaluate only
)

type ruleCase struct {
	rule     string
	name     string
	settings *policies.Settings // dev when nil
	rs       []policies.Resource
	want     expect
	on       string // name of the resource the finding is on, when it matters
}

func ruleByID(t *testing.T, id string) *policies.Rule {
	t.Helper()
	for _, r := range policies.All() {
		if r.ID == id {
			return r
		}
	}
	t.Fatalf("no rule %q", id)
	return nil
}

func ruleCases() []ruleCase {
	rs := func(r ...policies.Resource) []policies.Resource { return r }
	p := &prod
	return append([]ruleCase{
		// --- S3 ---------------------------------------------------------------
		{rule: "s3-public-access-block", name: "all four flags", rs: rs(bucket, goodPAB), want: pass},
		{rule: "s3-public-access-block", name: "no block for the bucket", rs: rs(bucket), want: fires, on: "media"},
		{rule: "s3-public-access-block", name: "block joined by id string only", rs: rs(bucket, res(tPAB, "pab", obj{"bucket": "media-123", "blockPublicAcls": true, "blockPublicPolicy": true, "ignorePublicAcls": true, "restrictPublicBuckets": true})), want: fires, on: "media"},
		{rule: "s3-public-access-block", name: "absent flag is false", rs: rs(bucket, dep(res(tPAB, "pab", obj{"blockPublicAcls": true, "blockPublicPolicy": true, "ignorePublicAcls": true}), "bucket", bucket)), want: fires, on: "pab"},
		{rule: "s3-public-access-block", name: "legacy Bucket token too", rs: rs(res(tBucketV1, "old", obj{})), want: fires, on: "old"},
		{rule: "s3-public-access-block", name: "flag unknown", rs: rs(bucket, dep(res(tPAB, "pab", obj{"blockPublicAcls": unknown(), "blockPublicPolicy": true, "ignorePublicAcls": true, "restrictPublicBuckets": true}), "bucket", bucket)), want: cantTell},

		{rule: "s3-no-acls", name: "owner enforced", rs: rs(bucket, res(tOwnership, "own", obj{"rule": obj{"objectOwnership": "BucketOwnerEnforced"}})), want: pass},
		{rule: "s3-no-acls", name: "absent ownership controls is the AWS default", rs: rs(bucket), want: pass},
		{rule: "s3-no-acls", name: "object writer", rs: rs(res(tOwnership, "own", obj{"rule": obj{"objectOwnership": "ObjectWriter"}})), want: fires},
		{rule: "s3-no-acls", name: "acl resource", rs: rs(res(tBucketACL, "acl", obj{"acl": "public-read"})), want: fires},
		{rule: "s3-no-acls", name: "legacy bucket canned acl", rs: rs(res(tBucketV1, "old", obj{"acl": "public-read"})), want: fires},
		{rule: "s3-no-acls", name: "ownership unknown", rs: rs(res(tOwnership, "own", obj{"rule": obj{"objectOwnership": unknown()}})), want: cantTell},

		{rule: "s3-tls-only", name: "deny on SecureTransport false", rs: rs(bucket, goodPolicy), want: pass},
		{rule: "s3-tls-only", name: "no policy", rs: rs(bucket), want: fires, on: "media"},
		{rule: "s3-tls-only", name: "policy without the deny", rs: rs(bucket, dep(res(tBucketPol, "pol", obj{"policy": policyDoc(oacAllow)}), "bucket", bucket)), want: fires, on: "media"},
		{rule: "s3-tls-only", name: "legacy inline policy", rs: rs(res(tBucketV1, "old", obj{"policy": policyDoc(tlsDeny)})), want: pass},
		{rule: "s3-tls-only", name: "policy unknown at preview", rs: rs(bucket, dep(res(tBucketPol, "pol", obj{"policy": unknown()}), "bucket", bucket)), want: cantTell},
		{rule: "s3-tls-only", name: "policy not JSON", rs: rs(bucket, dep(res(tBucketPol, "pol", obj{"policy": "{"}), "bucket", bucket)), want: fires, on: "pol"},

		{rule: "s3-no-public-policy", name: "conditioned service principal", rs: rs(goodPolicy), want: pass},
		{rule: "s3-no-public-policy", name: "public read", rs: rs(res(tBucketPol, "pol", obj{"policy": policyDoc(obj{"Effect": "Allow", "Principal": obj{"AWS": "*"}, "Action": "s3:GetObject", "Resource": "*"})})), want: fires},
		{rule: "s3-no-public-policy", name: "unknown", rs: rs(res(tBucketPol, "pol", obj{"policy": unknown()})), want: cantTell},
		{rule: "s3-no-public-policy", name: "policy not JSON", rs: rs(res(tBucketPol, "pol", obj{"policy": "{not json"})), want: fires},

		{rule: "s3-versioned-lifecycle", name: "unversioned bucket needs none", rs: rs(bucket), want: pass},
		{rule: "s3-versioned-lifecycle", name: "versioned with expiry and abort", rs: rs(bucket, versioning, dep(res(tLifecycle, "lc", obj{"rules": []any{
			obj{"id": "noncurrent", "status": "Enabled", "noncurrentVersionExpiration": obj{"noncurrentDays": 365}},
			obj{"id": "mpu", "status": "Enabled", "abortIncompleteMultipartUpload": obj{"daysAfterInitiation": 7}}}}), "bucket", bucket)), want: pass},
		{rule: "s3-versioned-lifecycle", name: "versioned without lifecycle", rs: rs(bucket, versioning), want: fires, on: "media"},
		{rule: "s3-versioned-lifecycle", name: "expiry without abort", rs: rs(bucket, versioning, dep(res(tLifecycle, "lc", obj{"rules": []any{
			obj{"id": "noncurrent", "status": "Enabled", "noncurrentVersionExpiration": obj{"noncurrentDays": 365}}}}), "bucket", bucket)), want: fires, on: "media"},
		{rule: "s3-versioned-lifecycle", name: "abort without expiry", rs: rs(bucket, versioning, dep(res(tLifecycle, "lc", obj{"rules": []any{
			obj{"id": "mpu", "status": "Enabled", "abortIncompleteMultipartUpload": obj{"daysAfterInitiation": 7}}}}), "bucket", bucket)), want: fires, on: "media"},
		{rule: "s3-versioned-lifecycle", name: "disabled rules do not count", rs: rs(bucket, versioning, dep(res(tLifecycle, "lc", obj{"rules": []any{
			obj{"id": "x", "status": "Disabled", "noncurrentVersionExpiration": obj{"noncurrentDays": 1}, "abortIncompleteMultipartUpload": obj{"daysAfterInitiation": 7}}}}), "bucket", bucket)), want: fires},
		{rule: "s3-versioned-lifecycle", name: "versioning status unknown", rs: rs(bucket, dep(res(tVersioning, "v", obj{"versioningConfiguration": obj{"status": unknown()}}), "bucket", bucket)), want: cantTell},
		{rule: "s3-versioned-lifecycle", name: "lifecycle rules unknown", rs: rs(bucket, versioning, dep(res(tLifecycle, "lc", obj{"rules": unknown()}), "bucket", bucket)), want: cantTell},

		// --- CloudFront ---------------------------------------------------------
		{rule: "cloudfront-viewer-https", name: "redirect everywhere", rs: rs(res(tDist, "cdn", obj{"defaultCacheBehavior": goodBehavior, "orderedCacheBehaviors": []any{with(goodBehavior, obj{"pathPattern": "/api/*", "viewerProtocolPolicy": "https-only"})}})), want: pass},
		{rule: "cloudfront-viewer-https", name: "api behavior allows http", rs: rs(res(tDist, "cdn", obj{"defaultCacheBehavior": goodBehavior, "orderedCacheBehaviors": []any{with(goodBehavior, obj{"pathPattern": "/api/*", "viewerProtocolPolicy": "allow-all"})}})), want: fires},
		{rule: "cloudfront-viewer-https", name: "behavior unknown", rs: rs(res(tDist, "cdn", obj{"defaultCacheBehavior": unknown()})), want: cantTell},

		{rule: "cloudfront-viewer-tls", name: "TLSv1.2_2021 with a certificate", rs: rs(res(tDist, "cdn", obj{"viewerCertificate": obj{"acmCertificateArn": "arn:aws:acm:us-east-1:1:certificate/x", "minimumProtocolVersion": "TLSv1.2_2021", "sslSupportMethod": "sni-only"}})), want: pass},
		{rule: "cloudfront-viewer-tls", name: "TLSv1 with a certificate", rs: rs(res(tDist, "cdn", obj{"viewerCertificate": obj{"acmCertificateArn": "arn", "minimumProtocolVersion": "TLSv1"}})), want: fires},
		{rule: "cloudfront-viewer-tls", name: "absent minimum with a certificate", rs: rs(res(tDist, "cdn", obj{"viewerCertificate": obj{"acmCertificateArn": "arn"}})), want: fires},
		// CloudFront.15 judges only distributions with their own certificate; the default one is CloudFront.7's finding.
		{rule: "cloudfront-viewer-tls", name: "default certificate is out of scope", rs: rs(res(tDist, "cdn", obj{"viewerCertificate": obj{"cloudfrontDefaultCertificate": true}})), want: pass},
		{rule: "cloudfront-viewer-tls", name: "unknown minimum", rs: rs(res(tDist, "cdn", obj{"viewerCertificate": obj{"acmCertificateArn": "arn", "minimumProtocolVersion": unknown()}})), want: cantTell},

		{rule: "cloudfront-custom-certificate", name: "acm certificate", rs: rs(res(tDist, "cdn", obj{"viewerCertificate": obj{"acmCertificateArn": "arn:aws:acm:us-east-1:1:certificate/x", "minimumProtocolVersion": "TLSv1.2_2021", "sslSupportMethod": "sni-only"}})), want: pass},
		{rule: "cloudfront-custom-certificate", name: "certificate arn unknown at preview", rs: rs(res(tDist, "cdn", obj{"viewerCertificate": obj{"acmCertificateArn": unknown(), "minimumProtocolVersion": "TLSv1.2_2021"}})), want: pass},
		{rule: "cloudfront-custom-certificate", name: "default certificate", rs: rs(res(tDist, "cdn", obj{"viewerCertificate": obj{"cloudfrontDefaultCertificate": true}})), want: fires},
		{rule: "cloudfront-custom-certificate", name: "no certificate named is the default", rs: rs(res(tDist, "cdn", obj{"viewerCertificate": obj{"minimumProtocolVersion": "TLSv1.2_2021"}})), want: fires},
		{rule: "cloudfront-custom-certificate", name: "unknown", rs: rs(res(tDist, "cdn", obj{"viewerCertificate": unknown()})), want: cantTell},

		{rule: "cloudfront-origin-tls", name: "TLSv1.2 only", rs: rs(res(tDist, "cdn", obj{"origins": []any{obj{"originId": "api", "customOriginConfig": obj{"originProtocolPolicy": "https-only", "originSslProtocols": []any{"TLSv1.2"}}}}})), want: pass},
		{rule: "cloudfront-origin-tls", name: "TLSv1 offered", rs: rs(res(tDist, "cdn", obj{"origins": []any{obj{"originId": "api", "customOriginConfig": obj{"originProtocolPolicy": "https-only", "originSslProtocols": []any{"TLSv1", "TLSv1.2"}}}}})), want: fires},
		{rule: "cloudfront-origin-tls", name: "http-only origin is cloudfront-origin-https's finding", rs: rs(res(tDist, "cdn", obj{"origins": []any{obj{"originId": "api", "customOriginConfig": obj{"originProtocolPolicy": "http-only", "originSslProtocols": []any{"TLSv1.2"}}}}})), want: pass},
		{rule: "cloudfront-origin-tls", name: "vpc origin TLSv1.2", rs: rs(res(tVpcOrigin, "api", obj{"vpcOriginEndpointConfig": obj{"originProtocolPolicy": "https-only", "originSslProtocols": obj{"items": []any{"TLSv1.2"}, "quantity": 1}}})), want: pass},
		{rule: "cloudfront-origin-tls", name: "vpc origin TLSv1.1", rs: rs(res(tVpcOrigin, "api", obj{"vpcOriginEndpointConfig": obj{"originProtocolPolicy": "https-only", "originSslProtocols": obj{"items": []any{"TLSv1.1", "TLSv1.2"}, "quantity": 2}}})), want: fires},
		{rule: "cloudfront-origin-tls", name: "protocols unknown", rs: rs(res(tDist, "cdn", obj{"origins": []any{obj{"originId": "api", "customOriginConfig": obj{"originProtocolPolicy": "https-only", "originSslProtocols": unknown()}}}})), want: cantTell},

		{rule: "cloudfront-origin-https", name: "https-only custom origin", rs: rs(res(tDist, "cdn", obj{"origins": []any{goodOrigin, obj{"originId": "api", "customOriginConfig": obj{"originProtocolPolicy": "https-only", "originSslProtocols": []any{"TLSv1.2"}}}}})), want: pass},
		{rule: "cloudfront-origin-https", name: "http-only custom origin", rs: rs(res(tDist, "cdn", obj{"origins": []any{obj{"originId": "api", "customOriginConfig": obj{"originProtocolPolicy": "http-only", "originSslProtocols": []any{"TLSv1.2"}}}}})), want: fires},
		{rule: "cloudfront-origin-https", name: "vpc origin over http", rs: rs(res(tVpcOrigin, "api", obj{"vpcOriginEndpointConfig": obj{"originProtocolPolicy": "http-only", "originSslProtocols": obj{"items": []any{"TLSv1.2"}, "quantity": 1}}})), want: fires},
		{rule: "cloudfront-origin-https", name: "vpc origin endpoint unknown", rs: rs(res(tVpcOrigin, "api", obj{"vpcOriginEndpointConfig": unknown()})), want: cantTell},

		{rule: "cloudfront-s3-oac", name: "oac on the s3 origin", rs: rs(res(tDist, "cdn", obj{"origins": []any{goodOrigin}})), want: pass},
		{rule: "cloudfront-s3-oac", name: "s3 origin without oac", rs: rs(res(tDist, "cdn", obj{"origins": []any{with(goodOrigin, obj{"originAccessControlId": nil})}})), want: fires},
		{rule: "cloudfront-s3-oac", name: "legacy OAI", rs: rs(res(tDist, "cdn", obj{"origins": []any{with(goodOrigin, obj{"originAccessControlId": nil, "s3OriginConfig": obj{"originAccessIdentity": "origin-access-identity/cloudfront/X"}})}})), want: fires},
		{rule: "cloudfront-s3-oac", name: "domain unknown without oac", rs: rs(res(tDist, "cdn", obj{"origins": []any{obj{"originId": "site", "domainName": unknown()}}})), want: cantTell},
		{rule: "cloudfront-s3-oac", name: "oac id unknown at preview", rs: rs(res(tDist, "cdn", obj{"origins": []any{with(goodOrigin, obj{"domainName": unknown(), "originAccessControlId": unknown()})}})), want: pass},
		{rule: "cloudfront-s3-oac", name: "vpc origin with an unknown domain", rs: rs(res(tDist, "cdn", obj{"origins": []any{obj{"originId": "api", "domainName": unknown(), "vpcOriginConfig": obj{"vpcOriginId": unknown()}}}})), want: pass},

		{rule: "cloudfront-security-headers", name: "policy of this stack with all headers", rs: rs(goodRHP, dep(res(tDist, "cdn", obj{"defaultCacheBehavior": goodBehavior}), "defaultCacheBehavior", goodRHP)), want: pass},
		{rule: "cloudfront-security-headers", name: "managed SecurityHeadersPolicy", rs: rs(res(tDist, "cdn", obj{"defaultCacheBehavior": with(goodBehavior, obj{"responseHeadersPolicyId": "67f7725c-6f97-4210-82d7-5512b31e9d03"})})), want: pass},
		{rule: "cloudfront-security-headers", name: "behavior without a policy", rs: rs(res(tDist, "cdn", obj{"defaultCacheBehavior": with(goodBehavior, obj{"responseHeadersPolicyId": nil})})), want: fires},
		{rule: "cloudfront-security-headers", name: "policy without HSTS", rs: rs(res(tRHP, "h", obj{"securityHeadersConfig": obj{"contentTypeOptions": obj{"override": true}, "frameOptions": obj{}, "referrerPolicy": obj{}}}), dep(res(tDist, "cdn", obj{"defaultCacheBehavior": goodBehavior}), "defaultCacheBehavior", res(tRHP, "h", obj{}))), want: fires, on: "h"},
		{rule: "cloudfront-security-headers", name: "unknown policy id of no resource", rs: rs(res(tDist, "cdn", obj{"defaultCacheBehavior": with(goodBehavior, obj{"responseHeadersPolicyId": "some-id"})})), want: fires},
		{rule: "cloudfront-security-headers", name: "headers config unknown", rs: rs(res(tRHP, "h", obj{"securityHeadersConfig": unknown()}), dep(res(tDist, "cdn", obj{"defaultCacheBehavior": goodBehavior}), "defaultCacheBehavior", res(tRHP, "h", obj{}))), want: cantTell},
		{rule: "cloudfront-security-headers", name: "policy id unknown, no policy in the stack", rs: rs(res(tDist, "cdn", obj{"defaultCacheBehavior": with(goodBehavior, obj{"responseHeadersPolicyId": unknown()})})), want: cantTell},

		{rule: "cloudfront-default-root-object", name: "index.html", rs: rs(res(tDist, "cdn", obj{"defaultRootObject": "index.html"})), want: pass},
		{rule: "cloudfront-default-root-object", name: "absent", rs: rs(res(tDist, "cdn", obj{})), want: fires},
		{rule: "cloudfront-default-root-object", name: "unknown", rs: rs(res(tDist, "cdn", obj{"defaultRootObject": unknown()})), want: cantTell},

		{rule: "cloudfront-logging", name: "logging bucket", rs: rs(res(tDist, "cdn", obj{"loggingConfig": obj{"bucket": "logs.s3.amazonaws.com"}})), want: pass},
		{rule: "cloudfront-logging", name: "no logging", rs: rs(res(tDist, "cdn", obj{})), want: fires},
		// Standard logging v2: a CloudWatch delivery source for the distribution's ACCESS_LOGS and a delivery from it.
		{rule: "cloudfront-logging", name: "standard logging v2", rs: func() []policies.Resource {
			cdn := res(tDist, "cdn", obj{})
			src := dep(res(tLogSource, "src", obj{"logType": "ACCESS_LOGS"}), "resourceArn", cdn)
			return rs(cdn, src, dep(res(tLogDelivery, "delivery", obj{}), "deliverySourceName", src))
		}(), want: pass},
		{rule: "cloudfront-logging", name: "v2 source without a delivery", rs: func() []policies.Resource {
			cdn := res(tDist, "cdn", obj{})
			return rs(cdn, dep(res(tLogSource, "src", obj{"logType": "ACCESS_LOGS"}), "resourceArn", cdn))
		}(), want: fires},
		{rule: "cloudfront-logging", name: "v2 delivery of another distribution", rs: func() []policies.Resource {
			cdn, other := res(tDist, "cdn", obj{}), res(tDist, "other", obj{"loggingConfig": obj{"bucket": "logs.s3.amazonaws.com"}})
			src := dep(res(tLogSource, "src", obj{"logType": "ACCESS_LOGS"}), "resourceArn", other)
			return rs(cdn, other, src, dep(res(tLogDelivery, "delivery", obj{}), "deliverySourceName", src))
		}(), want: fires, on: "cdn"},

		{rule: "cloudfront-waf", name: "edge web ACL in prod", settings: p, rs: func() []policies.Resource {
			acl := res(tWebACL, "edge", obj{"scope": "CLOUDFRONT"})
			return rs(acl, dep(res(tDist, "cdn", obj{}), "webAclId", acl))
		}(), want: pass},
		{rule: "cloudfront-waf", name: "edge web ACL unknown at preview", settings: p, rs: func() []policies.Resource {
			acl := res(tWebACL, "edge", obj{"scope": "CLOUDFRONT"})
			return rs(acl, dep(res(tDist, "cdn", obj{"webAclId": unknown()}), "webAclId", acl))
		}(), want: pass},
		{rule: "cloudfront-waf", name: "web ACL from outside the stack", settings: p,
			rs: rs(res(tDist, "cdn", obj{"webAclId": "arn:aws:wafv2:us-east-1:1:global/webacl/shared/x"})), want: pass},
		{rule: "cloudfront-waf", name: "regional web ACL", settings: p, rs: func() []policies.Resource {
			acl := res(tWebACL, "alb", obj{"scope": "REGIONAL"})
			return rs(acl, dep(res(tDist, "cdn", obj{}), "webAclId", acl))
		}(), want: fires, on: "cdn"},
		{rule: "cloudfront-waf", name: "missing in prod", settings: p, rs: rs(res(tDist, "cdn", obj{})), want: fires, on: "cdn"},
		{rule: "cloudfront-waf", name: "missing in dev is advisory", rs: rs(res(tDist, "cdn", obj{})), want: advises},
		{rule: "cloudfront-waf", name: "computed from nothing the stack declares", settings: p,
			rs: rs(res(tDist, "cdn", obj{"webAclId": unknown()})), want: cantTell},

		{rule: "cloudfront-flat-rate-eligible", name: "the distribution and its own web ACL", rs: flatRate(nil, nil), want: pass},
		{rule: "cloudfront-flat-rate-eligible", name: "another ACL than the distribution's", rs: func() []policies.Resource {
			other := res(tWebACL, "other", obj{"scope": "CLOUDFRONT"})
			return flatRate(nil, &other)
		}(), want: fires, on: "plan"},
		{rule: "cloudfront-flat-rate-eligible", name: "legacy forwardedValues", rs: flatRate(obj{"defaultCacheBehavior": obj{
			"forwardedValues": obj{"queryString": false}}}, nil), want: fires, on: "cdn"},
		{rule: "cloudfront-flat-rate-eligible", name: "Lambda@Edge on a behaviour", rs: flatRate(obj{"orderedCacheBehaviors": []any{
			obj{"pathPattern": "/x/*", "lambdaFunctionAssociations": []any{obj{"eventType": "viewer-request"}}}}}, nil),
			want: fires, on: "cdn"},
		{rule: "cloudfront-flat-rate-eligible", name: "an unknown tier", rs: func() []policies.Resource {
			out := flatRate(nil, nil)
			out[len(out)-1] = withInput(out[len(out)-1], "planTier", "GOLD")
			return out
		}(), want: fires, on: "plan"},
		{rule: "cloudfront-flat-rate-eligible", name: "two distributions", rs: func() []policies.Resource {
			acl := res(tWebACL, "edge", obj{"scope": "CLOUDFRONT"})
			a, b := dep(res(tDist, "a", obj{}), "webAclId", acl), dep(res(tDist, "b", obj{}), "webAclId", acl)
			sub := dep(res(tPlan, "plan", obj{"planFamily": "CloudFront", "planTier": "FREE", "resourceArns": []any{"a", "b", "acl"}}),
				"resourceArns", a, b, acl)
			return rs(acl, a, b, sub)
		}(), want: fires, on: "plan"},
		{rule: "cloudfront-flat-rate-eligible", name: "resources unknown at preview", rs: rs(res(tPlan, "plan",
			obj{"planFamily": "CloudFront", "planTier": "FREE", "resourceArns": unknown()})), want: cantTell},

		// --- ELB ----------------------------------------------------------------
		{rule: "elb-http-redirect", name: "http redirects next to https", rs: func() []policies.Resource {
			lb := res(tLB, "api", obj{})
			return rs(lb,
				dep(res(tListener, "https", obj{"protocol": "HTTPS", "port": 443}), "loadBalancerArn", lb),
				dep(res(tListener, "http", obj{"protocol": "HTTP", "port": 80, "defaultActions": []any{obj{"type": "redirect", "redirect": obj{"protocol": "HTTPS", "port": "443", "statusCode": "HTTP_301"}}}}), "loadBalancerArn", lb))
		}(), want: pass},
		{rule: "elb-http-redirect", name: "http forwards next to https (alb alias)", rs: func() []policies.Resource {
			lb := res(tALB, "api", obj{})
			return rs(lb,
				dep(res(tListener, "https", obj{"protocol": "HTTPS", "port": 443}), "loadBalancerArn", lb),
				dep(res(tListener, "http", obj{"protocol": "HTTP", "port": 80, "defaultActions": []any{obj{"type": "forward"}}}), "loadBalancerArn", lb))
		}(), want: fires, on: "http"},
		{rule: "elb-http-redirect", name: "no certificate: http only is advisory", rs: func() []policies.Resource {
			lb := res(tLB, "api", obj{})
			return rs(lb, dep(res(tListener, "http", obj{"port": 80, "defaultActions": []any{obj{"type": "forward"}}}), "loadBalancerArn", lb))
		}(), want: advises},
		{rule: "elb-http-redirect", name: "actions unknown", rs: func() []policies.Resource {
			lb := res(tLB, "api", obj{})
			return rs(lb, dep(res(tListener, "http", obj{"protocol": "HTTP", "defaultActions": unknown()}), "loadBalancerArn", lb))
		}(), want: cantTell},
		{rule: "elb-http-redirect", name: "protocol unknown", rs: func() []policies.Resource {
			lb := res(tLB, "api", obj{})
			return rs(lb, dep(res(tListener, "l", obj{"protocol": unknown()}), "loadBalancerArn", lb))
		}(), want: cantTell},

		{rule: "elb-drop-invalid-headers", name: "on", rs: rs(res(tLB, "api", obj{"dropInvalidHeaderFields": true})), want: pass},
		{rule: "elb-drop-invalid-headers", name: "absent is off", rs: rs(res(tALB, "api", obj{})), want: fires},
		{rule: "elb-drop-invalid-headers", name: "network lb is out of scope", rs: rs(res(tLB, "nlb", obj{"loadBalancerType": "network"})), want: pass},
		{rule: "elb-drop-invalid-headers", name: "unknown", rs: rs(res(tLB, "api", obj{"dropInvalidHeaderFields": unknown()})), want: cantTell},

		{rule: "elb-desync-mitigation", name: "absent is defensive", rs: rs(res(tLB, "api", obj{})), want: pass},
		{rule: "elb-desync-mitigation", name: "strictest", rs: rs(res(tLB, "api", obj{"desyncMitigationMode": "strictest"})), want: pass},
		{rule: "elb-desync-mitigation", name: "monitor", rs: rs(res(tLB, "api", obj{"desyncMitigationMode": "monitor"})), want: fires},
		{rule: "elb-desync-mitigation", name: "unknown", rs: rs(res(tLB, "api", obj{"desyncMitigationMode": unknown()})), want: cantTell},

		{rule: "elb-tls-policy", name: "tls13 policy", rs: rs(res(tListener, "https", obj{"protocol": "HTTPS", "sslPolicy": "ELBSecurityPolicy-TLS13-1-2-2021-06"})), want: pass},
		{rule: "elb-tls-policy", name: "http listener out of scope", rs: rs(res(tListener, "http", obj{"protocol": "HTTP"})), want: pass},
		{rule: "elb-tls-policy", name: "absent is 2016-08", rs: rs(res(tListener, "https", obj{"protocol": "HTTPS"})), want: fires},
		{rule: "elb-tls-policy", name: "old policy", rs: rs(res(tListener, "https", obj{"protocol": "HTTPS", "sslPolicy": "ELBSecurityPolicy-2016-08"})), want: fires},
		{rule: "elb-tls-policy", name: "unknown", rs: rs(res(tListener, "https", obj{"protocol": "HTTPS", "sslPolicy": unknown()})), want: cantTell},

		{rule: "elb-deletion-protection", name: "on in prod", settings: p, rs: rs(res(tLB, "api", obj{"enableDeletionProtection": true})), want: pass},
		{rule: "elb-deletion-protection", name: "off in prod", settings: p, rs: rs(res(tLB, "api", obj{})), want: fires},
		{rule: "elb-deletion-protection", name: "off in dev is advisory", rs: rs(res(tLB, "api", obj{})), want: advises},

		{rule: "elb-access-logs", name: "on", rs: rs(res(tLB, "api", obj{"accessLogs": obj{"bucket": "logs", "enabled": true}})), want: pass},
		{rule: "elb-access-logs", name: "off", rs: rs(res(tLB, "api", obj{})), want: fires},

		// --- ECS ----------------------------------------------------------------
		{rule: "ecs-no-public-ip", name: "absent is false", rs: rs(res(tService, "svc", obj{"networkConfiguration": obj{"subnets": []any{"s"}}})), want: pass},
		{rule: "ecs-no-public-ip", name: "public ip", rs: rs(res(tService, "svc", obj{"networkConfiguration": obj{"assignPublicIp": true}})), want: fires},
		{rule: "ecs-no-public-ip", name: "unknown", rs: rs(res(tService, "svc", obj{"networkConfiguration": obj{"assignPublicIp": unknown()}})), want: cantTell},

		{rule: "ecs-readonly-root", name: "read-only", rs: rs(res(tTaskDef, "task", obj{"containerDefinitions": jsonStr([]any{goodContainer})})), want: pass},
		{rule: "ecs-readonly-root", name: "writable root", rs: rs(res(tTaskDef, "task", obj{"containerDefinitions": jsonStr([]any{with(goodContainer, obj{"readonlyRootFilesystem": nil})})})), want: fires},
		{rule: "ecs-readonly-root", name: "definitions unknown", rs: rs(res(tTaskDef, "task", obj{"containerDefinitions": unknown()})), want: cantTell},
		// A definition the rule cannot read fails closed: it is a violation, never a silent pass.
		{rule: "ecs-readonly-root", name: "definitions absent", rs: rs(res(tTaskDef, "task", obj{})), want: fires},
		{rule: "ecs-readonly-root", name: "definitions not JSON", rs: rs(res(tTaskDef, "task", obj{"containerDefinitions": "{not json"})), want: fires},
		{rule: "ecs-readonly-root", name: "definitions not an array", rs: rs(res(tTaskDef, "task", obj{"containerDefinitions": jsonStr(goodContainer)})), want: fires},

		{rule: "ecs-non-privileged", name: "unprivileged", rs: rs(res(tTaskDef, "task", obj{"containerDefinitions": jsonStr([]any{goodContainer})})), want: pass},
		{rule: "ecs-non-privileged", name: "privileged", rs: rs(res(tTaskDef, "task", obj{"containerDefinitions": jsonStr([]any{with(goodContainer, obj{"privileged": true})})})), want: fires},

		{rule: "ecs-non-root-user", name: "uid 65532", rs: rs(res(tTaskDef, "task", obj{"containerDefinitions": jsonStr([]any{goodContainer})})), want: pass},
		{rule: "ecs-non-root-user", name: "image default", rs: rs(res(tTaskDef, "task", obj{"containerDefinitions": jsonStr([]any{with(goodContainer, obj{"user": nil})})})), want: fires},
		{rule: "ecs-non-root-user", name: "uid 0", rs: rs(res(tTaskDef, "task", obj{"containerDefinitions": jsonStr([]any{with(goodContainer, obj{"user": "0:0"})})})), want: fires},

		{rule: "ecs-logging", name: "awslogs", rs: rs(res(tTaskDef, "task", obj{"containerDefinitions": jsonStr([]any{goodContainer})})), want: pass},
		{rule: "ecs-logging", name: "no log configuration", rs: rs(res(tTaskDef, "task", obj{"containerDefinitions": jsonStr([]any{with(goodContainer, obj{"logConfiguration": nil})})})), want: fires},

		{rule: "ecs-no-plain-secrets", name: "secrets by ARN, plain config", rs: rs(res(tTaskDef, "task", obj{"containerDefinitions": jsonStr([]any{goodContainer})})), want: pass},
		{rule: "ecs-no-plain-secrets", name: "password in environment", rs: rs(res(tTaskDef, "task", obj{"containerDefinitions": jsonStr([]any{with(goodContainer, obj{"environment": []any{obj{"name": "DB_PASSWORD", "value": "hunter2"}}})})})), want: fires},
		{rule: "ecs-no-plain-secrets", name: "URL with a password", rs: rs(res(tTaskDef, "task", obj{"containerDefinitions": jsonStr([]any{with(goodContainer, obj{"environment": []any{obj{"name": "DATABASE_URL", "value": "postgres://shop:hunter2@db:5432/shop"}}})})})), want: fires},
		{rule: "ecs-no-plain-secrets", name: "a Pulumi secret inside the definitions", rs: rs(res(tTaskDef, "task", obj{"containerDefinitions": secret(jsonStr([]any{goodContainer}))})), want: fires},
		{rule: "ecs-no-plain-secrets", name: "unknown", rs: rs(res(tTaskDef, "task", obj{"containerDefinitions": unknown()})), want: cantTell},

		{rule: "ecs-no-host-pid", name: "task pid", rs: rs(res(tTaskDef, "task", obj{"pidMode": "task"})), want: pass},
		{rule: "ecs-no-host-pid", name: "host pid", rs: rs(res(tTaskDef, "task", obj{"pidMode": "host"})), want: fires},

		{rule: "ecs-container-insights", name: "enhanced", rs: rs(res(tCluster, "c", obj{"settings": []any{obj{"name": "containerInsights", "value": "enhanced"}}})), want: pass},
		{rule: "ecs-container-insights", name: "absent", rs: rs(res(tCluster, "c", obj{})), want: fires},
		{rule: "ecs-container-insights", name: "unknown", rs: rs(res(tCluster, "c", obj{"settings": unknown()})), want: cantTell},

		// --- ECR ----------------------------------------------------------------
		{rule: "ecr-immutable-tags", name: "immutable", rs: rs(res(tECR, "images", obj{"imageTagMutability": "IMMUTABLE"})), want: pass},
		{rule: "ecr-immutable-tags", name: "awsx repository immutable", rs: rs(res(tAwsxECR, "images", obj{"imageTagMutability": "IMMUTABLE"})), want: pass},
		{rule: "ecr-immutable-tags", name: "absent is MUTABLE (awsx)", rs: rs(res(tAwsxECR, "images", obj{"imageScanningConfiguration": obj{"scanOnPush": true}})), want: fires},
		{rule: "ecr-immutable-tags", name: "mutable", rs: rs(res(tECR, "images", obj{"imageTagMutability": "MUTABLE"})), want: fires},
		{rule: "ecr-immutable-tags", name: "immutable with exclusions is advisory", rs: rs(res(tECR, "images", obj{"imageTagMutability": "IMMUTABLE_WITH_EXCLUSION"})), want: advises},
		{rule: "ecr-immutable-tags", name: "unknown", rs: rs(res(tECR, "images", obj{"imageTagMutability": unknown()})), want: cantTell},

		// awsx creates a lifecycle policy (untagged images expire after a day) unless told to skip it.
		{rule: "ecr-lifecycle-policy", name: "awsx default policy", rs: rs(res(tAwsxECR, "images", obj{})), want: pass},
		{rule: "ecr-lifecycle-policy", name: "awsx policy skipped", rs: rs(res(tAwsxECR, "images", obj{"lifecyclePolicy": obj{"skip": true}})), want: fires},
		{rule: "ecr-lifecycle-policy", name: "awsx skip unknown", rs: rs(res(tAwsxECR, "images", obj{"lifecyclePolicy": obj{"skip": unknown()}})), want: cantTell},
		{rule: "ecr-lifecycle-policy", name: "policy joined to the repository", rs: func() []policies.Resource {
			repo := res(tECR, "images", obj{})
			return rs(repo, dep(res(tECRLifecycle, "images-lifecycle", obj{"policy": jsonStr(obj{"rules": []any{}})}), "repository", repo))
		}(), want: pass},
		{rule: "ecr-lifecycle-policy", name: "no policy", rs: rs(res(tECR, "images", obj{})), want: fires, on: "images"},
		{rule: "ecr-lifecycle-policy", name: "policy joined by name string only", rs: rs(res(tECR, "images", obj{}), res(tECRLifecycle, "lc", obj{"repository": "images"})), want: fires, on: "images"},

		// --- WAF ----------------------------------------------------------------
		{rule: "waf-has-rules", name: "one rule", rs: rs(res(tWebACL, "acl", obj{"rules": []any{obj{"name": "common"}}})), want: pass},
		{rule: "waf-has-rules", name: "empty", rs: rs(res(tWebACL, "acl", obj{})), want: fires},
		{rule: "waf-has-rules", name: "unknown", rs: rs(res(tWebACL, "acl", obj{"rules": unknown()})), want: cantTell},

		{rule: "waf-metrics", name: "metrics everywhere", rs: rs(res(tWebACL, "acl", obj{"visibilityConfig": obj{"cloudwatchMetricsEnabled": true}, "rules": []any{obj{"name": "common", "visibilityConfig": obj{"cloudwatchMetricsEnabled": true}}}})), want: pass},
		{rule: "waf-metrics", name: "a rule without metrics", rs: rs(res(tWebACL, "acl", obj{"visibilityConfig": obj{"cloudwatchMetricsEnabled": true}, "rules": []any{obj{"name": "common", "visibilityConfig": obj{"cloudwatchMetricsEnabled": false}}}})), want: fires},
		{rule: "waf-metrics", name: "acl metrics unknown", rs: rs(res(tWebACL, "acl", obj{"visibilityConfig": obj{"cloudwatchMetricsEnabled": unknown()}})), want: cantTell},
		{rule: "waf-metrics", name: "rules unknown", rs: rs(res(tWebACL, "acl", obj{"visibilityConfig": obj{"cloudwatchMetricsEnabled": true}, "rules": unknown()})), want: cantTell},

		{rule: "waf-logging", name: "logging configuration joined", rs: func() []policies.Resource {
			acl := res(tWebACL, "acl", obj{})
			return rs(acl, dep(res(tWebACLLog, "log", obj{}), "resourceArn", acl))
		}(), want: pass},
		{rule: "waf-logging", name: "no logging", rs: rs(res(tWebACL, "acl", obj{})), want: fires},

		{rule: "alb-waf-association", name: "associated in prod", settings: p, rs: func() []policies.Resource {
			lb := res(tLB, "api", obj{})
			return rs(lb, dep(res(tWebACLAssoc, "assoc", obj{}), "resourceArn", lb))
		}(), want: pass},
		{rule: "alb-waf-association", name: "missing in prod", settings: p, rs: rs(res(tLB, "api", obj{})), want: fires},
		// Behind CloudFront the edge ACL has inspected every request the internal load balancer gets.
		{rule: "alb-waf-association", name: "internal, only behind a distribution with an edge ACL", settings: p,
			rs: edgeFixture(true, "CLOUDFRONT"), want: pass},
		{rule: "alb-waf-association", name: "internet-facing behind a distribution", settings: p,
			rs: edgeFixture(false, "CLOUDFRONT"), want: fires, on: "api"},
		{rule: "alb-waf-association", name: "internal behind a distribution without an ACL", settings: p,
			rs: edgeFixture(true, ""), want: fires, on: "api"},
		{rule: "alb-waf-association", name: "missing in dev is advisory", rs: rs(res(tLB, "api", obj{})), want: advises},

		// --- RDS ----------------------------------------------------------------
		{rule: "rds-storage-encrypted", name: "encrypted", rs: rs(res(tDB, "db", goodDB)), want: pass},
		{rule: "rds-storage-encrypted", name: "absent is unencrypted (cluster)", rs: rs(res(tDBCluster, "db", obj{})), want: fires},
		{rule: "rds-storage-encrypted", name: "unknown", rs: rs(res(tDB, "db", with(goodDB, obj{"storageEncrypted": unknown()}))), want: cantTell},

		{rule: "rds-not-public", name: "absent is private", rs: rs(res(tDBClusterIn, "db-1", obj{})), want: pass},
		{rule: "rds-not-public", name: "public", rs: rs(res(tDB, "db", with(goodDB, obj{"publiclyAccessible": true}))), want: fires},

		{rule: "rds-backup-retention", name: "7 days in prod", settings: p, rs: rs(res(tDB, "db", goodDB)), want: pass},
		{rule: "rds-backup-retention", name: "1 day in prod", settings: p, rs: rs(res(tDB, "db", with(goodDB, obj{"backupRetentionPeriod": 1}))), want: fires},
		{rule: "rds-backup-retention", name: "absent (1 day) in dev is advisory", rs: rs(res(tDBCluster, "db", obj{})), want: advises},
		{rule: "rds-backup-retention", name: "0 days in dev", rs: rs(res(tDB, "db", with(goodDB, obj{"backupRetentionPeriod": 0}))), want: fires},
		{rule: "rds-backup-retention", name: "unknown", rs: rs(res(tDB, "db", with(goodDB, obj{"backupRetentionPeriod": unknown()}))), want: cantTell},
		{rule: "rds-backup-retention", name: "not a number", rs: rs(res(tDB, "db", with(goodDB, obj{"backupRetentionPeriod": "seven"}))), want: fires},

		{rule: "rds-iam-auth", name: "on", rs: rs(res(tDB, "db", goodDB)), want: pass},
		{rule: "rds-iam-auth", name: "absent", rs: rs(res(tDBCluster, "db", obj{})), want: fires},

		{rule: "rds-force-ssl", name: "postgres 16 default group forces ssl", rs: rs(res(tDB, "db", goodDB)), want: pass},
		{rule: "rds-force-ssl", name: "postgres 14 without a group", rs: rs(res(tDB, "db", with(goodDB, obj{"engineVersion": "14.12"}))), want: fires},
		{rule: "rds-force-ssl", name: "aurora cluster group with force_ssl", rs: func() []policies.Resource {
			pg := res(tDBCParams, "params", obj{"parameters": []any{obj{"name": "rds.force_ssl", "value": "1"}}})
			return rs(pg, dep(res(tDBCluster, "db", obj{"engine": "aurora-postgresql"}), "dbClusterParameterGroupName", pg))
		}(), want: pass},
		{rule: "rds-force-ssl", name: "instance group with force_ssl 0", rs: func() []policies.Resource {
			pg := res(tDBParams, "params", obj{"parameters": []any{obj{"name": "rds.force_ssl", "value": "0"}}})
			return rs(pg, dep(res(tDB, "db", goodDB), "parameterGroupName", pg))
		}(), want: fires, on: "params"},
		{rule: "rds-force-ssl", name: "aurora without a group", rs: rs(res(tDBCluster, "db", obj{"engine": "aurora-postgresql"})), want: fires},
		{rule: "rds-force-ssl", name: "parameters unknown", rs: func() []policies.Resource {
			pg := res(tDBCParams, "params", obj{"parameters": unknown()})
			return rs(pg, dep(res(tDBCluster, "db", obj{"engine": "aurora-postgresql"}), "dbClusterParameterGroupName", pg))
		}(), want: cantTell},

		{rule: "rds-deletion-protection", name: "on in prod", settings: p, rs: rs(res(tDB, "db", goodDB)), want: pass},
		{rule: "rds-deletion-protection", name: "off in prod", settings: p, rs: rs(res(tDBCluster, "db", obj{})), want: fires},
		{rule: "rds-deletion-protection", name: "off in dev is advisory", rs: rs(res(tDBCluster, "db", obj{})), want: advises},

		{rule: "rds-no-plain-password", name: "managed password", rs: rs(res(tDB, "db", goodDB)), want: pass},
		{rule: "rds-no-plain-password", name: "secret password", rs: rs(res(tDBCluster, "db", obj{"masterPassword": secret("s3cret-s3cret")})), want: pass},
		{rule: "rds-no-plain-password", name: "plain password", rs: rs(res(tDB, "db", with(goodDB, obj{"password": "s3cret-s3cret"}))), want: fires},

		{rule: "rds-log-exports", name: "postgresql exported", rs: rs(res(tDB, "db", goodDB)), want: pass},
		{rule: "rds-log-exports", name: "nothing exported", rs: rs(res(tDBCluster, "db", obj{})), want: fires},
		{rule: "rds-log-exports", name: "unknown", rs: rs(res(tDBCluster, "db", obj{"enabledCloudwatchLogsExports": unknown()})), want: cantTell},

		{rule: "rds-multi-az", name: "multi-az instance in prod", settings: p, rs: rs(res(tDB, "db", goodDB)), want: pass},
		{rule: "rds-multi-az", name: "cluster with a reader in prod", settings: p, rs: func() []policies.Resource {
			cl := res(tDBCluster, "db", obj{})
			return rs(cl, dep(res(tDBClusterIn, "db-1", obj{}), "clusterIdentifier", cl), dep(res(tDBClusterIn, "db-2", obj{}), "clusterIdentifier", cl))
		}(), want: pass},
		{rule: "rds-multi-az", name: "single writer in prod", settings: p, rs: func() []policies.Resource {
			cl := res(tDBCluster, "db", obj{})
			return rs(cl, dep(res(tDBClusterIn, "db-1", obj{}), "clusterIdentifier", cl))
		}(), want: fires, on: "db"},
		{rule: "rds-multi-az", name: "single-az instance in dev is advisory", rs: rs(res(tDB, "db", with(goodDB, obj{"multiAz": false}))), want: advises},

		{rule: "rds-enhanced-monitoring", name: "60 s with a role in prod", settings: p, rs: rs(res(tDB, "db", goodDB)), want: pass},
		{rule: "rds-enhanced-monitoring", name: "role arn unknown at preview", settings: p, rs: rs(res(tDBClusterIn, "db-1", obj{"monitoringInterval": 30, "monitoringRoleArn": unknown()})), want: pass},
		{rule: "rds-enhanced-monitoring", name: "absent is off in prod", settings: p, rs: rs(res(tDB, "db", with(goodDB, obj{"monitoringInterval": nil, "monitoringRoleArn": nil}))), want: fires},
		{rule: "rds-enhanced-monitoring", name: "aurora instance at 0 in prod", settings: p, rs: rs(res(tDBClusterIn, "db-1", obj{"monitoringInterval": 0})), want: fires},
		{rule: "rds-enhanced-monitoring", name: "interval without a role", settings: p, rs: rs(res(tDB, "db", with(goodDB, obj{"monitoringRoleArn": nil}))), want: fires},
		{rule: "rds-enhanced-monitoring", name: "interval RDS rejects", settings: p, rs: rs(res(tDB, "db", with(goodDB, obj{"monitoringInterval": 45}))), want: fires},
		{rule: "rds-enhanced-monitoring", name: "off in dev is advisory", rs: rs(res(tDBClusterIn, "db-1", obj{"instanceClass": "db.serverless"})), want: advises},
		{rule: "rds-enhanced-monitoring", name: "unknown", settings: p, rs: rs(res(tDB, "db", with(goodDB, obj{"monitoringInterval": unknown()}))), want: cantTell},

		{rule: "stateful-protect", name: "protected in prod", settings: p, rs: func() []policies.Resource {
			db := res(tDB, "db", goodDB)
			db.Protect = true
			b := bucket
			b.Protect = true
			return rs(db, b, versioning)
		}(), want: pass},
		{rule: "stateful-protect", name: "unversioned bucket needs no protect", settings: p, rs: rs(bucket), want: pass},
		{rule: "stateful-protect", name: "database unprotected in prod", settings: p, rs: rs(res(tRepl, "cache", obj{})), want: fires},
		{rule: "stateful-protect", name: "versioned bucket unprotected in prod", settings: p, rs: rs(bucket, versioning), want: fires, on: "media"},
		{rule: "stateful-protect", name: "unprotected in dev is advisory", rs: rs(res(tDBCluster, "db", obj{})), want: advises},

		// --- ElastiCache --------------------------------------------------------
		{rule: "elasticache-at-rest-encryption", name: "on", rs: rs(res(tRepl, "cache", obj{"atRestEncryptionEnabled": true})), want: pass},
		{rule: "elasticache-at-rest-encryption", name: "absent", rs: rs(res(tRepl, "cache", obj{})), want: fires},
		{rule: "elasticache-at-rest-encryption", name: "serverless is always encrypted", rs: rs(res(tServerless, "cache", obj{})), want: pass},

		{rule: "elasticache-in-transit-encryption", name: "on", rs: rs(res(tRepl, "cache", obj{"transitEncryptionEnabled": true})), want: pass},
		{rule: "elasticache-in-transit-encryption", name: "off", rs: rs(res(tRepl, "cache", obj{"transitEncryptionEnabled": false})), want: fires},
		{rule: "elasticache-in-transit-encryption", name: "unknown", rs: rs(res(tRepl, "cache", obj{"transitEncryptionEnabled": unknown()})), want: cantTell},

		{rule: "elasticache-auth", name: "secret token", rs: rs(res(tRepl, "cache", obj{"authToken": secret("0123456789abcdef0123")})), want: pass},
		{rule: "elasticache-auth", name: "plain token", rs: rs(res(tRepl, "cache", obj{"authToken": "0123456789abcdef0123"})), want: fires},
		{rule: "elasticache-auth", name: "no auth", rs: rs(res(tRepl, "cache", obj{})), want: fires},
		{rule: "elasticache-auth", name: "serverless without user group is advisory", rs: rs(res(tServerless, "cache", obj{})), want: advises},
		// A standalone cache cluster cannot take an auth token or user groups: choosing it must not escape the cache rules.
		{rule: "elasticache-auth", name: "redis cache cluster has no auth", rs: rs(res(tCacheNode, "cache", obj{"engine": "redis"})), want: fires},
		{rule: "elasticache-in-transit-encryption", name: "cache cluster without TLS", rs: rs(res(tCacheNode, "cache", obj{"engine": "valkey"})), want: fires},
		{rule: "elasticache-in-transit-encryption", name: "cache cluster with TLS", rs: rs(res(tCacheNode, "cache", obj{"engine": "memcached", "transitEncryptionEnabled": true})), want: pass},
		{rule: "stateful-protect", name: "cache cluster unprotected in prod", settings: p, rs: rs(res(tCacheNode, "cache", obj{"engine": "redis"})), want: fires},

		{rule: "elasticache-backups", name: "snapshots in prod", settings: p, rs: rs(res(tRepl, "cache", obj{"snapshotRetentionLimit": 7})), want: pass},
		{rule: "elasticache-backups", name: "none in prod", settings: p, rs: rs(res(tServerless, "cache", obj{})), want: fires},
		{rule: "elasticache-backups", name: "unknown", settings: p, rs: rs(res(tRepl, "cache", obj{"snapshotRetentionLimit": unknown()})), want: cantTell},

		{rule: "elasticache-automatic-failover", name: "on in prod", settings: p, rs: rs(res(tRepl, "cache", obj{"automaticFailoverEnabled": true})), want: pass},
		{rule: "elasticache-automatic-failover", name: "off in prod", settings: p, rs: rs(res(tRepl, "cache", obj{})), want: fires},

		{rule: "elasticache-auto-minor-upgrades", name: "absent is on", rs: rs(res(tRepl, "cache", obj{"engine": "valkey"})), want: pass},
		{rule: "elasticache-auto-minor-upgrades", name: "on", rs: rs(res(tRepl, "cache", obj{"autoMinorVersionUpgrade": true})), want: pass},
		{rule: "elasticache-auto-minor-upgrades", name: "off", rs: rs(res(tRepl, "cache", obj{"autoMinorVersionUpgrade": false})), want: fires},
		// aws:elasticache/cluster types the flag as a string.
		{rule: "elasticache-auto-minor-upgrades", name: "cache cluster off (string)", rs: rs(res(tCacheNode, "cache", obj{"engine": "redis", "autoMinorVersionUpgrade": "false"})), want: fires},
		{rule: "elasticache-auto-minor-upgrades", name: "unknown", rs: rs(res(tRepl, "cache", obj{"autoMinorVersionUpgrade": unknown()})), want: cantTell},

		// --- OpenSearch ---------------------------------------------------------
		{rule: "opensearch-encryption-at-rest", name: "on", rs: rs(res(tSearch, "search", goodSearch)), want: pass},
		{rule: "opensearch-encryption-at-rest", name: "absent", rs: rs(res(tSearch, "search", with(goodSearch, obj{"encryptAtRest": nil}))), want: fires},
		{rule: "opensearch-in-vpc", name: "subnets", rs: rs(res(tSearch, "search", goodSearch)), want: pass},
		{rule: "opensearch-in-vpc", name: "public endpoint", rs: rs(res(tSearch, "search", with(goodSearch, obj{"vpcOptions": nil}))), want: fires},
		{rule: "opensearch-in-vpc", name: "subnets unknown", rs: rs(res(tSearch, "search", with(goodSearch, obj{"vpcOptions": obj{"subnetIds": unknown()}}))), want: cantTell},
		{rule: "opensearch-node-to-node-encryption", name: "on", rs: rs(res(tSearch, "search", goodSearch)), want: pass},
		{rule: "opensearch-node-to-node-encryption", name: "off", rs: rs(res(tSearch, "search", with(goodSearch, obj{"nodeToNodeEncryption": obj{"enabled": false}}))), want: fires},
		{rule: "opensearch-fine-grained-access", name: "on", rs: rs(res(tSearch, "search", goodSearch)), want: pass},
		{rule: "opensearch-fine-grained-access", name: "off", rs: rs(res(tSearch, "search", with(goodSearch, obj{"advancedSecurityOptions": nil}))), want: fires},
		{rule: "opensearch-https-tls12", name: "https and PFS policy", rs: rs(res(tSearch, "search", goodSearch)), want: pass},
		{rule: "opensearch-https-tls12", name: "default tls policy", rs: rs(res(tSearch, "search", with(goodSearch, obj{"domainEndpointOptions": obj{"enforceHttps": true}}))), want: fires},
		{rule: "opensearch-https-tls12", name: "explicit TLS 1.0 policy", rs: rs(res(tSearch, "search", with(goodSearch, obj{"domainEndpointOptions": obj{"enforceHttps": true, "tlsSecurityPolicy": "Policy-Min-TLS-1-0-2019-07"}}))), want: fires},
		{rule: "opensearch-https-tls12", name: "http allowed", rs: rs(res(tSearch, "search", with(goodSearch, obj{"domainEndpointOptions": obj{"tlsSecurityPolicy": "Policy-Min-TLS-1-2-2019-07"}}))), want: fires},
		{rule: "opensearch-https-tls12", name: "TLS 1.2 without forward secrecy is advisory", rs: rs(res(tSearch, "search", with(goodSearch, obj{"domainEndpointOptions": obj{"enforceHttps": true, "tlsSecurityPolicy": "Policy-Min-TLS-1-2-2019-07"}}))), want: advises},
		{rule: "opensearch-logs", name: "both logs", rs: rs(res(tSearch, "search", goodSearch)), want: pass},
		{rule: "opensearch-logs", name: "no application log", rs: rs(res(tSearch, "search", with(goodSearch, obj{"logPublishingOptions": []any{obj{"logType": "AUDIT_LOGS"}}}))), want: fires},
		{rule: "opensearch-logs", name: "application log disabled", rs: rs(res(tSearch, "search", with(goodSearch, obj{"logPublishingOptions": []any{obj{"logType": "ES_APPLICATION_LOGS", "enabled": false}, obj{"logType": "AUDIT_LOGS"}}}))), want: fires},
		{rule: "opensearch-logs", name: "unknown", rs: rs(res(tSearch, "search", with(goodSearch, obj{"logPublishingOptions": unknown()}))), want: cantTell},
		{rule: "opensearch-audit-logs", name: "both logs", rs: rs(res(tSearch, "search", goodSearch)), want: pass},
		{rule: "opensearch-audit-logs", name: "no audit log", rs: rs(res(tSearch, "search", with(goodSearch, obj{"logPublishingOptions": []any{obj{"logType": "ES_APPLICATION_LOGS"}}}))), want: fires},
		{rule: "opensearch-audit-logs", name: "unknown", rs: rs(res(tSearch, "search", with(goodSearch, obj{"logPublishingOptions": unknown()}))), want: cantTell},
		{rule: "opensearch-data-nodes", name: "three zone-aware nodes", rs: rs(res(tSearch, "search", goodSearch)), want: pass},
		{rule: "opensearch-data-nodes", name: "two nodes", rs: rs(res(tSearch, "search", with(goodSearch, obj{"clusterConfig": obj{"instanceCount": 2, "zoneAwarenessEnabled": true}}))), want: fires},
		{rule: "opensearch-data-nodes", name: "absent is one node", rs: rs(res(tSearch, "search", with(goodSearch, obj{"clusterConfig": obj{"instanceType": "t3.small.search", "zoneAwarenessEnabled": true}}))), want: fires},
		{rule: "opensearch-data-nodes", name: "no zone awareness", rs: rs(res(tSearch, "search", with(goodSearch, obj{"clusterConfig": obj{"instanceCount": 3}}))), want: fires},
		{rule: "opensearch-data-nodes", name: "count unknown", rs: rs(res(tSearch, "search", with(goodSearch, obj{"clusterConfig": obj{"instanceCount": unknown(), "zoneAwarenessEnabled": true}}))), want: cantTell},
		{rule: "opensearch-dedicated-masters", name: "three masters", rs: rs(res(tSearch, "search", goodSearch)), want: pass},
		{rule: "opensearch-dedicated-masters", name: "none", rs: rs(res(tSearch, "search", with(goodSearch, obj{"clusterConfig": obj{"instanceCount": 3}}))), want: fires},
		{rule: "opensearch-dedicated-masters", name: "two masters", rs: rs(res(tSearch, "search", with(goodSearch, obj{"clusterConfig": obj{"dedicatedMasterEnabled": true, "dedicatedMasterCount": 2}}))), want: fires},
		{rule: "opensearch-dedicated-masters", name: "enabled without a count", rs: rs(res(tSearch, "search", with(goodSearch, obj{"clusterConfig": obj{"dedicatedMasterEnabled": true}}))), want: fires},
		{rule: "opensearch-dedicated-masters", name: "unknown", rs: rs(res(tSearch, "search", with(goodSearch, obj{"clusterConfig": obj{"dedicatedMasterEnabled": unknown()}}))), want: cantTell},
		{rule: "opensearch-auto-software-update", name: "on", rs: rs(res(tSearch, "search", goodSearch)), want: pass},
		{rule: "opensearch-auto-software-update", name: "absent is off", rs: rs(res(tSearch, "search", with(goodSearch, obj{"softwareUpdateOptions": nil}))), want: fires},
		{rule: "opensearch-auto-software-update", name: "unknown", rs: rs(res(tSearch, "search", with(goodSearch, obj{"softwareUpdateOptions": obj{"autoSoftwareUpdateEnabled": unknown()}}))), want: cantTell},
		{rule: "opensearch-access-policy", name: "role principal", rs: rs(res(tSearch, "search", with(goodSearch, obj{"accessPolicies": policyDoc(obj{"Effect": "Allow", "Principal": obj{"AWS": "arn:aws:iam::1:role/api"}, "Action": "es:ESHttp*", "Resource": "arn:aws:es:us-east-1:1:domain/x/*"})}))), want: pass},
		{rule: "opensearch-access-policy", name: "everyone", rs: rs(res(tSearch, "search", with(goodSearch, obj{"accessPolicies": policyDoc(obj{"Effect": "Allow", "Principal": "*", "Action": "es:*", "Resource": "*"})}))), want: fires},
		{rule: "opensearch-access-policy", name: "not JSON", rs: rs(res(tSearch, "search", with(goodSearch, obj{"accessPolicies": "{not json"}))), want: fires},
		{rule: "opensearch-access-policy", name: "unknown", rs: rs(res(tSearch, "search", with(goodSearch, obj{"accessPolicies": unknown()}))), want: cantTell},

		// --- EC2 / VPC ----------------------------------------------------------
		{rule: "vpc-flow-logs", name: "flow log joined", rs: rs(vpc, dep(res(tFlowLog, "fl", obj{"trafficType": "ALL"}), "vpcId", vpc)), want: pass},
		{rule: "vpc-flow-logs", name: "no flow log", rs: rs(vpc), want: fires},

		{rule: "vpc-default-sg-closed", name: "adopted and empty", rs: rs(vpc, dep(res(tDefaultSG, "default", obj{}), "vpcId", vpc)), want: pass},
		{rule: "vpc-default-sg-closed", name: "not adopted", rs: rs(vpc), want: fires, on: "net"},
		{rule: "vpc-default-sg-closed", name: "adopted with egress", rs: rs(vpc, dep(res(tDefaultSG, "default", obj{"egress": []any{obj{"protocol": "-1", "cidrBlocks": []any{"0.0.0.0/0"}}}}), "vpcId", vpc)), want: fires, on: "default"},
		{rule: "vpc-default-sg-closed", name: "rules unknown", rs: rs(vpc, dep(res(tDefaultSG, "default", obj{"ingress": unknown()}), "vpcId", vpc)), want: cantTell},

		{rule: "ec2-open-ingress", name: "443 to the public lb", rs: func() []policies.Resource {
			sg := res(tSG, "lb-sg", obj{})
			return rs(sg, dep(res(tLB, "api", obj{}), "securityGroups", sg),
				dep(res(tSGIngress, "https", obj{"cidrIpv4": "0.0.0.0/0", "fromPort": 443, "toPort": 443, "ipProtocol": "tcp"}), "securityGroupId", sg))
		}(), want: pass},
		{rule: "ec2-open-ingress", name: "22 to the public lb", rs: func() []policies.Resource {
			sg := res(tSG, "lb-sg", obj{"ingress": []any{obj{"protocol": "tcp", "fromPort": 22, "toPort": 22, "cidrBlocks": []any{"0.0.0.0/0"}}}})
			return rs(sg, dep(res(tLB, "api", obj{}), "securityGroups", sg))
		}(), want: fires},
		{rule: "ec2-open-ingress", name: "443 to an internal lb", rs: func() []policies.Resource {
			sg := res(tSG, "lb-sg", obj{})
			return rs(sg, dep(res(tLB, "api", obj{"internal": true}), "securityGroups", sg),
				dep(res(tSGRule, "https", obj{"type": "ingress", "ipv6CidrBlocks": []any{"::/0"}, "fromPort": 443, "toPort": 443, "protocol": "tcp"}), "securityGroupId", sg))
		}(), want: fires, on: "https"},
		{rule: "ec2-open-ingress", name: "database open to the world", rs: func() []policies.Resource {
			sg := res(tSG, "db-sg", obj{})
			return rs(sg, dep(res(tSGIngress, "pg", obj{"cidrIpv4": "0.0.0.0/0", "fromPort": 5432, "toPort": 5432, "ipProtocol": "tcp"}), "securityGroupId", sg))
		}(), want: fires},
		{rule: "ec2-open-ingress", name: "from the vpc only", rs: func() []policies.Resource {
			sg := res(tSG, "db-sg", obj{"ingress": []any{obj{"protocol": "tcp", "fromPort": 5432, "toPort": 5432, "cidrBlocks": []any{"10.0.0.0/16"}}}})
			return rs(sg)
		}(), want: pass},
		{rule: "ec2-open-ingress", name: "ingress unknown", rs: rs(res(tSG, "sg", obj{"ingress": unknown()})), want: cantTell},
		{rule: "ec2-open-ingress", name: "rule cidr unknown", rs: rs(res(tSGIngress, "in", obj{"cidrIpv4": unknown(), "fromPort": 5432, "toPort": 5432, "ipProtocol": "tcp"})), want: cantTell},
		{rule: "ec2-open-ingress", name: "open rule on an untraceable group", rs: rs(res(tSGIngress, "in", obj{"securityGroupId": "sg-123", "cidrIpv4": "0.0.0.0/0", "fromPort": 443, "toPort": 443, "ipProtocol": "tcp"})), want: fires, on: "in"},

		{rule: "subnet-no-auto-public-ip", name: "private subnet without auto ip", rs: rs(res(tSubnet, "private", obj{})), want: pass},
		{rule: "subnet-no-auto-public-ip", name: "private subnet with auto ip", rs: rs(res(tSubnet, "private", obj{"mapPublicIpOnLaunch": true})), want: fires},
		{rule: "subnet-no-auto-public-ip", name: "public subnet with auto ip is advisory", rs: func() []policies.Resource {
			igw := res(tIGW, "igw", obj{})
			sn := res(tSubnet, "public", obj{"mapPublicIpOnLaunch": true})
			rt := res(tRT, "public-rt", obj{})
			return rs(igw, sn, rt, dep(res(tRoute, "default", obj{"destinationCidrBlock": "0.0.0.0/0"}), "routeTableId", rt),
				dep(dep(res(tRoute, "default", obj{"destinationCidrBlock": "0.0.0.0/0"}), "routeTableId", rt), "gatewayId", igw),
				dep(dep(res(tRTAssoc, "assoc", obj{}), "subnetId", sn), "routeTableId", rt))
		}(), want: advises},
		{rule: "subnet-no-auto-public-ip", name: "unknown", rs: rs(res(tSubnet, "s", obj{"mapPublicIpOnLaunch": unknown()})), want: cantTell},

		{rule: "ec2-imdsv2", name: "required", rs: rs(res(tInstance, "nat", obj{"metadataOptions": obj{"httpTokens": "required"}})), want: pass},
		{rule: "ec2-imdsv2", name: "absent is optional", rs: rs(res(tInstance, "nat", obj{})), want: fires},
		{rule: "ec2-imdsv2", name: "unknown", rs: rs(res(tInstance, "nat", obj{"metadataOptions": obj{"httpTokens": unknown()}})), want: cantTell},

		{rule: "ec2-ebs-encrypted", name: "encrypted", rs: rs(res(tInstance, "nat", obj{"rootBlockDevice": obj{"encrypted": true}})), want: pass},
		{rule: "ec2-ebs-encrypted", name: "absent", rs: rs(res(tInstance, "nat", obj{})), want: fires},

		// --- IAM ----------------------------------------------------------------
		{rule: "iam-no-full-admin", name: "scoped", rs: rs(res(tRolePolicy, "p", obj{"policy": policyDoc(obj{"Effect": "Allow", "Action": []any{"s3:GetObject"}, "Resource": "arn:aws:s3:::b/*"})})), want: pass},
		{rule: "iam-no-full-admin", name: "star on star", rs: rs(res(tRolePolicy, "p", obj{"policy": policyDoc(obj{"Effect": "Allow", "Action": "*", "Resource": "*"})})), want: fires},
		{rule: "iam-no-full-admin", name: "policy not JSON", rs: rs(res(tRolePolicy, "p", obj{"policy": "{not json"})), want: fires},
		{rule: "iam-no-full-admin", name: "star on star in an inline role policy", rs: rs(res(tRole, "r", obj{"inlinePolicies": []any{obj{"name": "x", "policy": policyDoc(obj{"Effect": "Allow", "Action": "*", "Resource": []any{"*"}})}}})), want: fires},
		// PowerUserAccess's shape: Allow NotAction on * grants every action but the listed ones.
		{rule: "iam-no-full-admin", name: "allow NotAction on star", rs: rs(res(tRolePolicy, "p", obj{"policy": policyDoc(obj{"Effect": "Allow", "NotAction": []any{"iam:*", "organizations:*"}, "Resource": "*"})})), want: fires},
		{rule: "iam-no-full-admin", name: "star on NotResource", rs: rs(res(tRolePolicy, "p", obj{"policy": policyDoc(obj{"Effect": "Allow", "Action": "*", "NotResource": "arn:aws:s3:::audit/*"})})), want: fires},
		{rule: "iam-no-full-admin", name: "deny NotAction is fine", rs: rs(res(tRolePolicy, "p", obj{"policy": policyDoc(obj{"Effect": "Deny", "NotAction": "s3:GetObject", "Resource": "*"})})), want: pass},
		{rule: "iam-no-full-admin", name: "deny star is fine", rs: rs(res(tRolePolicy, "p", obj{"policy": policyDoc(obj{"Effect": "Deny", "Action": "*", "Resource": "*"})})), want: pass},
		{rule: "iam-no-full-admin", name: "AWS managed task execution policy", rs: rs(res("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "a", obj{"role": "r", "policyArn": "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"})), want: pass},
		{rule: "iam-no-full-admin", name: "AdministratorAccess attached", rs: rs(res("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "a", obj{"role": "r", "policyArn": "arn:aws:iam::aws:policy/AdministratorAccess"})), want: fires},
		{rule: "iam-no-full-admin", name: "AdministratorAccess in managedPolicyArns", rs: rs(res(tRole, "r", obj{"managedPolicyArns": []any{"arn:aws:iam::aws:policy/AdministratorAccess"}})), want: fires},
		{rule: "iam-no-full-admin", name: "attachment arn unknown", rs: rs(res("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "a", obj{"role": "r", "policyArn": unknown()})), want: cantTell},
		{rule: "iam-no-full-admin", name: "unknown", rs: rs(res(tRolePolicy, "p", obj{"policy": unknown()})), want: cantTell},

		{rule: "iam-no-service-wildcards", name: "named actions", rs: rs(res(tRolePolicy, "p", obj{"policy": policyDoc(obj{"Effect": "Allow", "Action": []any{"logs:PutLogEvents"}, "Resource": "*"})})), want: pass},
		{rule: "iam-no-service-wildcards", name: "s3:* on star", rs: rs(res(tRolePolicy, "p", obj{"policy": policyDoc(obj{"Effect": "Allow", "Action": "s3:*", "Resource": "*"})})), want: fires},
		{rule: "iam-no-service-wildcards", name: "s3:* on one bucket is advisory", rs: rs(res(tRolePolicy, "p", obj{"policy": policyDoc(obj{"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::b/*"})})), want: advises},

		// --- Logs, tags, cost ---------------------------------------------------
		{rule: "logs-retention", name: "7 days", rs: rs(res(tLogGroup, "lg", obj{"retentionInDays": 7})), want: pass},
		{rule: "logs-retention", name: "absent keeps forever", rs: rs(res(tLogGroup, "lg", obj{})), want: fires},
		{rule: "logs-retention", name: "unknown", rs: rs(res(tLogGroup, "lg", obj{"retentionInDays": unknown()})), want: cantTell},

		{rule: "credentials-are-secrets", name: "secret string", rs: rs(res("aws:secretsmanager/secretVersion:SecretVersion", "v", obj{"secretId": "s", "secretString": secret("p4ss")})), want: pass},
		{rule: "credentials-are-secrets", name: "plain string", rs: rs(res("aws:secretsmanager/secretVersion:SecretVersion", "v", obj{"secretId": "s", "secretString": "p4ss"})), want: fires},
		{rule: "credentials-are-secrets", name: "cache user with a secret password", rs: rs(res("aws:elasticache/user:User", "u", obj{"authenticationMode": obj{"type": "password", "passwords": []any{secret("0123456789abcdef")}}})), want: pass},
		{rule: "credentials-are-secrets", name: "cache user with a plain password", rs: rs(res("aws:elasticache/user:User", "u", obj{"passwords": []any{"0123456789abcdef"}})), want: fires},

		{rule: "secrets-rotation", name: "rotation with a function and a schedule", rs: func() []policies.Resource {
			sec := res(tSecret, "cache-auth", obj{})
			return rs(sec, dep(res(tSecretRotation, "cache-auth-rotation", obj{"rotationLambdaArn": "arn:aws:lambda:us-east-1:1:function:rotate", "rotationRules": obj{"automaticallyAfterDays": 30}}), "secretId", sec))
		}(), want: pass},
		// RDS creates and rotates the secret of a managed master password outside the stack: nothing to check here.
		{rule: "secrets-rotation", name: "RDS-managed master password", rs: rs(res(tDB, "db", goodDB)), want: pass},
		{rule: "secrets-rotation", name: "no rotation", rs: rs(res(tSecret, "cache-auth", obj{})), want: fires, on: "cache-auth"},
		{rule: "secrets-rotation", name: "rotation joined by id string only", rs: rs(res(tSecret, "cache-auth", obj{}), res(tSecretRotation, "rot", obj{"secretId": "arn:aws:secretsmanager:us-east-1:1:secret:cache-auth", "rotationLambdaArn": "arn", "rotationRules": obj{"automaticallyAfterDays": 30}})), want: fires, on: "cache-auth"},
		{rule: "secrets-rotation", name: "rotation without a function", rs: func() []policies.Resource {
			sec := res(tSecret, "cache-auth", obj{})
			return rs(sec, dep(res(tSecretRotation, "rot", obj{"rotationRules": obj{"automaticallyAfterDays": 30}}), "secretId", sec))
		}(), want: fires, on: "rot"},
		{rule: "secrets-rotation", name: "rotation without a schedule", rs: func() []policies.Resource {
			sec := res(tSecret, "cache-auth", obj{})
			return rs(sec, dep(res(tSecretRotation, "rot", obj{"rotationLambdaArn": "arn", "rotationRules": obj{"duration": "2h"}}), "secretId", sec))
		}(), want: fires, on: "rot"},
		{rule: "secrets-rotation", name: "rules unknown", rs: func() []policies.Resource {
			sec := res(tSecret, "cache-auth", obj{})
			return rs(sec, dep(res(tSecretRotation, "rot", obj{"rotationLambdaArn": "arn", "rotationRules": unknown()}), "secretId", sec))
		}(), want: cantTell},
		// A secret issued outside AWS (Stripe's keys): an owner, an interval, and a reminder that names it.
		{rule: "secrets-rotation", name: "external with owner, interval and reminder", rs: externalSecret(stripeTags(), "rate(90 days)", true), want: pass},
		{rule: "secrets-rotation", name: "external, reminder more often than the interval", rs: externalSecret(stripeTags(), "rate(30 days)", true), want: pass},
		{rule: "secrets-rotation", name: "external without an owner", rs: externalSecret(obj{"rotation": "external", "rotation-interval-days": "90"}, "rate(90 days)", true), want: fires, on: "stripe-key"},
		{rule: "secrets-rotation", name: "external owner is not an address", rs: externalSecret(obj{"rotation": "external", "rotation-owner": "finance", "rotation-interval-days": "90"}, "rate(90 days)", true), want: fires, on: "stripe-key"},
		{rule: "secrets-rotation", name: "external interval over a year", rs: externalSecret(obj{"rotation": "external", "rotation-owner": "ops@example.com", "rotation-interval-days": "400"}, "rate(400 days)", true), want: fires, on: "stripe-key"},
		{rule: "secrets-rotation", name: "external without a reminder", rs: rs(res(tSecret, "stripe-key", obj{"tags": stripeTags()})), want: fires, on: "stripe-key"},
		{rule: "secrets-rotation", name: "external reminder less often than the interval", rs: externalSecret(stripeTags(), "rate(180 days)", true), want: fires, on: "stripe-key"},
		{rule: "secrets-rotation", name: "external reminder on a cron", rs: externalSecret(stripeTags(), "cron(0 9 1 * ? *)", true), want: fires, on: "stripe-key"},
		{rule: "secrets-rotation", name: "external reminder that does not name the secret", rs: externalSecret(stripeTags(), "rate(90 days)", false), want: fires, on: "stripe-key"},
		{rule: "secrets-rotation", name: "external reminder schedule unknown", rs: externalSecret(stripeTags(), "", true), want: cantTell},

		{rule: "tags-required", name: "own tags", rs: rs(res(tLogGroup, "lg", obj{"tags": obj{"project": "shopstack", "stack": "dev", "managed-by": "pulumi"}})), want: pass},
		{rule: "tags-required", name: "default provider tags from stack config", settings: &policies.Settings{RequiredTags: policies.DefaultRequiredTags, DefaultTags: map[string]string{"project": "shopstack", "stack": "dev", "managed-by": "pulumi"}}, rs: rs(res(tLogGroup, "lg", obj{})), want: pass},
		{rule: "tags-required", name: "explicit provider default tags (JSON string)", rs: func() []policies.Resource {
			pr := res(tProvider, "aws", obj{"defaultTags": jsonStr(obj{"tags": obj{"project": "shopstack", "stack": "dev", "managed-by": "pulumi"}})})
			lg := res(tLogGroup, "lg", obj{})
			lg.Provider = pr.URN
			return rs(pr, lg)
		}(), want: pass},
		{rule: "tags-required", name: "missing stack tag", rs: rs(res(tLogGroup, "lg", obj{"tags": obj{"project": "shopstack", "managed-by": "pulumi"}})), want: fires},
		{rule: "tags-required", name: "tags unknown", rs: rs(res(tLogGroup, "lg", obj{"tags": unknown()})), want: cantTell},

		{rule: "cost-instance-classes", name: "t4g small", rs: rs(res(tDB, "db", goodDB)), want: pass},
		{rule: "cost-instance-classes", name: "serverless", rs: rs(res(tDBClusterIn, "db-1", obj{"instanceClass": "db.serverless"})), want: pass},
		{rule: "cost-instance-classes", name: "previous generation", rs: rs(res(tRepl, "cache", obj{"nodeType": "cache.t2.micro"})), want: fires},
		{rule: "cost-instance-classes", name: "unrecognised class", rs: rs(res(tDB, "db", with(goodDB, obj{"instanceClass": "db.t4g"}))), want: fires},
		{rule: "cost-instance-classes", name: "too large for the stack", settings: &policies.Settings{MaxInstanceSize: "large"}, rs: rs(res(tSearch, "search", with(goodSearch, obj{"clusterConfig": obj{"instanceType": "r7g.2xlarge.search"}}))), want: fires},
		{rule: "cost-instance-classes", name: "unknown", rs: rs(res(tInstance, "nat", obj{"instanceType": unknown()})), want: cantTell},

		{rule: "cost-idle-budget", name: "within budget", settings: &policies.Settings{BudgetUSD: 40, IdleCostUSD: ptr(31.5)}, rs: nil, want: pass},
		{rule: "cost-idle-budget", name: "over budget", settings: &policies.Settings{BudgetUSD: 40, IdleCostUSD: ptr(41.0)}, rs: nil, want: fires},
		{rule: "cost-idle-budget", name: "no budget configured", settings: &policies.Settings{IdleCostUSD: ptr(41.0)}, rs: nil, want: advises},
		{rule: "cost-idle-budget", name: "no estimate", settings: &policies.Settings{BudgetUSD: 40}, rs: nil, want: cantTell},
	}, append(alarmRuleCases(), lambdaRuleCases()...)...)
}

func ptr[T any](v T) *T { return &v }

func TestRules(t *testing.T) {
	t.Parallel()
	for _, tc := range ruleCases() {
		t.Run(tc.rule+"/"+tc.name, func(t *testing.T) {
			t.Parallel()
			rule := ruleByID(t, tc.rule)
			s := dev
			if tc.settings != nil {
				s = *tc.settings
			}
			rep := policies.Evaluate(tc.rs, s, []*policies.Rule{rule})
			var mandatory, advisory, unknowns []policies.Finding
			for _, f := range rep.Findings {
				require.Equal(t, rule.ID, f.Rule)
				switch {
				case f.Outcome == policies.CannotEvaluate:
					assert.Equal(t, policies.Advisory, f.Level, "cannot-evaluate is always advisory")
					unknowns = append(unknowns, f)
				case f.Level == policies.Mandatory:
					mandatory = append(mandatory, f)
				default:
					advisory = append(advisory, f)
				}
			}
			// A rule "fires" at its level in this stack: mandatory findings for a
			// mandatory rule, advisory ones for an advisory rule.
			violations := mandatory
			if rule.LevelIn(s) == policies.Advisory {
				violations = advisory
			}
			switch tc.want {
			case pass:
				assert.Empty(t, rep.Findings)
			case fires:
				require.NotEmpty(t, violations, "findings: %+v", rep.Findings)
				assert.Empty(t, unknowns)
				if tc.on != "" {
					assert.Equal(t, tc.on, violations[0].Name, "%+v", violations)
				}
			case advises:
				assert.Empty(t, mandatory, "%+v", mandatory)
				assert.Empty(t, unknowns)
				assert.NotEmpty(t, advisory)
			case cantTell:
				assert.Empty(t, mandatory, "%+v", mandatory)
				assert.Empty(t, advisory, "%+v", advisory)
				assert.NotEmpty(t, unknowns)
			}
		})
	}
}

// TestEveryRuleFiresAndPasses proves the fixtures cover each rule both ways.
func TestEveryRuleFiresAndPasses(t *testing.T) {
	t.Parallel()
	seen := map[string]map[expect]bool{}
	for _, tc := range ruleCases() {
		if seen[tc.rule] == nil {
			seen[tc.rule] = map[expect]bool{}
		}
		seen[tc.rule][tc.want] = true
	}
	ids := map[string]bool{}
	for _, r := range policies.All() {
		assert.False(t, ids[r.ID], "duplicate rule id %s", r.ID)
		ids[r.ID] = true
		assert.NotEmpty(t, r.Title, r.ID)
		assert.NotEmpty(t, r.Rationale, r.ID)
		assert.Contains(t, []policies.Level{policies.Mandatory, policies.Advisory}, r.Level, r.ID)
		assert.True(t, (r.Check == nil) != (r.CheckStack == nil), "%s: exactly one of Check and CheckStack", r.ID)
		assert.True(t, seen[r.ID][fires], "%s has no fixture that fires", r.ID)
		assert.True(t, seen[r.ID][pass], "%s has no fixture that passes", r.ID)
	}
	for id := range seen {
		assert.True(t, ids[id], "fixtures for unknown rule %s", id)
	}
}

// edgeFixture is a load balancer (internal or not) behind a VPC origin and a
// distribution with a web ACL of scope (none when "").
func edgeFixture(internal bool, scope string) []policies.Resource {
	lb := res(tLB, "api", obj{"internal": internal})
	vo := dep(res(tVpcOrigin, "api-origin", obj{}), "vpcOriginEndpointConfig", lb)
	cdn := dep(res(tDist, "cdn", obj{}), "origins", vo)
	if scope == "" {
		return []policies.Resource{lb, vo, cdn}
	}
	acl := res(tWebACL, "edge", obj{"scope": scope})
	return []policies.Resource{lb, vo, acl, dep(cdn, "webAclId", acl)}
}

func stripeTags() obj {
	return obj{"rotation": "external", "rotation-owner": "ops@example.com", "rotation-interval-days": "90"}
}

// externalSecret is a secret with tags, an EventBridge rule on schedule ("" = unknown) and a target of that
// rule whose input came from the secret (named) or not.
func externalSecret(tags obj, schedule string, named bool) []policies.Resource {
	sec := res(tSecret, "stripe-key", obj{"tags": tags})
	var expr any = schedule
	if schedule == "" {
		expr = unknown()
	}
	rule := res("aws:cloudwatch/eventRule:EventRule", "reminder", obj{"scheduleExpression": expr})
	target := dep(res("aws:cloudwatch/eventTarget:EventTarget", "reminder", obj{"rule": "reminder", "arn": "arn:aws:sns:us-east-1:1:alarms", "input": "{}"}), "rule", rule)
	if named {
		target = dep(target, "input", sec)
	}
	return []policies.Resource{sec, rule, target}
}

const tPlan = "aws:pricingplanmanager/subscription:Subscription"

// flatRate is a distribution with its web ACL on the Free plan; dist adds the distribution's inputs, and
// listed, when set, is the web ACL the plan lists instead of the distribution's.
func flatRate(dist obj, listed *policies.Resource) []policies.Resource {
	acl := res(tWebACL, "edge", obj{"scope": "CLOUDFRONT"})
	cdn := dep(res(tDist, "cdn", dist), "webAclId", acl)
	onPlan := acl
	if listed != nil {
		onPlan = *listed
	}
	sub := dep(res(tPlan, "plan", obj{"planFamily": "CloudFront", "planTier": "FREE", "resourceArns": []any{"cdn", "acl"}}),
		"resourceArns", cdn, onPlan)
	out := []policies.Resource{acl, cdn}
	if listed != nil {
		out = append(out, *listed)
	}
	return append(out, sub)
}

func withInput(r policies.Resource, key string, v any) policies.Resource {
	in := r.Inputs.Copy()
	in[resource.PropertyKey(key)] = resource.NewPropertyValue(v)
	r.Inputs = in
	return r
}
