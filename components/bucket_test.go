package components

import (
	"encoding/json"
	"testing"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/s3"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shopstack/shopstack/internal/pulumimock"
)

const (
	bktBucket     = "aws:s3/bucketV2:BucketV2"
	bktPAB        = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
	bktOwnership  = "aws:s3/bucketOwnershipControls:BucketOwnershipControls"
	bktSSE        = "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2"
	bktVersioning = "aws:s3/bucketVersioningV2:BucketVersioningV2"
	bktLifecycle  = "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2"
	bktPolicy     = "aws:s3/bucketPolicy:BucketPolicy"
)

type bucketHost struct{ pulumi.ResourceState }

func runBucket(t *testing.T, args privateBucketArgs, extra func(b *privateBucket) []pulumi.Map, opts ...pulumimock.RunOption) (*pulumimock.Recorder, string) {
	t.Helper()
	var hostURN pulumi.URNOutput
	rec := pulumimock.Run(t, func(ctx *pulumi.Context) error {
		host := &bucketHost{}
		if err := ctx.RegisterComponentResource("shopstack:test:Host", "host", host); err != nil {
			return err
		}
		hostURN = host.URN()
		b, err := newPrivateBucket(ctx, "host-files", host, args)
		if err != nil {
			return err
		}
		var statements []pulumi.Map
		if extra != nil {
			statements = extra(b)
		}
		return b.attachPolicy(ctx, statements...)
	}, opts...)
	return rec, pulumimock.Await[string](t, hostURN)
}

func bucketPolicy(t *testing.T, rec *pulumimock.Recorder, name string) map[string]any {
	t.Helper()
	var doc map[string]any
	require.NoError(t, json.Unmarshal([]byte(rec.Must(t, bktPolicy, name).Str("policy")), &doc))
	return doc
}

func TestBucketDefaultsArePrivateEncryptedAndTLSOnly(t *testing.T) {
	t.Parallel()
	rec, host := runBucket(t, privateBucketArgs{}, nil)
	bucket := rec.Must(t, bktBucket, "host-files")
	pab := rec.Must(t, bktPAB, "host-files-public-access")

	t.Run("bucket", func(t *testing.T) {
		assert.Equal(t, host, bucket.Parent)
		assert.False(t, bucket.Bool("forceDestroy"))
		assert.False(t, bucket.Has("bucket"), "no fixed physical name: two stacks never collide")
		assert.False(t, bucket.Has("acl"), "no ACLs: ownership is enforced")
	})

	t.Run("public access block", func(t *testing.T) {
		assert.Equal(t, host, pab.Parent)
		for _, k := range []string{"blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"} {
			assert.True(t, pab.Bool(k), k)
		}
		assert.Equal(t, bucket.ID, pab.Str("bucket"))
	})

	t.Run("ownership", func(t *testing.T) {
		own := rec.Must(t, bktOwnership, "host-files-ownership")
		assert.Equal(t, "BucketOwnerEnforced", own.Str("rule.objectOwnership"))
	})

	t.Run("encryption is SSE-S3", func(t *testing.T) {
		sse := rec.Must(t, bktSSE, "host-files-encryption")
		assert.Equal(t, "AES256", sse.Str("rules[0].applyServerSideEncryptionByDefault.sseAlgorithm"))
		assert.False(t, sse.Has("rules[0].applyServerSideEncryptionByDefault.kmsMasterKeyId"))
	})

	t.Run("versioning and lifecycle are opt-in", func(t *testing.T) {
		assert.Empty(t, rec.ByType(bktVersioning, bktLifecycle), "versioning and lifecycle are opt-in")
	})

	t.Run("policy denies plain HTTP", func(t *testing.T) {
		arn := bucket.Out("arn").StringValue()
		policy := rec.Must(t, bktPolicy, "host-files-policy")
		assert.Equal(t, host, policy.Parent)
		assert.Contains(t, policy.Dependencies, pab.URN, "policy waits for the public access block")
		doc := bucketPolicy(t, rec, "host-files-policy")
		require.Len(t, doc["Statement"], 1)
		deny := doc["Statement"].([]any)[0].(map[string]any)
		assert.Equal(t, "Deny", deny["Effect"])
		assert.Equal(t, "*", deny["Principal"])
		assert.Equal(t, "s3:*", deny["Action"])
		assert.Equal(t, []any{arn, arn + "/*"}, deny["Resource"])
		assert.Equal(t, map[string]any{"Bool": map[string]any{"aws:SecureTransport": "false"}}, deny["Condition"])
	})
}

func TestBucketOptions(t *testing.T) {
	t.Parallel()
	rec, _ := runBucket(t, privateBucketArgs{
		Versioned:    true,
		ForceDestroy: true,
		KmsKeyArn:    pulumi.String("arn:aws:kms:us-east-1:123456789012:key/k"),
		LifecycleRules: s3.BucketLifecycleConfigurationV2RuleArray{&s3.BucketLifecycleConfigurationV2RuleArgs{
			Id: pulumi.String("r"), Status: pulumi.String("Enabled"),
		}},
	}, func(b *privateBucket) []pulumi.Map {
		return []pulumi.Map{{
			"Sid":       pulumi.String("AllowReader"),
			"Effect":    pulumi.String("Allow"),
			"Principal": pulumi.Map{"Service": pulumi.String("cloudfront.amazonaws.com")},
			"Action":    pulumi.String("s3:GetObject"),
			"Resource":  pulumi.Sprintf("%s/*", b.Bucket.Arn),
		}}
	})

	t.Run("force destroy", func(t *testing.T) {
		assert.True(t, rec.Must(t, bktBucket, "host-files").Bool("forceDestroy"))
	})

	t.Run("SSE-KMS with a bucket key", func(t *testing.T) {
		sse := rec.Must(t, bktSSE, "host-files-encryption")
		assert.Equal(t, "aws:kms", sse.Str("rules[0].applyServerSideEncryptionByDefault.sseAlgorithm"))
		assert.Equal(t, "arn:aws:kms:us-east-1:123456789012:key/k", sse.Str("rules[0].applyServerSideEncryptionByDefault.kmsMasterKeyId"))
		assert.True(t, sse.Bool("rules[0].bucketKeyEnabled"))
	})

	t.Run("lifecycle waits for versioning", func(t *testing.T) {
		versioning := rec.Must(t, bktVersioning, "host-files-versioning")
		assert.Equal(t, "Enabled", versioning.Str("versioningConfiguration.status"))
		lifecycle := rec.Must(t, bktLifecycle, "host-files-lifecycle")
		assert.Contains(t, lifecycle.Dependencies, versioning.URN)
	})

	t.Run("caller statements follow the TLS deny", func(t *testing.T) {
		doc := bucketPolicy(t, rec, "host-files-policy")
		statements := doc["Statement"].([]any)
		require.Len(t, statements, 2)
		assert.Equal(t, "DenyInsecureTransport", statements[0].(map[string]any)["Sid"], "the TLS deny always comes first")
		assert.Equal(t, "AllowReader", statements[1].(map[string]any)["Sid"])
	})
}

func TestBucketPolicyIsUnknownNotBrokenInPreview(t *testing.T) {
	t.Parallel()
	rec, _ := runBucket(t, privateBucketArgs{}, nil, pulumimock.WithPreview())
	policy := rec.Must(t, bktPolicy, "host-files-policy")
	assert.Equal(t, pulumimock.UnknownMarker, pulumimock.Plain(policy.Inputs, true)["policy"])
}
