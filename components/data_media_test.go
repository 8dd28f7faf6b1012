package components_test

import (
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shopstack/shopstack/components"
)

func TestDataMedia(t *testing.T) {
	t.Parallel()
	t.Run("defaults: hardened, versioned, archived by lifecycle", func(t *testing.T) {
		t.Parallel()
		rec, _ := runData(t, dataArgs(nil))
		comp := rec.Must(t, dtData, "data")

		// The media bucket: hardened, versioned, archived by lifecycle.
		bucket := rec.Must(t, dtBucket, "data-media")
		assert.Equal(t, comp.URN, bucket.Parent)
		assert.False(t, bucket.Bool("forceDestroy"))
		pab := rec.Must(t, dtPAB, "data-media-public-access")
		for _, k := range []string{"blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"} {
			assert.True(t, pab.Bool(k), k)
		}
		assert.Equal(t, "BucketOwnerEnforced", rec.Must(t, dtOwnership, "data-media-ownership").Str("rule.objectOwnership"))
		assert.Equal(t, "Enabled", rec.Must(t, dtVersioning, "data-media-versioning").Str("versioningConfiguration.status"))
		policy := dtJSON(t, rec.Must(t, dtBucketPolicy, "data-media-policy").Str("policy"))
		assert.Equal(t, "DenyInsecureTransport", policy["Statement"].([]any)[0].(map[string]any)["Sid"])

		rules := rec.Must(t, dtLifecycle, "data-media-lifecycle").Plain("rules").([]any)
		require.Len(t, rules, 6)
		byID := map[string]map[string]any{}
		for _, r := range rules {
			r := r.(map[string]any)
			assert.Equal(t, "Enabled", r["status"])
			byID[r["id"].(string)] = r
		}
		// Invoices by size: Glacier IR bills at least 128 KB an object and a transition costs a request, so a
		// small invoice stays in Standard; Deep Archive's request and 40 KB overhead pay back from about 1 MB.
		assert.Equal(t, map[string]any{"and": map[string]any{"prefix": "invoices/", "objectSizeGreaterThan": 128000.0}},
			byID["archive-invoices"]["filter"])
		assert.Equal(t, []any{map[string]any{"days": 30.0, "storageClass": "GLACIER_IR"}}, byID["archive-invoices"]["transitions"])
		assert.Equal(t, map[string]any{"and": map[string]any{"prefix": "invoices/", "objectSizeGreaterThan": 1000000.0}},
			byID["deep-archive-invoices"]["filter"])
		assert.Equal(t, []any{map[string]any{"days": 365.0, "storageClass": "DEEP_ARCHIVE"}}, byID["deep-archive-invoices"]["transitions"])
		assert.Equal(t, []any{map[string]any{"noncurrentDays": 30.0, "storageClass": "GLACIER"}},
			byID["noncurrent-versions"]["noncurrentVersionTransitions"])
		assert.Equal(t, map[string]any{"noncurrentDays": 365.0}, byID["noncurrent-versions"]["noncurrentVersionExpiration"])
		assert.Equal(t, map[string]any{"daysAfterInitiation": 7.0}, byID["abort-incomplete-uploads"]["abortIncompleteMultipartUpload"])
		// A browser upload the service never accepted is gone after a day, old versions included.
		assert.Equal(t, map[string]any{"prefix": "uploads/"}, byID["expire-uploads"]["filter"])
		assert.Equal(t, map[string]any{"days": 1.0}, byID["expire-uploads"]["expiration"])
		assert.Equal(t, map[string]any{"noncurrentDays": 1.0}, byID["expire-uploads"]["noncurrentVersionExpiration"])
		// The Lambda work marker is rewritten on every move; its old versions go after a day.
		assert.Equal(t, map[string]any{"prefix": "work/"}, byID["expire-work-marker-versions"]["filter"])
		assert.Equal(t, map[string]any{"noncurrentDays": 1.0}, byID["expire-work-marker-versions"]["noncurrentVersionExpiration"])
		assert.NotContains(t, byID["expire-work-marker-versions"], "expiration", "the current marker stays")
	})

	t.Run("options", func(t *testing.T) {
		t.Parallel()
		rec, _ := runData(t, dataArgs(func(a *components.DataArgs) {
			a.Media = components.MediaArgs{InvoicesPrefix: "billing/invoices/", NoncurrentExpirationDays: 90}
		}))
		byID := map[string]map[string]any{}
		for _, r := range rec.Must(t, dtLifecycle, "data-media-lifecycle").Plain("rules").([]any) {
			byID[r.(map[string]any)["id"].(string)] = r.(map[string]any)
		}
		for _, id := range []string{"archive-invoices", "deep-archive-invoices"} {
			assert.Equal(t, "billing/invoices/", byID[id]["filter"].(map[string]any)["and"].(map[string]any)["prefix"], id)
		}
		assert.Equal(t, map[string]any{"noncurrentDays": 90.0}, byID["noncurrent-versions"]["noncurrentVersionExpiration"])
	})

	t.Run("AllowDeletion lets destroy empty it; a KMS key encrypts it", func(t *testing.T) {
		t.Parallel()
		rec, _ := runData(t, dataArgs(func(a *components.DataArgs) {
			a.AllowDeletion = true
			a.KmsKeyArn = pulumi.String("arn:aws:kms:us-east-1:123456789012:key/k")
		}))
		assert.True(t, rec.Must(t, dtBucket, "data-media").Bool("forceDestroy"))
		assert.Equal(t, "aws:kms", rec.Must(t, dtSSE, "data-media-encryption").Str("rules[0].applyServerSideEncryptionByDefault.sseAlgorithm"))
	})
}
