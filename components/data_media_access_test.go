package components_test

import (
	"encoding/json"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shopstack/shopstack/components"
	"github.com/shopstack/shopstack/internal/pulumimock"
)

const (
	dtCors          = "aws:s3/bucketCorsConfigurationV2:BucketCorsConfigurationV2"
	testDistArn     = "arn:aws:cloudfront::123456789012:distribution/EDFDVBD6EXAMPLE"
	testSiteOrigin  = "https://shop.example.com"
	testMediaKeyArn = "arn:aws:kms:us-east-1:123456789012:key/media"
)

// runServedMedia makes a Data whose media bucket CloudFront serves, then calls ServeMedia as a stack does.
func runServedMedia(t *testing.T, mod func(a *components.DataArgs), serve func(ctx *pulumi.Context, d *components.Data) error,
) (*pulumimock.Recorder, *components.Data) {
	t.Helper()
	var data *components.Data
	rec := pulumimock.Run(t, func(ctx *pulumi.Context) error {
		var err error
		data, err = components.NewData(ctx, "data", dataArgs(func(a *components.DataArgs) {
			a.Media.ServedByCloudFront = true
			if mod != nil {
				mod(a)
			}
		}))
		if err != nil {
			return err
		}
		return serve(ctx, data)
	})
	return rec, data
}

func serveMedia(ctx *pulumi.Context, d *components.Data) error {
	return d.ServeMedia(ctx, components.MediaDistributionArgs{
		DistributionArn: pulumi.String(testDistArn),
		UploadOrigins:   []pulumi.StringInput{pulumi.String(testSiteOrigin)},
	})
}

