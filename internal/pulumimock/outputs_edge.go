package pulumimock

import (
	"fmt"

	"github.com/shopstack/shopstack/internal/awstype"
)

// edgeKinds: S3, CloudFront and WAF.
var edgeKinds = map[string]kind{
	awstype.S3BucketV2: {name: "bucket", compute: func(f *fill) {
		f.set("arn", "arn:aws:s3:::"+f.name)
		f.set("bucketDomainName", f.name+".s3.amazonaws.com")
		f.set("bucketRegionalDomainName", fmt.Sprintf("%s.s3.%s.amazonaws.com", f.name, f.region))
		f.set("hostedZoneId", "Z3AQBSTGFYJSTF") // S3's hosted zone in us-east-1
		f.set("region", f.region)
	}},

	awstype.CloudfrontDistribution: {compute: func(f *fill) {
		f.id = "E" + mockIDUpper(f.h, 9)
		f.arn("cloudfront", "distribution/"+f.id)
		f.set("domainName", mockID(f.h, 13)+".cloudfront.net")
		f.set("hostedZoneId", "Z2FDTNDATAQYW2") // CloudFront's hosted zone, the same everywhere
		f.set("status", "Deployed")
		etag(f)
	}},
	awstype.CloudfrontOriginAccessControl:   {name: "name", compute: cloudfrontID},
	awstype.CloudfrontOriginAccessIdentity:  {compute: cloudfrontID},
	awstype.CloudfrontResponseHeadersPolicy: {name: "name", compute: cloudfrontPolicy},
	awstype.CloudfrontCachePolicy:           {name: "name", compute: cloudfrontPolicy},
	awstype.CloudfrontOriginRequestPolicy:   {name: "name", compute: cloudfrontPolicy},
	awstype.CloudfrontFunction: {name: "name", compute: func(f *fill) {
		f.arn("cloudfront", "function/"+f.name)
		etag(f)
	}},
	awstype.CloudfrontVpcOrigin: {compute: func(f *fill) {
		f.id = "vo_" + mockID(f.h, 16)
		f.arn("cloudfront", "vpcorigin/"+f.id)
	}},

	awstype.Wafv2WebAcl: {name: "name", compute: func(f *fill) {
		f.id = f.uuid()
		f.arn("wafv2", fmt.Sprintf("%s/webacl/%s/%s", wafScope(f), f.name, f.id))
		f.set("capacity", float64(700))
		f.set("lockToken", mockUUID(hash(f.res.URN, "lock")))
	}},
	awstype.Wafv2IpSet: {name: "name", compute: func(f *fill) {
		f.id = f.uuid()
		f.arn("wafv2", fmt.Sprintf("regional/ipset/%s/%s", f.name, f.id))
	}},
	awstype.Wafv2RuleGroup: {name: "name"},
}

// wafScope is the ARN's scope part: "global" for a CLOUDFRONT-scope web ACL
// (which lives in us-east-1), "regional" otherwise.
func wafScope(f *fill) string {
	if v, ok := f.res.Inputs["scope"]; ok && v.IsString() && v.StringValue() == "CLOUDFRONT" {
		return "global"
	}
	return "regional"
}

func etag(f *fill) { f.set("etag", "E"+mockIDUpper(f.h[13:], 9)) }

// cloudfrontID is the id of CloudFront's origin access controls and identities.
func cloudfrontID(f *fill) {
	f.id = "E" + mockIDUpper(f.h, 9)
	etag(f)
}

// cloudfrontPolicy is the id of CloudFront's cache, origin request and response headers policies.
func cloudfrontPolicy(f *fill) {
	f.id = f.uuid()
	etag(f)
}
