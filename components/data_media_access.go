package components

import (
	"errors"
	"slices"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/s3"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// MediaDistributionArgs is what ServeMedia needs from the distribution that serves the media bucket.
type MediaDistributionArgs struct {
	// DistributionArn is the only distribution that may read PublicPrefix (StaticSite.DistributionArn). Required.
	DistributionArn pulumi.StringInput
	// UploadOrigins are the web origins ("https://shop.example.com", StaticSite.Url) whose pages may PUT to
	// UploadsPrefix through a presigned URL (the bucket's CORS rule). Required: at least one.
	UploadOrigins []pulumi.StringInput
}

// ServeMedia finishes a media bucket made with Media.ServedByCloudFront, once its distribution exists:
// `name-media-policy` (TLS only, plus s3:GetObject on PublicPrefix for that distribution alone, through
// its origin access control) and `name-media-cors` (browser PUTs of uploads from UploadOrigins only). Call
// it exactly once.
//
// With KmsKeyArn the objects are SSE-KMS: the key's owner must also let the distribution decrypt, in the
// key's policy (MediaKeyPolicyStatement); a bucket policy cannot grant that.
func (d *Data) ServeMedia(ctx *pulumi.Context, args MediaDistributionArgs) error {
	switch {
	case !d.mediaArgs.ServedByCloudFront:
		return componentError("data", d.name, errors.New("ServeMedia: DataArgs.Media.ServedByCloudFront is false, the bucket policy is attached already"))
	case d.mediaServed:
		return componentError("data", d.name, errors.New("ServeMedia: called twice (a bucket has one policy)"))
	case args.DistributionArn == nil || len(args.UploadOrigins) == 0:
		return componentError("data", d.name, errors.New("ServeMedia: DistributionArn and at least one UploadOrigins entry are required"))
	}
	d.mediaServed = true
	b := d.mediaBucket
	if err := b.attachPolicy(ctx, pulumi.Map{
		"Sid":       pulumi.String("AllowCloudFrontReadPublicMedia"),
		"Effect":    pulumi.String("Allow"),
		"Principal": pulumi.Map{"Service": pulumi.String("cloudfront.amazonaws.com")},
		"Action":    pulumi.String("s3:GetObject"),
		"Resource":  pulumi.Sprintf("%s/%s*", b.Bucket.Arn, d.mediaArgs.PublicPrefix),
		"Condition": pulumi.Map{"StringEquals": pulumi.Map{"AWS:SourceArn": args.DistributionArn}},
	}); err != nil {
		return err
	}
	_, err := s3.NewBucketCorsConfigurationV2(ctx, d.name+"-media-cors", &s3.BucketCorsConfigurationV2Args{
		Bucket: b.Bucket.ID(),
		CorsRules: s3.BucketCorsConfigurationV2CorsRuleArray{
			// The presigned PUT signs Content-Type and If-None-Match (the slot takes its bytes once), so the
			// browser sends exactly those headers; nothing else is allowed, and no other method: reads go
			// through CloudFront, same-origin.
			&s3.BucketCorsConfigurationV2CorsRuleArgs{
				Id:             pulumi.String("browser-uploads"),
				AllowedMethods: pulumi.StringArray{pulumi.String("PUT")},
				AllowedOrigins: pulumi.StringArray(slices.Clone(args.UploadOrigins)),
				AllowedHeaders: pulumi.StringArray{pulumi.String("Content-Type"), pulumi.String("If-None-Match")},
				ExposeHeaders:  pulumi.StringArray{pulumi.String("ETag")},
				MaxAgeSeconds:  pulumi.Int(3600),
			},
		},
	}, pulumi.Parent(d), pulumi.DependsOn([]pulumi.Resource{b.Policy}))
	return err
}

// MediaTaskStatements are the service's rights on the media bucket: read and write objects under exactly
// the three prefixes it uses (uploads it presigns for browsers, product images, invoices), list the bucket
// (without s3:ListBucket S3 answers a missing key with 403, not 404, and the service could not tell "not
// made yet" from "forbidden"), and, with KmsKeyArn, the key's data keys (SSE-KMS reads and writes). No
// delete: unfinished uploads expire by lifecycle, and the bucket is versioned.
func (d *Data) MediaTaskStatements() []PolicyStatement {
	arn, m := d.mediaBucket.Bucket.Arn, d.mediaArgs
	out := []PolicyStatement{
		{Actions: []string{"s3:ListBucket"}, Resources: []pulumi.StringInput{arn}},
		{Actions: []string{"s3:GetObject", "s3:PutObject"}, Resources: []pulumi.StringInput{
			pulumi.Sprintf("%s/%s*", arn, m.UploadsPrefix),
			pulumi.Sprintf("%s/%s*", arn, m.PublicPrefix),
			pulumi.Sprintf("%s/%s*", arn, m.InvoicesPrefix),
		}},
	}
	if d.mediaKmsKey != nil {
		out = append(out, PolicyStatement{Actions: []string{"kms:GenerateDataKey", "kms:Decrypt"}, Resources: []pulumi.StringInput{d.mediaKmsKey}})
	}
	return out
}

// WorkMarkerObject is the work marker's name under Media.WorkPrefix.
const WorkMarkerObject = "due.json"

// MediaWorkMarkerKey is the Lambda work event's marker object in the media bucket (SHOP_WORK_MARKER).
func (d *Data) MediaWorkMarkerKey() string { return d.mediaArgs.WorkPrefix + WorkMarkerObject }

// MediaWorkMarkerStatements add a Lambda function's rights on its work marker to MediaTaskStatements: read
// and write that one object (conditional writes need nothing more than s3:PutObject). MediaTaskStatements
// carry the rest: s3:ListBucket, which makes a missing marker a 404 rather than a 403, and the SSE-KMS key.
func (d *Data) MediaWorkMarkerStatements() []PolicyStatement {
	return []PolicyStatement{{Actions: []string{"s3:GetObject", "s3:PutObject"}, Resources: []pulumi.StringInput{
		pulumi.Sprintf("%s/%s", d.mediaBucket.Bucket.Arn, d.MediaWorkMarkerKey()),
	}}}
}

// MediaKeyPolicyStatement is the key policy statement an SSE-KMS media bucket's key needs for CloudFront to
// serve it: decrypt, for the one distribution (AWS:SourceArn), as CloudFront's OAC documentation gives it.
// Add it to the key's own policy; Data cannot, since it does not own the key.
func MediaKeyPolicyStatement(distributionArn pulumi.StringInput) pulumi.Map {
	return pulumi.Map{
		"Sid":       pulumi.String("AllowCloudFrontDecryptMedia"),
		"Effect":    pulumi.String("Allow"),
		"Principal": pulumi.Map{"Service": pulumi.String("cloudfront.amazonaws.com")},
		"Action":    pulumi.StringArray{pulumi.String("kms:Decrypt")},
		"Resource":  pulumi.String("*"),
		"Condition": pulumi.Map{"StringEquals": pulumi.Map{"AWS:SourceArn": distributionArn}},
	}
}