func TestDataMediaAccess(t *testing.T) {
	t.Parallel()
	t.Run("the distribution reads products/ only, through its OAC", func(t *testing.T) {
		t.Parallel()
		rec, data := runServedMedia(t, nil, serveMedia)
		bucket := rec.Must(t, dtBucket, "data-media")
		arn := bucket.Out("arn").StringValue()
		policy := dtJSON(t, rec.Must(t, dtBucketPolicy, "data-media-policy").Str("policy"))
		stmts := policy["Statement"].([]any)
		require.Len(t, stmts, 2)
		assert.Equal(t, "DenyInsecureTransport", stmts[0].(map[string]any)["Sid"], "TLS only, as before")
		assert.Equal(t, map[string]any{
			"Sid":       "AllowCloudFrontReadPublicMedia",
			"Effect":    "Allow",
			"Principal": map[string]any{"Service": "cloudfront.amazonaws.com"},
			"Action":    "s3:GetObject",
			"Resource":  arn + "/products/*",
			"Condition": map[string]any{"StringEquals": map[string]any{"AWS:SourceArn": testDistArn}},
		}, stmts[1], "GetObject on product images, for this one distribution; never invoices or uploads")
		assert.Equal(t, "https://"+bucket.Out("bucket").StringValue()+".s3.us-east-1.amazonaws.com",
			pulumimock.Await[string](t, data.Connection.MediaUploadOrigin), "the presigned URLs' origin, for the pages' CSP")
		pab := rec.Must(t, dtPAB, "data-media-public-access")
		assert.True(t, pab.Bool("restrictPublicBuckets"), "the bucket stays private")
	})

	t.Run("browsers PUT uploads from the site's origin only", func(t *testing.T) {
		t.Parallel()
		rec, _ := runServedMedia(t, nil, serveMedia)
		cors := rec.Must(t, dtCors, "data-media-cors")
		assert.Equal(t, rec.Must(t, dtBucket, "data-media").ID, cors.Str("bucket"))
		assert.Equal(t, []any{map[string]any{
			"id":             "browser-uploads",
			"allowedMethods": []any{"PUT"},
			"allowedOrigins": []any{testSiteOrigin},
			"allowedHeaders": []any{"Content-Type", "If-None-Match"},
			"exposeHeaders":  []any{"ETag"},
			"maxAgeSeconds":  3600.0,
		}}, cors.Plain("corsRules"))
	})

	t.Run("without CloudFront the policy is attached at once and ServeMedia refuses", func(t *testing.T) {
		t.Parallel()
		var serveErr error
		rec := pulumimock.Run(t, func(ctx *pulumi.Context) error {
			d, err := components.NewData(ctx, "data", dataArgs(nil))
			if err != nil {
				return err
			}
			serveErr = serveMedia(ctx, d)
			return nil
		})
		rec.Must(t, dtBucketPolicy, "data-media-policy")
		assert.Empty(t, rec.ByType(dtCors))
		require.Error(t, serveErr)
		assert.Contains(t, serveErr.Error(), "ServedByCloudFront is false")
	})

	t.Run("ServeMedia once, with a distribution and an origin", func(t *testing.T) {
		t.Parallel()
		var twice, empty error
		runServedMedia(t, nil, func(ctx *pulumi.Context, d *components.Data) error {
			if err := serveMedia(ctx, d); err != nil {
				return err
			}
			twice = serveMedia(ctx, d)
			return nil
		})
		require.Error(t, twice)
		assert.Contains(t, twice.Error(), "called twice")
		runServedMedia(t, nil, func(ctx *pulumi.Context, d *components.Data) error {
			empty = d.ServeMedia(ctx, components.MediaDistributionArgs{DistributionArn: pulumi.String(testDistArn)})
			return serveMedia(ctx, d)
		})
		require.Error(t, empty)
		assert.Contains(t, empty.Error(), "UploadOrigins")
	})

	t.Run("the task may read and write exactly its three prefixes", func(t *testing.T) {
		t.Parallel()
		var stmts []components.PolicyStatement
		rec, _ := runServedMedia(t, nil, func(ctx *pulumi.Context, d *components.Data) error {
			stmts = d.MediaTaskStatements()
			return serveMedia(ctx, d)
		})
		arn := rec.Must(t, dtBucket, "data-media").Out("arn").StringValue()
		assert.Equal(t, []statement{
			{[]string{"s3:ListBucket"}, []string{arn}},
			{[]string{"s3:GetObject", "s3:PutObject"}, []string{arn + "/uploads/*", arn + "/products/*", arn + "/invoices/*"}},
		}, awaitStatements(t, stmts), "no delete, no bucket-wide object wildcard, no KMS without a key")
	})

	t.Run("with a KMS key: its data keys for the task, and the key policy statement for CloudFront", func(t *testing.T) {
		t.Parallel()
		var stmts []components.PolicyStatement
		rec, _ := runServedMedia(t, func(a *components.DataArgs) {
			a.KmsKeyArn = pulumi.String(testMediaKeyArn)
		}, func(ctx *pulumi.Context, d *components.Data) error {
			stmts = d.MediaTaskStatements()
			return serveMedia(ctx, d)
		})
		got := awaitStatements(t, stmts)
		require.Len(t, got, 3)
		assert.Equal(t, statement{[]string{"kms:GenerateDataKey", "kms:Decrypt"}, []string{testMediaKeyArn}}, got[2])
		assert.Equal(t, "aws:kms", rec.Must(t, dtSSE, "data-media-encryption").Str("rules[0].applyServerSideEncryptionByDefault.sseAlgorithm"))

		key := pulumimock.Await[string](t, pulumi.JSONMarshal(components.MediaKeyPolicyStatement(pulumi.String(testDistArn))))
		var m map[string]any
		require.NoError(t, json.Unmarshal([]byte(key), &m))
		assert.Equal(t, map[string]any{"Service": "cloudfront.amazonaws.com"}, m["Principal"])
		assert.Equal(t, []any{"kms:Decrypt"}, m["Action"])
		assert.Equal(t, map[string]any{"StringEquals": map[string]any{"AWS:SourceArn": testDistArn}}, m["Condition"],
			"only this distribution may decrypt")
	})
}

// statement is a PolicyStatement with its resources resolved.
type statement struct {
	Actions   []string
	Resources []string
}

func awaitStatements(t *testing.T, stmts []components.PolicyStatement) []statement {
	t.Helper()
	var out []statement
	for _, s := range stmts {
		st := statement{Actions: s.Actions}
		for _, r := range s.Resources {
			st.Resources = append(st.Resources, pulumimock.Await[string](t, r.ToStringOutput()))
		}
		out = append(out, st)
	}
	return out
}
