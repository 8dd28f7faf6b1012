package pulumimock_test

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudfront"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/elasticache"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/rds"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/s3"
	awsxecr "github.com/pulumi/pulumi-awsx/sdk/v2/go/awsx/ecr"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/config"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shopstack/shopstack/internal/pulumimock"
)

type box struct {
	pulumi.ResourceState
}

// program registers a component with a bucket child that depends on a VPC id,
// a secret input, and an invoke: the shapes every component test relies on.
func program(out *pulumi.StringOutput, vpcID *pulumi.IDOutput) pulumi.RunFunc {
	return func(ctx *pulumi.Context) error {
		comp := &box{}
		if err := ctx.RegisterComponentResource("shopstack:test:Box", "box", comp); err != nil {
			return err
		}
		vpc, err := ec2.NewVpc(ctx, "box-vpc", &ec2.VpcArgs{CidrBlock: pulumi.String("10.0.0.0/16")},
			pulumi.Parent(comp))
		if err != nil {
			return err
		}
		b, err := s3.NewBucketV2(ctx, "box-bucket", &s3.BucketV2Args{
			Tags: pulumi.StringMap{"vpc": vpc.ID().ToStringOutput()},
		}, pulumi.Parent(comp), pulumi.Protect(true), pulumi.ReplaceOnChanges([]string{"tags"}), pulumi.DeleteBeforeReplace(true))
		if err != nil {
			return err
		}
		if _, err := rds.NewInstance(ctx, "box-db", &rds.InstanceArgs{
			Engine:                   pulumi.String("postgres"),
			InstanceClass:            pulumi.String("db.t4g.micro"),
			ManageMasterUserPassword: pulumi.Bool(true),
			Password:                 pulumi.ToSecret(pulumi.String("hunter2")).(pulumi.StringOutput),
		}, pulumi.Parent(comp), pulumi.IgnoreChanges([]string{"engineVersion"}), pulumi.RetainOnDelete(true)); err != nil {
			return err
		}
		region, err := aws.GetRegion(ctx, nil)
		if err != nil {
			return err
		}
		ctx.Export("region", pulumi.String(region.Name))
		*out = b.Arn
		*vpcID = vpc.ID()
		return ctx.RegisterResourceOutputs(comp, pulumi.Map{"arn": b.Arn})
	}
}

func TestMockRecordsResourcesParentsAndDependencies(t *testing.T) {
	t.Parallel()
	var arn pulumi.StringOutput
	var vpcID pulumi.IDOutput
	rec := pulumimock.Run(t, program(&arn, &vpcID))

	comp := rec.Must(t, "shopstack:test:Box", "box")
	assert.False(t, comp.Custom)
	assert.Equal(t, "urn:pulumi:test::shopstack::shopstack:test:Box::box", comp.URN)
	assert.Empty(t, comp.Parent, "the root stack is not reported as a parent")

	bucket := rec.Must(t, "aws:s3/bucketV2:BucketV2", "box-bucket")
	vpc := rec.Must(t, "aws:ec2/vpc:Vpc", "box-vpc")
	assert.Equal(t, comp.URN, bucket.Parent)
	assert.Equal(t, "urn:pulumi:test::shopstack::shopstack:test:Box$aws:s3/bucketV2:BucketV2::box-bucket", bucket.URN)
	assert.True(t, bucket.Protect)
	assert.False(t, vpc.Protect)
	assert.Equal(t, []string{"tags"}, bucket.ReplaceOnChanges)
	assert.True(t, bucket.DeleteBeforeReplace)
	assert.Empty(t, vpc.ReplaceOnChanges)
	assert.False(t, vpc.DeleteBeforeReplace)
	assert.True(t, bucket.DependsOn("tags", vpc.URN), "property dependencies: %v", bucket.PropertyDeps)
	assert.Contains(t, bucket.Dependencies, vpc.URN)
	db := rec.Must(t, "aws:rds/instance:Instance", "box-db")
	assert.Equal(t, []string{"engineVersion"}, db.IgnoreChanges)
	assert.True(t, db.RetainOnDelete)
	assert.Empty(t, bucket.IgnoreChanges)
	assert.False(t, bucket.RetainOnDelete)

	children := rec.Children(comp.URN)
	require.Len(t, children, 3)
	assert.Len(t, rec.ByType("aws:s3/bucketV2:BucketV2", "aws:ec2/vpc:Vpc"), 2)
	_, found := rec.Find("aws:s3/bucketV2:BucketV2", "nope")
	assert.False(t, found)
}

