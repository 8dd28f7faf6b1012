package components_test

import (
	"encoding/json"
	"testing"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/s3"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shopstack/shopstack/components"
	"github.com/shopstack/shopstack/internal/pulumimock"
)

const rtLifecycle = "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2"

func runLogBucket(t *testing.T, args *components.LogBucketArgs, opts ...pulumimock.RunOption) (*pulumimock.Recorder, *components.LogBucket) {
	t.Helper()
	var lb *components.LogBucket
	rec := pulumimock.Run(t, func(ctx *pulumi.Context) error {
		var err error
		lb, err = components.NewLogBucket(ctx, "logs", args)
		return err
	}, opts...)
	return rec, lb
}

func logPolicy(t *testing.T, rec *pulumimock.Recorder) bucketPolicyDoc {
	t.Helper()
	var doc bucketPolicyDoc
	require.NoError(t, json.Unmarshal([]byte(rec.Must(t, rtBucketPolicy, "logs-bucket-policy").Str("policy")), &doc))
	return doc
}

func TestLogBucketIsHardenedAndExpires(t *testing.T) {
	t.Parallel()
	rec, lb := runLogBucket(t, &components.LogBucketArgs{LoadBalancerPrefixes: []string{"api"}, CloudFront: true})
	comp := rec.Must(t, components.LogBucketType, "logs")
	bucket := rec.Must(t, rtBucket, "logs-bucket")
	arn := bucket.Out("arn").StringValue()

	t.Run("outputs wait for the bucket policy", func(t *testing.T) {
		assert.Equal(t, comp.URN, bucket.Parent)
		assert.False(t, bucket.Bool("forceDestroy"))
		assert.Equal(t, bucket.Out("bucket").StringValue(), pulumimock.Await[string](t, lb.BucketName))
		var user *components.LogBucket
		users := pulumimock.Run(t, func(ctx *pulumi.Context) error {
			var err error
			if user, err = components.NewLogBucket(ctx, "logs", &components.LogBucketArgs{CloudFront: true}); err != nil {
				return err
			}
			_, err = s3.NewBucketObjectv2(ctx, "marker", &s3.BucketObjectv2Args{Bucket: user.BucketName, Key: pulumi.String("marker")})
			if err != nil {
				return err
			}
			_, err = s3.NewBucketObjectv2(ctx, "marker-arn", &s3.BucketObjectv2Args{Bucket: pulumi.String("b"), Key: user.BucketArn})
			return err
		})
		policyURN := users.Must(t, rtBucketPolicy, "logs-bucket-policy").URN
		assert.True(t, users.Must(t, rtObject, "marker").DependsOn("bucket", policyURN), "BucketName waits for the bucket policy")
		assert.True(t, users.Must(t, rtObject, "marker-arn").DependsOn("key", policyURN), "BucketArn waits for the bucket policy")
		assert.Equal(t, arn, pulumimock.Await[string](t, lb.BucketArn))
	})

	t.Run("bucket is hardened", func(t *testing.T) {
		pab := rec.Must(t, rtPAB, "logs-bucket-public-access")
		for _, flag := range []string{"blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"} {
			assert.True(t, pab.Bool(flag), flag)
		}
		assert.Equal(t, "BucketOwnerEnforced", rec.Must(t, rtOwnership, "logs-bucket-ownership").Str("rule.objectOwnership"))
		sse := rec.Must(t, rtSSE, "logs-bucket-encryption")
		assert.Equal(t, "AES256", sse.Str("rules[0].applyServerSideEncryptionByDefault.sseAlgorithm"),
			"SSE-S3: the only encryption ELB access logs can be delivered to")
	})

	t.Run("logs expire", func(t *testing.T) {
		life := rec.Must(t, rtLifecycle, "logs-bucket-lifecycle")
		assert.Equal(t, "Enabled", life.Str("rules[0].status"))
		assert.Equal(t, 90.0, life.Num("rules[0].expiration.days"), "logs expire after 90 days by default")
		assert.Equal(t, 1.0, life.Num("rules[0].abortIncompleteMultipartUpload.daysAfterInitiation"))
		assert.Empty(t, rec.ByType("aws:s3/bucketVersioningV2:BucketVersioningV2"), "logs are written once: no versions to keep")
	})

	doc := logPolicy(t, rec)
	require.Len(t, doc.Statement, 3)

	t.Run("policy denies plain HTTP", func(t *testing.T) {
		tls := doc.Statement[0]
		assert.Equal(t, "Deny", tls.Effect)
		assert.Equal(t, "false", tls.Condition["Bool"]["aws:SecureTransport"])
	})

	t.Run("policy lets the region's ELB write under the prefix", func(t *testing.T) {
		elb := doc.Statement[1]
		assert.Equal(t, "Allow", elb.Effect)
		assert.Equal(t, map[string]any{"AWS": "arn:aws:iam::127311923021:root"}, elb.Principal,
			"us-east-1 opened before August 2022: AWS documents its ELB account as the log delivery principal")
		assert.Equal(t, "s3:PutObject", elb.Action)
		assert.Equal(t, []any{arn + "/api/AWSLogs/123456789012/*"}, elb.Resource, "only this account's logs under the Api's prefix")
	})

	t.Run("policy lets this account's CloudFront log delivery write", func(t *testing.T) {
		cf := doc.Statement[2]
		assert.Equal(t, map[string]any{"Service": "delivery.logs.amazonaws.com"}, cf.Principal)
		assert.Equal(t, "s3:PutObject", cf.Action)
		assert.Equal(t, arn+"/*", cf.Resource)
		assert.Equal(t, "123456789012", cf.Condition["StringEquals"]["aws:SourceAccount"])
		assert.Equal(t, "bucket-owner-full-control", cf.Condition["StringEquals"]["s3:x-amz-acl"])
		assert.Equal(t, "arn:aws:logs:us-east-1:123456789012:delivery-source:*", cf.Condition["ArnLike"]["aws:SourceArn"],
			"only this account's delivery sources, in us-east-1 where CloudFront's are")
	})
}

