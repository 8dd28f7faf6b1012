package components

import (
	"cmp"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/s3"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// MediaArgs configures the media bucket (product images, invoices).
type MediaArgs struct {
	// InvoicesPrefix is the key prefix archived to Glacier (from InvoiceArchiveMinBytes). Default "invoices/".
	InvoicesPrefix string
	// NoncurrentExpirationDays deletes old object versions after this long
	// (they move to Glacier after 30 days). Default 365.
	NoncurrentExpirationDays int
}

func (a *MediaArgs) withDefaults() MediaArgs {
	out := *a
	out.InvoicesPrefix = cmp.Or(out.InvoicesPrefix, "invoices/")
	out.NoncurrentExpirationDays = cmp.Or(out.NoncurrentExpirationDays, 365)
	return out
}

func (a *DataArgs) validateMedia(e *argErrors) {
	m := a.Media
	if m.InvoicesPrefix == "/" || !strings.HasSuffix(m.InvoicesPrefix, "/") {
		e.bad("Media.InvoicesPrefix", "%q; want a folder prefix ending in \"/\"", m.InvoicesPrefix)
	}
	if m.NoncurrentExpirationDays <= 30 {
		e.bad("Media.NoncurrentExpirationDays", "%d; want more than 30 (versions move to Glacier at 30 days)", m.NoncurrentExpirationDays)
	}
}

// media creates the private, versioned media bucket; AllowDeletion lets `pulumi destroy` empty it.
func (d *Data) media(ctx *pulumi.Context, name string, a DataArgs, conn *Connection) error {
	bucket, err := newPrivateBucket(ctx, name+"-media", d, privateBucketArgs{
		Versioned:      true,
		ForceDestroy:   a.AllowDeletion,
		KmsKeyArn:      a.KmsKeyArn,
		LifecycleRules: mediaLifecycleRules(a.Media),
	})
	if err != nil {
		return err
	}
	if err := bucket.attachPolicy(ctx); err != nil {
		return err
	}
	conn.MediaBucketName = bucket.Bucket.Bucket
	conn.MediaBucketArn = bucket.Bucket.Arn
	return nil
}

// Invoice size floors of the archive transitions; the figures behind them are in components/README.md
// ("Invoices and the lifecycle").
const (
	// InvoiceArchiveMinBytes: Glacier Instant Retrieval bills an object as at least 128 KB, and S3 transitions
	// nothing smaller by default (128,000 bytes). A smaller invoice is cheaper left in Standard: at 50 KB the
	// $0.02 per 1,000 transition takes 33 months to pay back.
	InvoiceArchiveMinBytes = 128_000
	// InvoiceDeepArchiveMinBytes: a Deep Archive transition costs $0.05 per 1,000 and each object carries 40 KB
	// of overhead (8 KB of it at the Standard price); from 1 MB it pays back within 18 months of Glacier IR.
	InvoiceDeepArchiveMinBytes = 1_000_000
)

// mediaLifecycleRules archive invoices by size (Glacier Instant Retrieval after 30 days from 128 KB, Deep
// Archive after a year from 1 MB; smaller ones stay in Standard), move old versions to Glacier and expire
// them, and abort uploads left incomplete for a week.
func mediaLifecycleRules(m MediaArgs) s3.BucketLifecycleConfigurationV2RuleArray {
	all := &s3.BucketLifecycleConfigurationV2RuleFilterArgs{Prefix: pulumi.String("")}
	invoices := func(larger int) *s3.BucketLifecycleConfigurationV2RuleFilterArgs {
		return &s3.BucketLifecycleConfigurationV2RuleFilterArgs{And: &s3.BucketLifecycleConfigurationV2RuleFilterAndArgs{
			Prefix: pulumi.String(m.InvoicesPrefix), ObjectSizeGreaterThan: pulumi.Int(larger),
		}}
	}
	return s3.BucketLifecycleConfigurationV2RuleArray{
		&s3.BucketLifecycleConfigurationV2RuleArgs{
			Id:     pulumi.String("archive-invoices"),
			Status: pulumi.String("Enabled"),
			Filter: invoices(InvoiceArchiveMinBytes),
			Transitions: s3.BucketLifecycleConfigurationV2RuleTransitionArray{
				&s3.BucketLifecycleConfigurationV2RuleTransitionArgs{Days: pulumi.Int(30), StorageClass: pulumi.String("GLACIER_IR")},
			},
		},
		// An invoice this large matches both rules: Glacier IR at 30 days, Deep Archive at a year.
		&s3.BucketLifecycleConfigurationV2RuleArgs{
			Id:     pulumi.String("deep-archive-invoices"),
			Status: pulumi.String("Enabled"),
			Filter: invoices(InvoiceDeepArchiveMinBytes),
			Transitions: s3.BucketLifecycleConfigurationV2RuleTransitionArray{
				&s3.BucketLifecycleConfigurationV2RuleTransitionArgs{Days: pulumi.Int(365), StorageClass: pulumi.String("DEEP_ARCHIVE")},
			},
		},
		&s3.BucketLifecycleConfigurationV2RuleArgs{
			Id:     pulumi.String("noncurrent-versions"),
			Status: pulumi.String("Enabled"),
			Filter: all,
			NoncurrentVersionTransitions: s3.BucketLifecycleConfigurationV2RuleNoncurrentVersionTransitionArray{
				&s3.BucketLifecycleConfigurationV2RuleNoncurrentVersionTransitionArgs{
					NoncurrentDays: pulumi.Int(30), StorageClass: pulumi.String("GLACIER"),
				},
			},
			NoncurrentVersionExpiration: &s3.BucketLifecycleConfigurationV2RuleNoncurrentVersionExpirationArgs{
				NoncurrentDays: pulumi.Int(m.NoncurrentExpirationDays),
			},
		},
		&s3.BucketLifecycleConfigurationV2RuleArgs{
			Id:     pulumi.String("abort-incomplete-uploads"),
			Status: pulumi.String("Enabled"),
			Filter: all,
			AbortIncompleteMultipartUpload: &s3.BucketLifecycleConfigurationV2RuleAbortIncompleteMultipartUploadArgs{
				DaysAfterInitiation: pulumi.Int(7),
			},
		},
	}
}