func TestMockPlausibleOutputs(t *testing.T) {
	t.Parallel()
	var arn pulumi.StringOutput
	var vpcID pulumi.IDOutput
	rec := pulumimock.Run(t, program(&arn, &vpcID))

	bucket := rec.Must(t, "aws:s3/bucketV2:BucketV2", "box-bucket")
	name := bucket.Out("bucket").StringValue()
	assert.Regexp(t, `^box-bucket-[0-9a-f]{7}$`, name, "autonamed like the provider")
	assert.Equal(t, "arn:aws:s3:::"+name, pulumimock.Await[string](t, arn))
	assert.Regexp(t, `^vpc-mock-[0-9a-f]{10}$`, pulumimock.Await[string](t, vpcID), "an EC2 id, visibly a placeholder")
	assert.Equal(t, pulumimock.Await[string](t, vpcID), bucket.Str("tags.vpc"), "inputs carry resolved outputs")

	db := rec.Must(t, "aws:rds/instance:Instance", "box-db")
	assert.Contains(t, db.Out("endpoint").StringValue(), ".us-east-1.rds.amazonaws.com:5432")
	assert.True(t, strings.HasPrefix(db.Out("masterUserSecrets[0].secretArn").StringValue(),
		"arn:aws:secretsmanager:us-east-1:123456789012:secret:rds!db-"))

	again := pulumimock.Run(t, program(&arn, &vpcID))
	assert.Equal(t, name, again.Must(t, "aws:s3/bucketV2:BucketV2", "box-bucket").Out("bucket").StringValue(),
		"names are deterministic, so golden plans are stable")
}

func TestMockSecretsStaySecretAndRedact(t *testing.T) {
	t.Parallel()
	var arn pulumi.StringOutput
	var vpcID pulumi.IDOutput
	rec := pulumimock.Run(t, program(&arn, &vpcID))

	db := rec.Must(t, "aws:rds/instance:Instance", "box-db")
	assert.True(t, db.IsSecret("password"))
	assert.False(t, db.IsSecret("engine"))
	assert.Equal(t, "hunter2", db.Str("password"), "Get unwraps secrets for assertions")

	plain := pulumimock.Plain(db.Inputs, true)
	assert.Equal(t, pulumimock.SecretMarker, plain["password"])
	b, err := json.Marshal(plain)
	require.NoError(t, err)
	assert.NotContains(t, string(b), "hunter2")
	assert.Equal(t, "hunter2", pulumimock.Plain(db.Inputs, false)["password"])
}

func TestMockRecordsInvokesAndAnswersThem(t *testing.T) {
	t.Parallel()
	var doc, cachePolicy, prefixList string
	rec := pulumimock.Run(t, func(ctx *pulumi.Context) error {
		d, err := iam.GetPolicyDocument(ctx, &iam.GetPolicyDocumentArgs{Statements: []iam.GetPolicyDocumentStatement{{
			Sid:       pulumi.StringRef("DenyInsecure"),
			Effect:    pulumi.StringRef("Deny"),
			Actions:   []string{"s3:*"},
			Resources: []string{"arn:aws:s3:::b", "arn:aws:s3:::b/*"},
			Principals: []iam.GetPolicyDocumentStatementPrincipal{{
				Type: "*", Identifiers: []string{"*"},
			}},
			Conditions: []iam.GetPolicyDocumentStatementCondition{{
				Test: "Bool", Variable: "aws:SecureTransport", Values: []string{"false"},
			}},
		}}})
		if err != nil {
			return err
		}
		doc = d.Json
		cp, err := cloudfront.LookupCachePolicy(ctx, &cloudfront.LookupCachePolicyArgs{Name: pulumi.StringRef("Managed-CachingDisabled")})
		if err != nil {
			return err
		}
		cachePolicy = *cp.Id
		pl, err := ec2.LookupManagedPrefixList(ctx, &ec2.LookupManagedPrefixListArgs{
			Name: pulumi.StringRef("com.amazonaws.global.cloudfront.origin-facing")})
		if err != nil {
			return err
		}
		prefixList = pl.Id
		_, err = aws.GetAvailabilityZones(ctx, &aws.GetAvailabilityZonesArgs{})
		return err
	}, pulumimock.WithRecorderOptions(pulumimock.WithAZs("us-east-1a", "us-east-1b")))

	assert.JSONEq(t, `{"Version":"2012-10-17","Statement":[{"Sid":"DenyInsecure","Effect":"Deny","Action":"s3:*",
		"Resource":["arn:aws:s3:::b","arn:aws:s3:::b/*"],"Principal":"*",
		"Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}`, doc)
	assert.Equal(t, "4135ea2d-6df8-44a3-9df3-4b5a84be39ad", cachePolicy)
	assert.Equal(t, "pl-3b927c52", prefixList)

	var tokens []string
	for _, inv := range rec.Invokes() {
		tokens = append(tokens, inv.Token)
	}
	assert.Equal(t, []string{
		"aws:iam/getPolicyDocument:getPolicyDocument",
		"aws:cloudfront/getCachePolicy:getCachePolicy",
		"aws:ec2/getManagedPrefixList:getManagedPrefixList",
		"aws:index/getAvailabilityZones:getAvailabilityZones",
	}, tokens)
}

