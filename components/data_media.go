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
	// UploadsPrefix is where browsers PUT new files through presigned URLs; what is left there expires after
	// UploadExpirationDays (the service copies an upload it accepts elsewhere). Default "uploads/".
	UploadsPrefix string
	// UploadExpirationDays deletes unfinished uploads (and their old versions) after this long. Default 1.
	UploadExpirationDays int
	// PublicPrefix is the only part of the bucket a distribution may read (ServeMedia): the product images.
	// Default "products/".
	PublicPrefix string
	// WorkPrefix holds the Lambda work event's marker (MediaWorkMarkerKey, app/wake): one small object
	// rewritten whenever the next connecting tick moves, whose old versions expire after a day. Default "work/".
	WorkPrefix string
	// ServedByCloudFront defers the bucket policy to ServeMedia, which adds the distribution's read grant
	// (the distribution is created after Data, and a bucket has one policy). Default false: the policy,
	// TLS only, is attached at once.
	ServedByCloudFront bool
}

func (a *MediaArgs) withDefaults() MediaArgs {
	out := *a
	out.InvoicesPrefix = cmp.Or(out.InvoicesPrefix, "invoices/")
	out.NoncurrentExpirationDays = cmp.Or(out.NoncurrentExpirationDays, 365)
	out.UploadsPrefix = cmp.Or(out.UploadsPrefix, "uploads/")
	out.UploadExpirationDays = cmp.Or(out.UploadExpirationDays, 1)
	out.PublicPrefix = cmp.Or(out.PublicPrefix, "products/")
	out.WorkPrefix = cmp.Or(out.WorkPrefix, "work/")
	return out
}

func (a *DataArgs) validateMedia(e *argErrors) {
	m := a.Media
	if m.InvoicesPrefix == "/" || !strings.HasSuffix(m.InvoicesPrefix, "/") {
		e.bad("Media.InvoicesPrefix", "%q; want a folder prefix ending in \"/\"", m.InvoicesPrefix)
	}
	for _, f := range []struct{ field, prefix string }{{"UploadsPrefix", m.UploadsPrefix}, {"PublicPrefix", m.PublicPrefix},
		{"WorkPrefix", m.WorkPrefix}} {
		if !strings.HasSuffix(f.prefix, "/") || strings.HasPrefix(f.prefix, "/") {
			e.bad("Media."+f.field, "%q; want a folder prefix ending in \"/\" (no leading \"/\")", f.prefix)
		}
	}
	if prefixesOverlap(m.InvoicesPrefix, m.UploadsPrefix, m.PublicPrefix, m.WorkPrefix) {
		e.bad("Media", "InvoicesPrefix %q, UploadsPrefix %q, PublicPrefix %q and WorkPrefix %q overlap; invoices must never be public, uploads expire and the work marker's versions too",
			m.InvoicesPrefix, m.UploadsPrefix, m.PublicPrefix, m.WorkPrefix)
	}
	if m.UploadExpirationDays < 1 {
		e.bad("Media.UploadExpirationDays", "%d; want at least 1", m.UploadExpirationDays)
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
	d.mediaBucket, d.mediaArgs, d.mediaKmsKey = bucket, a.Media, a.KmsKeyArn
	if !a.Media.ServedByCloudFront {
		if err := bucket.attachPolicy(ctx); err != nil {
			return err
		}
	}
	conn.MediaBucketName = bucket.Bucket.Bucket
	conn.MediaBucketArn = bucket.Bucket.Arn
	conn.MediaBucketRegionalDomainName = bucket.Bucket.BucketRegionalDomainName
	conn.MediaUploadOrigin = pulumi.Sprintf("https://%s.s3.%s.amazonaws.com", bucket.Bucket.Bucket, bucket.Bucket.Region)
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
// them, expire unfinished browser uploads, and abort multipart uploads left incomplete for a week.
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
		// A browser upload the service never accepted (the shopper closed the page) is garbage: the current
		// version and, the bucket being versioned, the old ones go after UploadExpirationDays.
		&s3.BucketLifecycleConfigurationV2RuleArgs{
			Id:         pulumi.String("expire-uploads"),
			Status:     pulumi.String("Enabled"),
			Filter:     &s3.BucketLifecycleConfigurationV2RuleFilterArgs{Prefix: pulumi.String(m.UploadsPrefix)},
			Expiration: &s3.BucketLifecycleConfigurationV2RuleExpirationArgs{Days: pulumi.Int(m.UploadExpirationDays)},
			NoncurrentVersionExpiration: &s3.BucketLifecycleConfigurationV2RuleNoncurrentVersionExpirationArgs{
				NoncurrentDays: pulumi.Int(m.UploadExpirationDays),
			},
		},
		// The work marker is rewritten on every move (each write a version); an old one is worth nothing.
		&s3.BucketLifecycleConfigurationV2RuleArgs{
			Id:     pulumi.String("expire-work-marker-versions"),
			Status: pulumi.String("Enabled"),
			Filter: &s3.BucketLifecycleConfigurationV2RuleFilterArgs{Prefix: pulumi.String(m.WorkPrefix)},
			NoncurrentVersionExpiration: &s3.BucketLifecycleConfigurationV2RuleNoncurrentVersionExpirationArgs{
				NoncurrentDays: pulumi.Int(1),
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

// prefixesOverlap reports whether one of the key prefixes contains another (or equals it).
func prefixesOverlap(prefixes ...string) bool {
	for i, a := range prefixes {
		for j, b := range prefixes {
			if i != j && strings.HasPrefix(a, b) {
				return true
			}
		}
	}
	return false
}
