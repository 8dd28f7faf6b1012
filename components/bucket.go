package components

import (
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/s3"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// privateBucketArgs configures newPrivateBucket. The hardening (public access
// blocks, BucketOwnerEnforced, encryption, TLS-only policy) is not optional.
type privateBucketArgs struct {
	// Versioned turns versioning on. Default false.
	Versioned bool
	// ForceDestroy lets `pulumi destroy` delete a bucket that still holds objects. Default false.
	ForceDestroy bool
	// KmsKeyArn switches encryption from SSE-S3 (AES256, the default) to SSE-KMS
	// under this key, with an S3 bucket key to keep KMS request costs down.
	KmsKeyArn pulumi.StringInput
	// LifecycleRules become the bucket's lifecycle configuration. Default none.
	LifecycleRules s3.BucketLifecycleConfigurationV2RuleArray
}

// privateBucket is a private, encrypted S3 bucket with its hardening resources.
// Its policy is attached separately (attachPolicy) because a caller's statements
// may name a resource that needs the bucket first, e.g. a CloudFront distribution
// whose origin is this bucket.
type privateBucket struct {
	name   string
	parent pulumi.Resource

	Bucket            *s3.BucketV2
	PublicAccessBlock *s3.BucketPublicAccessBlock
	Ownership         *s3.BucketOwnershipControls
	Encryption        *s3.BucketServerSideEncryptionConfigurationV2
	Versioning        *s3.BucketVersioningV2             // nil unless Versioned
	Lifecycle         *s3.BucketLifecycleConfigurationV2 // nil without LifecycleRules
	Policy            *s3.BucketPolicy                   // set by attachPolicy
}

// newPrivateBucket creates the bucket `name` and its hardening children
// (`name-public-access`, `-ownership`, `-encryption`, `-versioning`, `-lifecycle`),
// all parented to parent. Call attachPolicy exactly once afterwards.
func newPrivateBucket(ctx *pulumi.Context, name string, parent pulumi.Resource, args privateBucketArgs) (*privateBucket, error) {
	opts := []pulumi.ResourceOption{pulumi.Parent(parent)}
	b := &privateBucket{name: name, parent: parent}
	var err error

	b.Bucket, err = s3.NewBucketV2(ctx, name, &s3.BucketV2Args{
		ForceDestroy: pulumi.Bool(args.ForceDestroy),
	}, opts...)
	if err != nil {
		return nil, err
	}
	b.PublicAccessBlock, err = s3.NewBucketPublicAccessBlock(ctx, name+"-public-access", &s3.BucketPublicAccessBlockArgs{
		Bucket:                b.Bucket.ID(),
		BlockPublicAcls:       pulumi.Bool(true),
		BlockPublicPolicy:     pulumi.Bool(true),
		IgnorePublicAcls:      pulumi.Bool(true),
		RestrictPublicBuckets: pulumi.Bool(true),
	}, opts...)
	if err != nil {
		return nil, err
	}
	b.Ownership, err = s3.NewBucketOwnershipControls(ctx, name+"-ownership", &s3.BucketOwnershipControlsArgs{
		Bucket: b.Bucket.ID(),
		Rule:   &s3.BucketOwnershipControlsRuleArgs{ObjectOwnership: pulumi.String("BucketOwnerEnforced")},
	}, opts...)
	if err != nil {
		return nil, err
	}
	b.Encryption, err = s3.NewBucketServerSideEncryptionConfigurationV2(ctx, name+"-encryption",
		&s3.BucketServerSideEncryptionConfigurationV2Args{
			Bucket: b.Bucket.ID(),
			Rules:  s3.BucketServerSideEncryptionConfigurationV2RuleArray{encryptionRule(args.KmsKeyArn)},
		}, opts...)
	if err != nil {
		return nil, err
	}
	if args.Versioned {
		b.Versioning, err = s3.NewBucketVersioningV2(ctx, name+"-versioning", &s3.BucketVersioningV2Args{
			Bucket:                  b.Bucket.ID(),
			VersioningConfiguration: &s3.BucketVersioningV2VersioningConfigurationArgs{Status: pulumi.String("Enabled")},
		}, opts...)
		if err != nil {
			return nil, err
		}
	}
	if len(args.LifecycleRules) > 0 {
		lifecycleOpts := opts
		if b.Versioning != nil {
			// Noncurrent-version rules mean nothing until versioning is on.
			lifecycleOpts = append(lifecycleOpts, pulumi.DependsOn([]pulumi.Resource{b.Versioning}))
		}
		b.Lifecycle, err = s3.NewBucketLifecycleConfigurationV2(ctx, name+"-lifecycle", &s3.BucketLifecycleConfigurationV2Args{
			Bucket: b.Bucket.ID(),
			Rules:  args.LifecycleRules,
		}, lifecycleOpts...)
		if err != nil {
			return nil, err
		}
	}
	return b, nil
}

// encryptionRule is SSE-S3, or SSE-KMS under kmsKeyArn with an S3 bucket key.
func encryptionRule(kmsKeyArn pulumi.StringInput) *s3.BucketServerSideEncryptionConfigurationV2RuleArgs {
	if kmsKeyArn == nil {
		return &s3.BucketServerSideEncryptionConfigurationV2RuleArgs{
			ApplyServerSideEncryptionByDefault: &s3.BucketServerSideEncryptionConfigurationV2RuleApplyServerSideEncryptionByDefaultArgs{
				SseAlgorithm: pulumi.String("AES256"),
			},
		}
	}
	return &s3.BucketServerSideEncryptionConfigurationV2RuleArgs{
		ApplyServerSideEncryptionByDefault: &s3.BucketServerSideEncryptionConfigurationV2RuleApplyServerSideEncryptionByDefaultArgs{
			SseAlgorithm:   pulumi.String("aws:kms"),
			KmsMasterKeyId: kmsKeyArn,
		},
		BucketKeyEnabled: pulumi.Bool(true),
	}
}

// attachPolicy creates `name-policy`: a deny of every request not made over TLS,
// followed by the caller's statements (IAM policy JSON objects; use b.Bucket.Arn
// in their Resource). It waits for the public access block, so a policy is never
// evaluated against a bucket that still allows public policies.
func (b *privateBucket) attachPolicy(ctx *pulumi.Context, statements ...pulumi.Map) error {
	all := pulumi.Array{pulumi.Map{
		"Sid":       pulumi.String("DenyInsecureTransport"),
		"Effect":    pulumi.String("Deny"),
		"Principal": pulumi.String("*"),
		"Action":    pulumi.String("s3:*"),
		"Resource": pulumi.StringArray{
			b.Bucket.Arn,
			pulumi.Sprintf("%s/*", b.Bucket.Arn),
		},
		"Condition": pulumi.Map{"Bool": pulumi.Map{"aws:SecureTransport": pulumi.String("false")}},
	}}
	for _, s := range statements {
		all = append(all, s)
	}
	var err error
	b.Policy, err = s3.NewBucketPolicy(ctx, b.name+"-policy", &s3.BucketPolicyArgs{
		Bucket: b.Bucket.ID(),
		Policy: pulumi.JSONMarshal(pulumi.Map{
			"Version":   pulumi.String("2012-10-17"),
			"Statement": all,
		}),
	}, pulumi.Parent(b.parent), pulumi.DependsOn([]pulumi.Resource{b.PublicAccessBlock}))
	return err
}