func TestMockUnknownManagedPolicyFailsTheProgram(t *testing.T) {
	t.Parallel()
	_, err := pulumimock.RunErr(func(ctx *pulumi.Context) error {
		_, err := cloudfront.LookupCachePolicy(ctx, &cloudfront.LookupCachePolicyArgs{Name: pulumi.StringRef("Managed-Nope")})
		return err
	})
	require.Error(t, err)
	assert.Contains(t, err.Error(), `no managed CloudFront cache policy named "Managed-Nope"`)
}

func TestMockAvailabilityZonesAndConfig(t *testing.T) {
	t.Parallel()
	var azs []string
	var plainValue string
	var secret pulumi.StringOutput
	pulumimock.Run(t, func(ctx *pulumi.Context) error {
		z, err := aws.GetAvailabilityZones(ctx, nil)
		if err != nil {
			return err
		}
		azs = z.Names
		cfg := config.New(ctx, "")
		plainValue = cfg.Require("size")
		secret = cfg.RequireSecret("token")
		return nil
	},
		pulumimock.WithRecorderOptions(pulumimock.WithRegion("eu-west-1")),
		pulumimock.WithConfig("size", "small"),
		pulumimock.WithSecretConfig("token", "s3cr3t"),
	)
	assert.Equal(t, []string{"eu-west-1a", "eu-west-1b", "eu-west-1c"}, azs)
	assert.Equal(t, "small", plainValue)
	assert.Equal(t, "s3cr3t", pulumimock.AwaitSecret[string](t, secret))
}

func TestMockPreviewLeavesComputedOutputsUnknown(t *testing.T) {
	t.Parallel()
	var arn pulumi.StringOutput
	var vpcID pulumi.IDOutput
	rec := pulumimock.Run(t, program(&arn, &vpcID), pulumimock.WithPreview())

	r, err := pulumimock.AwaitErr(arn)
	require.NoError(t, err)
	assert.False(t, r.Known, "an ARN is only known after create")

	bucket := rec.Must(t, "aws:s3/bucketV2:BucketV2", "box-bucket")
	assert.Equal(t, pulumimock.UnknownMarker, pulumimock.Plain(bucket.Inputs, true)["tags"].(map[string]any)["vpc"])
}

func TestMockMustListsWhatExists(t *testing.T) {
	t.Parallel()
	var arn pulumi.StringOutput
	var vpcID pulumi.IDOutput
	rec := pulumimock.Run(t, program(&arn, &vpcID))
	ft := &fakeT{TB: t}
	func() {
		defer func() { _ = recover() }()
		rec.Must(ft, "aws:s3/bucketV2:BucketV2", "missing")
	}()
	assert.Contains(t, ft.msg, `no resource aws:s3/bucketV2:BucketV2 "missing"`)
	assert.Contains(t, ft.msg, "aws:ec2/vpc:Vpc box-vpc")
}

type fakeT struct {
	testing.TB
	msg string
}

func (f *fakeT) Helper() {}

func (f *fakeT) Fatalf(format string, args ...any) {
	f.msg = strings.TrimSpace(sprintf(format, args...))
	panic("fatal")
}

func sprintf(format string, args ...any) string { return fmt.Sprintf(format, args...) }

func TestMockRejectsDuplicateURNs(t *testing.T) {
	t.Parallel()
	_, err := pulumimock.RunErr(func(ctx *pulumi.Context) error {
		if _, err := s3.NewBucketV2(ctx, "same", nil); err != nil {
			return err
		}
		_, err := s3.NewBucketV2(ctx, "same", nil)
		return err
	})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "duplicate resource URN")
}

