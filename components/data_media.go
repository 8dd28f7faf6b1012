package components

import (
	"cmp"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/s3"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// MediaArgs configures the media bucket (product images, invoices).
type MediaArgs struct {
	// InvoicesPrefix is the key prefix archived to Glacier. Default "invoices/".
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

// mediaLifecycleRules archive invoices (Glacier Instant Retrieval after 30 days, Deep Archive after a year),
// move old versions to Glacier and expire them, and abort uploads left incomplete for a week.
func mediaLifecycleRules(m MediaArgs) s3.BucketLifecycleConfigurationV2RuleArray {
	all := &s3.BucketLifecycleConfigurationV2RuleFilterArgs{Prefix: pulumi.String("")}
	return s3.BucketLifecycleConfigurationV2RuleArray{
		&s3.BucketLifecycleConfigurationV2RuleArgs{
			Id:     pulumi.String("archive-invoices"),
			Status: pulumi.String("Enabled"),
			Filter: &s3.BucketLifecycleConfigurationV2RuleFilterArgs{Prefix: pulumi.String(m.InvoicesPrefix)},
			Transitions: s3.BucketLifecycleConfigurationV2RuleTransitionArray{
				&s3.BucketLifecycleConfigurationV2RuleTransitionArgs{Days: pulumi.Int(30), StorageClass: pulumi.String("GLACIER_IR")},
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
