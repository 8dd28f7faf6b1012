package components

import (
	"cmp"
	"fmt"
	"regexp"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/s3"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// LogBucketType is the LogBucket component's type token.
const LogBucketType = "shopstack:index:LogBucket"

// LogBucketArgs configures a LogBucket.
type LogBucketArgs struct {
	// LoadBalancerPrefixes are the key prefixes load balancers in this region write access logs
	// under (ApiArgs.AccessLogsPrefix; the Api's default is its component name). Each one gets
	// Elastic Load Balancing's log delivery on `<prefix>/AWSLogs/<this account>/*` only.
	// Default none: no load balancer may write.
	LoadBalancerPrefixes []string
	// CloudFront lets CloudWatch vended-log delivery (CloudFront standard logging v2, see
	// StaticSiteArgs.AccessLogBucketArn) write, for delivery sources of this account in
	// us-east-1 only. Default false.
	CloudFront bool
	// ExpirationDays deletes log objects this many days after they are written. Default 90.
	ExpirationDays int
	// ForceDestroy lets `pulumi destroy` delete the bucket with its logs. Default false.
	ForceDestroy bool
}

// LogBucket is a private bucket that receives access logs: SSE-S3 (the only encryption
// Elastic Load Balancing delivers to), BucketOwnerEnforced, all public access blocked,
// TLS-only, and objects expired after ExpirationDays.
type LogBucket struct {
	pulumi.ResourceState

	// BucketName and BucketArn resolve once the bucket policy exists, so a load balancer or
	// log delivery given them is created after its permission.
	BucketName pulumi.StringOutput `pulumi:"bucketName"`
	BucketArn  pulumi.StringOutput `pulumi:"bucketArn"`
}

// elbLogAccounts are Elastic Load Balancing's log delivery accounts in the Regions that opened
// before August 2022, where AWS documents granting s3:PutObject to that account
// (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/enable-access-logging.html).
// Every other Region uses the service principal logdelivery.elasticloadbalancing.amazonaws.com.
var elbLogAccounts = map[string]string{
	"us-east-1":      "127311923021",
	"us-east-2":      "033677994240",
	"us-west-1":      "027434742980",
	"us-west-2":      "797873946194",
	"af-south-1":     "098369216593",
	"ap-east-1":      "754344448648",
	"ap-south-1":     "718504428378",
	"ap-northeast-1": "582318560864",
	"ap-northeast-2": "600734575887",
	"ap-northeast-3": "383597477331",
	"ap-southeast-1": "114774131450",
	"ap-southeast-2": "783225319266",
	"ca-central-1":   "985666609251",
	"eu-central-1":   "054676820928",
	"eu-west-1":      "156460612806",
	"eu-west-2":      "652711504416",
	"eu-west-3":      "009996457667",
	"eu-south-1":     "635631232127",
	"eu-north-1":     "897822967062",
	"me-south-1":     "076674570225",
	"sa-east-1":      "507241528517",
}

// ElbLogDeliveryPrincipal is the IAM principal that delivers Elastic Load Balancing access logs in
// region: {"AWS": "arn:<partition>:iam::<ELB account>:root"} in the Regions that opened before
// August 2022, {"Service": "logdelivery.elasticloadbalancing.amazonaws.com"} elsewhere.
func ElbLogDeliveryPrincipal(partition, region string) map[string]string {
	if acct, ok := elbLogAccounts[region]; ok {
		return map[string]string{"AWS": fmt.Sprintf("arn:%s:iam::%s:root", partition, acct)}
	}
	return map[string]string{"Service": "logdelivery.elasticloadbalancing.amazonaws.com"}
}

var (
	logPrefix      = regexp.MustCompile(`^[A-Za-z0-9!_.*'()-]+(/[A-Za-z0-9!_.*'()-]+)*$`)
	awsLogsSegment = regexp.MustCompile(`(^|/)AWSLogs(/|$)`)
)

func (a *LogBucketArgs) withDefaults() LogBucketArgs {
	out := *a
	out.ExpirationDays = cmp.Or(out.ExpirationDays, 90)
	return out
}

func (a *LogBucketArgs) validate() error {
	e := newArgErrors("LogBucketArgs")
	if a.ExpirationDays < 1 || a.ExpirationDays > 3650 {
		e.bad("ExpirationDays", "%d must be between 1 and 3650", a.ExpirationDays)
	}
	for i, p := range a.LoadBalancerPrefixes {
		if !logPrefix.MatchString(p) || awsLogsSegment.MatchString(p) {
			e.bad(fmt.Sprintf("LoadBalancerPrefixes[%d]", i), "%q is not a key prefix ELB accepts (no leading or trailing /, no AWSLogs)", p)
		}
	}
	if len(a.LoadBalancerPrefixes) == 0 && !a.CloudFront {
		e.bad("LoadBalancerPrefixes", "empty and CloudFront false: nothing could deliver logs")
	}
	return e.err()
}

// NewLogBucket registers a LogBucket: `name-bucket` with its hardening children (see
// newPrivateBucket), a lifecycle that expires objects, and `name-bucket-policy`.
func NewLogBucket(ctx *pulumi.Context, name string, args *LogBucketArgs, opts ...pulumi.ResourceOption) (*LogBucket, error) {
	if args == nil {
		args = &LogBucketArgs{}
	}
	a := args.withDefaults()
	if err := a.validate(); err != nil {
		return nil, componentError("logbucket", name, err)
	}
	lb := &LogBucket{}
	if err := ctx.RegisterComponentResource(LogBucketType, name, lb, opts...); err != nil {
		return nil, err
	}
	account, err := lb.account(ctx)
	if err != nil {
		return nil, componentError("logbucket", name, err)
	}
	bucket, err := newPrivateBucket(ctx, name+"-bucket", lb, privateBucketArgs{
		ForceDestroy:   a.ForceDestroy,
		LifecycleRules: expireLogs(a.ExpirationDays),
	})
	if err != nil {
		return nil, err
	}
	var statements []pulumi.Map
	if len(a.LoadBalancerPrefixes) > 0 {
		statements = append(statements, elbLogStatement(bucket, account, a.LoadBalancerPrefixes))
	}
	if a.CloudFront {
		statements = append(statements, cloudFrontLogStatement(bucket, account))
	}
	if err := bucket.attachPolicy(ctx, statements...); err != nil {
		return nil, err
	}
	if err := lb.outputs(ctx, bucket); err != nil {
		return nil, err
	}
	return lb, nil
}

// logAccount is where the bucket lives; the grants name it, so log delivery
// writes for this account only.
type logAccount struct{ partition, region, id string }

func (lb *LogBucket) account(ctx *pulumi.Context) (logAccount, error) {
	parent := pulumi.Parent(lb)
	region, err := aws.GetRegion(ctx, nil, parent)
	if err != nil {
		return logAccount{}, fmt.Errorf("region: %w", err)
	}
	identity, err := aws.GetCallerIdentity(ctx, nil, parent)
	if err != nil {
		return logAccount{}, fmt.Errorf("account: %w", err)
	}
	partition, err := aws.GetPartition(ctx, nil, parent)
	if err != nil {
		return logAccount{}, fmt.Errorf("partition: %w", err)
	}
	return logAccount{partition: partition.Partition, region: region.Name, id: identity.AccountId}, nil
}

// expireLogs deletes log objects days after they are written.
func expireLogs(days int) s3.BucketLifecycleConfigurationV2RuleArray {
	return s3.BucketLifecycleConfigurationV2RuleArray{
		&s3.BucketLifecycleConfigurationV2RuleArgs{
			Id:     pulumi.String("expire-logs"),
			Status: pulumi.String("Enabled"),
			Filter: &s3.BucketLifecycleConfigurationV2RuleFilterArgs{Prefix: pulumi.String("")},
			Expiration: &s3.BucketLifecycleConfigurationV2RuleExpirationArgs{
				Days: pulumi.Int(days),
			},
			AbortIncompleteMultipartUpload: &s3.BucketLifecycleConfigurationV2RuleAbortIncompleteMultipartUploadArgs{
				DaysAfterInitiation: pulumi.Int(1),
			},
		},
	}
}

// elbLogStatement lets the region's Elastic Load Balancing log delivery write
// this account's logs under each prefix.
func elbLogStatement(bucket *privateBucket, account logAccount, prefixes []string) pulumi.Map {
	principal := pulumi.StringMap{}
	for k, v := range ElbLogDeliveryPrincipal(account.partition, account.region) {
		principal[k] = pulumi.String(v)
	}
	var resources pulumi.StringArray
	for _, p := range prefixes {
		resources = append(resources, pulumi.Sprintf("%s/%s/AWSLogs/%s/*", bucket.Bucket.Arn, p, account.id))
	}
	return pulumi.Map{
		"Sid":       pulumi.String("ELBAccessLogs"),
		"Effect":    pulumi.String("Allow"),
		"Principal": principal,
		"Action":    pulumi.String("s3:PutObject"),
		"Resource":  resources,
	}
}

// cloudFrontLogStatement lets CloudWatch vended-log delivery (V2 permissions) write,
// only for this account's delivery sources in us-east-1, where CloudFront's are; it
// sets the bucket-owner-full-control ACL, which BucketOwnerEnforced accepts.
func cloudFrontLogStatement(bucket *privateBucket, account logAccount) pulumi.Map {
	return pulumi.Map{
		"Sid":       pulumi.String("CloudFrontAccessLogs"),
		"Effect":    pulumi.String("Allow"),
		"Principal": pulumi.StringMap{"Service": pulumi.String("delivery.logs.amazonaws.com")},
		"Action":    pulumi.String("s3:PutObject"),
		"Resource":  pulumi.Sprintf("%s/*", bucket.Bucket.Arn),
		"Condition": pulumi.Map{
			"StringEquals": pulumi.Map{
				"s3:x-amz-acl":      pulumi.String("bucket-owner-full-control"),
				"aws:SourceAccount": pulumi.String(account.id),
			},
			"ArnLike": pulumi.Map{
				"aws:SourceArn": pulumi.Sprintf("arn:%s:logs:us-east-1:%s:delivery-source:*", account.partition, account.id),
			},
		},
	}
}

// outputs waits for the policy with both outputs: ELB checks that it may write when
// access logs are turned on, and a log delivery must not start before its permission
// exists.
func (lb *LogBucket) outputs(ctx *pulumi.Context, bucket *privateBucket) error {
	lb.BucketName = bucket.Policy.Bucket
	lb.BucketArn = pulumi.All(bucket.Bucket.Arn, bucket.Policy.ID()).ApplyT(func(v []any) string {
		return v[0].(string)
	}).(pulumi.StringOutput)
	return ctx.RegisterResourceOutputs(lb, pulumi.Map{
		"bucketName": lb.BucketName,
		"bucketArn":  lb.BucketArn,
	})
}