// awsx's ECR Repository and Image are remote components: the awsx provider computes their outputs, so the
// mock answers them as a deploy would, from the same account and region as every other ARN.
func TestMockAnswersAwsxEcrComponents(t *testing.T) {
	t.Parallel()
	var url, uri pulumi.StringOutput
	rec := pulumimock.Run(t, func(ctx *pulumi.Context) error {
		repo, err := awsxecr.NewRepository(ctx, "Api-Images", &awsxecr.RepositoryArgs{ForceDelete: pulumi.Bool(true)})
		if err != nil {
			return err
		}
		img, err := awsxecr.NewImage(ctx, "api-image", &awsxecr.ImageArgs{
			RepositoryUrl: repo.Url,
			Context:       pulumi.String(".."),
			Platform:      pulumi.String("linux/arm64"),
		})
		if err != nil {
			return err
		}
		url, uri = repo.Url, img.ImageUri
		return nil
	})

	repo := rec.Must(t, "awsx:ecr:Repository", "Api-Images")
	assert.False(t, repo.Custom, "a component, not a custom resource")
	gotURL := pulumimock.Await[string](t, url)
	assert.Regexp(t, `^123456789012\.dkr\.ecr\.us-east-1\.amazonaws\.com/api-images-[0-9a-f]{7}$`, gotURL,
		"ECR names are lower case; awsx autonames the repository from the logical name")
	assert.Equal(t, gotURL, rec.Must(t, "awsx:ecr:Image", "api-image").Str("repositoryUrl"), "the image is pushed there")
	assert.Regexp(t, `^`+regexp.QuoteMeta(gotURL)+`@sha256:mock-[0-9a-f]{59}$`, pulumimock.Await[string](t, uri),
		"awsx's imageUri pins the pushed digest (a placeholder as long as a real one)")

	again := pulumimock.Run(t, func(ctx *pulumi.Context) error {
		_, err := awsxecr.NewRepository(ctx, "Api-Images", nil)
		return err
	})
	assert.Equal(t, gotURL, pulumimock.Plain(again.Must(t, "awsx:ecr:Repository", "Api-Images").Outputs, false)["url"], "deterministic")

	named := pulumimock.Run(t, func(ctx *pulumi.Context) error {
		_, err := awsxecr.NewRepository(ctx, "repo", &awsxecr.RepositoryArgs{Name: pulumi.String("shop")})
		return err
	}, pulumimock.WithRecorderOptions(pulumimock.WithRegion("eu-west-1")))
	assert.Equal(t, "123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop", pulumimock.Plain(named.Must(t, "awsx:ecr:Repository", "repo").Outputs, false)["url"],
		"an explicit name is used as given")

	preview := pulumimock.Run(t, func(ctx *pulumi.Context) error {
		repo, err := awsxecr.NewRepository(ctx, "repo", nil)
		url = repo.Url
		return err
	}, pulumimock.WithPreview())
	r, err := pulumimock.AwaitErr(url)
	require.NoError(t, err)
	assert.False(t, r.Known, "a new repository's URL is known only after create")
	assert.False(t, preview.Must(t, "awsx:ecr:Repository", "repo").Out("url").IsString())
}

func TestMockRootDirectory(t *testing.T) {
	t.Parallel()
	var dir string
	pulumimock.Run(t, func(ctx *pulumi.Context) error { dir = ctx.RootDirectory(); return nil })
	assert.Empty(t, dir, "like the offline plan, a run has no project directory by default")
	pulumimock.Run(t, func(ctx *pulumi.Context) error { dir = ctx.RootDirectory(); return nil },
		pulumimock.WithRootDirectory("/src/shop"))
	assert.Equal(t, "/src/shop", dir)
}

// An elasticache:Connect grant names the cache user by its ARN, which ends in the user id.
func TestMockCacheUserArns(t *testing.T) {
	t.Parallel()
	rec := pulumimock.Run(t, func(ctx *pulumi.Context) error {
		user, err := elasticache.NewUser(ctx, "u", &elasticache.UserArgs{
			UserId: pulumi.String("app"), UserName: pulumi.String("app"), Engine: pulumi.String("valkey"),
			AccessString: pulumi.String("on ~* +@all"),
		})
		if err != nil {
			return err
		}
		_, err = elasticache.NewUserGroup(ctx, "g", &elasticache.UserGroupArgs{
			UserGroupId: pulumi.String("grp"), Engine: pulumi.String("valkey"), UserIds: pulumi.StringArray{user.UserId},
		})
		return err
	})
	user := rec.Must(t, "aws:elasticache/user:User", "u")
	assert.Equal(t, "app", user.ID)
	assert.Equal(t, "arn:aws:elasticache:us-east-1:123456789012:user:app", user.Out("arn").StringValue())
	assert.Equal(t, "arn:aws:elasticache:us-east-1:123456789012:usergroup:grp",
		rec.Must(t, "aws:elasticache/userGroup:UserGroup", "g").Out("arn").StringValue())
}