func TestLogBucketGrantsOnlyWhatIsAsked(t *testing.T) {
	t.Parallel()
	t.Run("CloudFront only", func(t *testing.T) {
		rec, _ := runLogBucket(t, &components.LogBucketArgs{CloudFront: true, ExpirationDays: 30, ForceDestroy: true})
		doc := logPolicy(t, rec)
		require.Len(t, doc.Statement, 2, "no ELB statement without LoadBalancerPrefixes")
		assert.Equal(t, map[string]any{"Service": "delivery.logs.amazonaws.com"}, doc.Statement[1].Principal)
		assert.Equal(t, 30.0, rec.Must(t, rtLifecycle, "logs-bucket-lifecycle").Num("rules[0].expiration.days"))
		assert.True(t, rec.Must(t, rtBucket, "logs-bucket").Bool("forceDestroy"))
	})

	t.Run("load balancers only", func(t *testing.T) {
		rec, _ := runLogBucket(t, &components.LogBucketArgs{LoadBalancerPrefixes: []string{"api", "admin/lb"}})
		doc := logPolicy(t, rec)
		require.Len(t, doc.Statement, 2, "no vended-log statement without CloudFront")
		arn := rec.Must(t, rtBucket, "logs-bucket").Out("arn").StringValue()
		assert.Equal(t, []any{arn + "/api/AWSLogs/123456789012/*", arn + "/admin/lb/AWSLogs/123456789012/*"}, doc.Statement[1].Resource)
	})
}

func TestLogBucketUsesTheRegionsELBPrincipal(t *testing.T) {
	t.Parallel()
	t.Run("a Region opened before August 2022 names its ELB account", func(t *testing.T) {
		rec, _ := runLogBucket(t, &components.LogBucketArgs{LoadBalancerPrefixes: []string{"api"}},
			pulumimock.WithRecorderOptions(pulumimock.WithRegion("eu-west-1")))
		assert.Equal(t, map[string]any{"AWS": "arn:aws:iam::156460612806:root"}, logPolicy(t, rec).Statement[1].Principal)
		assert.Equal(t, map[string]string{"AWS": "arn:aws:iam::127311923021:root"}, components.ElbLogDeliveryPrincipal("aws", "us-east-1"))
	})

	t.Run("a newer Region takes the service principal", func(t *testing.T) {
		rec, _ := runLogBucket(t, &components.LogBucketArgs{LoadBalancerPrefixes: []string{"api"}},
			pulumimock.WithRecorderOptions(pulumimock.WithRegion("ap-southeast-5")))
		assert.Equal(t, map[string]any{"Service": "logdelivery.elasticloadbalancing.amazonaws.com"}, logPolicy(t, rec).Statement[1].Principal,
			"Regions opened since August 2022 take the service principal")
	})
}

func TestLogBucketValidation(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		args components.LogBucketArgs
		want string
	}{
		{"nothing delivers", components.LogBucketArgs{}, "LogBucketArgs.LoadBalancerPrefixes: empty and CloudFront false: nothing could deliver logs"},
		{"expiration", components.LogBucketArgs{CloudFront: true, ExpirationDays: -1}, "LogBucketArgs.ExpirationDays: -1 must be between 1 and 3650"},
		{"leading slash", components.LogBucketArgs{LoadBalancerPrefixes: []string{"/api"}},
			`LogBucketArgs.LoadBalancerPrefixes[0]: "/api" is not a key prefix ELB accepts`},
		{"AWSLogs", components.LogBucketArgs{LoadBalancerPrefixes: []string{"x/AWSLogs"}},
			`LogBucketArgs.LoadBalancerPrefixes[0]: "x/AWSLogs" is not a key prefix ELB accepts`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec, err := pulumimock.RunErr(func(ctx *pulumi.Context) error {
				_, err := components.NewLogBucket(ctx, "logs", &tt.args)
				return err
			})
			require.Error(t, err)
			assert.Contains(t, err.Error(), `logbucket "logs": `+tt.want)
			assert.Empty(t, rec.Resources(), "nothing is registered before validation passes")
		})
	}
}
