package components_test

import (
	"encoding/json"
	"sort"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shopstack/shopstack/components"
	"github.com/shopstack/shopstack/internal/pulumimock"
)

const (
	rtLogGroup      = "aws:cloudwatch/logGroup:LogGroup"
	rtRole          = "aws:iam/role:Role"
	rtRolePolicy    = "aws:iam/rolePolicy:RolePolicy"
	rtCluster       = "aws:ecs/cluster:Cluster"
	rtCapacity      = "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders"
	rtTaskDef       = "aws:ecs/taskDefinition:TaskDefinition"
	rtService       = "aws:ecs/service:Service"
	rtSG            = "aws:ec2/securityGroup:SecurityGroup"
	rtIngress       = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
	rtEgress        = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
	rtLB            = "aws:lb/loadBalancer:LoadBalancer"
	rtTG            = "aws:lb/targetGroup:TargetGroup"
	rtListener      = "aws:lb/listener:Listener"
	rtScaling       = "aws:appautoscaling/target:Target"
	rtScalingPolicy = "aws:appautoscaling/policy:Policy"
	rtWebACL        = "aws:wafv2/webAcl:WebAcl"
	rtWebACLAssoc   = "aws:wafv2/webAclAssociation:WebAclAssociation"
	rtWebACLLogging = "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration"
)

var (
	testPrivateSubnets = []string{"subnet-priv-a", "subnet-priv-b"}
	testPublicSubnets  = []string{"subnet-pub-a", "subnet-pub-b"}
)

// baseApiArgs are the fewest arguments an Api accepts.
func baseApiArgs() *components.ApiArgs {
	return &components.ApiArgs{
		VpcId:              pulumi.String("vpc-123"),
		PrivateSubnetIds:   pulumi.ToStringArray(testPrivateSubnets),
		Image:              pulumi.String("123456789012.dkr.ecr.us-east-1.amazonaws.com/shop:v1"),
		HealthCheckCommand: []string{"CMD", "/shop", "healthcheck"},
	}
}

type apiRun struct {
	rec *pulumimock.Recorder
	api *components.Api
	urn string
}

func runApi(t *testing.T, args *components.ApiArgs, opts ...pulumimock.RunOption) apiRun {
	t.Helper()
	var api *components.Api
	rec := pulumimock.Run(t, func(ctx *pulumi.Context) error {
		var err error
		api, err = components.NewApi(ctx, "api", args)
		return err
	}, opts...)
	return apiRun{rec: rec, api: api, urn: pulumimock.Await[string](t, api.URN())}
}

// children lists "type name" of every direct child of urn, sorted.
func childrenOf(rec *pulumimock.Recorder, urn string) []string {
	var out []string
	for _, r := range rec.Children(urn) {
		out = append(out, r.Type+" "+r.Name)
	}
	sort.Strings(out)
	return out
}

func sortedList(s ...string) []string {
	sort.Strings(s)
	return s
}

func decodeJSON[T any](t *testing.T, s string) T {
	t.Helper()
	var v T
	require.NoError(t, json.Unmarshal([]byte(s), &v), s)
	return v
}

type iamDoc struct {
	Version   string
	Statement []struct {
		Sid       string
		Effect    string
		Principal map[string]any
		Action    []string
		Resource  []string
		Condition map[string]map[string]any
	}
}

const (
	testCertificateArn = "arn:aws:acm:us-east-1:123456789012:certificate/abc"
	testDbSecret       = "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf"
	testCacheSecret    = "arn:aws:secretsmanager:us-east-1:123456789012:secret:cache-GhIjKl"
)

// internetApiArgs put an internet-facing load balancer with a certificate in the public subnets.
func internetApiArgs() *components.ApiArgs {
	args := baseApiArgs()
	args.Exposure = components.ApiInternetFacing
	args.PublicSubnetIds = pulumi.ToStringArray(testPublicSubnets)
	args.CertificateArn = pulumi.String(testCertificateArn)
	return args
}

// cloudFrontHTTPSApiArgs keep the load balancer behind CloudFront, reached over HTTPS.
func cloudFrontHTTPSApiArgs() *components.ApiArgs {
	args := baseApiArgs()
	args.CertificateArn = pulumi.String(testCertificateArn)
	args.OriginHostName = pulumi.String("api-origin.example.com")
	return args
}

// secretsApiArgs pass secrets (two of them keys of one secret), plain variables, task permissions, an image
// repository and a secrets key.
func secretsApiArgs() *components.ApiArgs {
	args := baseApiArgs()
	args.Secrets = map[string]pulumi.StringInput{
		"DATABASE_PASSWORD": pulumi.String(testDbSecret + ":password::"),
		"DATABASE_USER":     pulumi.String(testDbSecret + ":username::"),
		"REDIS_AUTH":        pulumi.String(testCacheSecret),
	}
	args.Environment = map[string]pulumi.StringInput{
		"LOG_LEVEL": pulumi.String("info"),
		"DB_HOST":   pulumi.String("db.internal"),
	}
	args.TaskPolicyStatements = []components.PolicyStatement{
		{Actions: []string{"s3:GetObject", "s3:PutObject"}, Resources: []pulumi.StringInput{pulumi.String("arn:aws:s3:::media/*")}},
		{Actions: []string{"es:ESHttp*"}, Resources: []pulumi.StringInput{pulumi.String("arn:aws:es:us-east-1:123456789012:domain/search/*")}},
	}
	args.ImageRepositoryArn = pulumi.String("arn:aws:ecr:us-east-1:123456789012:repository/shop")
	args.SecretsKmsKeyArn = pulumi.String("arn:aws:kms:us-east-1:123456789012:key/1234")
	return args
}

// tunedApiArgs move every sizing, scaling, load balancer and logging option off its default.
func tunedApiArgs() *components.ApiArgs {
	args := baseApiArgs()
	args.Cpu, args.Memory, args.Architecture = 1024, 3072, "X86_64"
	args.ContainerPort = 9000
	args.HealthCheckPath = "/api/ready"
	args.MinCapacity, args.MaxCapacity = 2, 10
	args.CpuTargetPercent, args.RequestsPerTarget = 70, 500
	args.FargateBase, args.FargateWeight, args.FargateSpotWeight = 1, 1, 3
	args.DesyncMitigationMode = "defensive"
	args.DeletionProtection = pulumi.Bool(false)
	args.AccessLogsBucket = pulumi.String("alb-logs-bucket")
	args.LogRetentionDays = 7
	args.WafRateLimit = 300
	args.User = "1000:1000"
	return args
}

// newApiErr runs NewApi("api", args) for the error it returns.
func newApiErr(args *components.ApiArgs) (*pulumimock.Recorder, error) {
	return pulumimock.RunErr(func(ctx *pulumi.Context) error {
		_, err := components.NewApi(ctx, "api", args)
		return err
	})
}

func TestApiChildren(t *testing.T) {
	t.Parallel()
	t.Run("defaults: exactly these children, all parented to the component", func(t *testing.T) {
		t.Parallel()
		r := runApi(t, baseApiArgs())
		rec := r.rec
		assert.Equal(t, sortedList(
			rtLogGroup+" api-logs",
			rtRole+" api-execution-role",
			rtRolePolicy+" api-execution-policy",
			rtRole+" api-task-role",
			rtCluster+" api-cluster",
			rtCapacity+" api-capacity-providers",
			rtTaskDef+" api-task",
			rtSG+" api-lb-sg",
			rtSG+" api-task-sg",
			rtIngress+" api-lb-in-cloudfront-80",
			rtEgress+" api-lb-out-tasks",
			rtIngress+" api-task-in-lb",
			rtEgress+" api-task-out",
			rtLB+" api-alb",
			rtTG+" api-tg",
			rtListener+" api-http",
			rtService+" api-service",
			rtScaling+" api-scaling",
			rtScalingPolicy+" api-scale-cpu",
			rtScalingPolicy+" api-scale-requests",
			rtWebACL+" api-waf",
			rtWebACLAssoc+" api-waf-association",
			rtLogGroup+" api-waf-logs",
			rtWebACLLogging+" api-waf-logging",
		), childrenOf(rec, r.urn), "exactly these children, all parented to the component")
		for _, res := range rec.Resources() {
			if res.Custom && !strings.HasPrefix(res.Type, "pulumi:providers:") {
				assert.Equal(t, r.urn, res.Parent, "%s %s", res.Type, res.Name)
			}
		}
	})

	t.Run("two instances do not collide", func(t *testing.T) {
		t.Parallel()
		var shop, admin *components.Api
		rec := pulumimock.Run(t, func(ctx *pulumi.Context) error {
			var err error
			if shop, err = components.NewApi(ctx, "shop", baseApiArgs()); err != nil {
				return err
			}
			admin, err = components.NewApi(ctx, "admin", baseApiArgs())
			return err
		})
		assert.Len(t, rec.ByType(rtLB), 2)
		assert.Len(t, rec.ByType(rtService), 2)
		assert.NotEqual(t, pulumimock.Await[string](t, shop.LoadBalancerArn), pulumimock.Await[string](t, admin.LoadBalancerArn))
		assert.NotEqual(t, pulumimock.Await[string](t, shop.ClusterName), pulumimock.Await[string](t, admin.ClusterName))
		assert.NotEqual(t, pulumimock.Await[string](t, shop.LogGroupName), pulumimock.Await[string](t, admin.LogGroupName))
		// No child carries a fixed physical name.
		for _, typ := range []string{rtLogGroup, rtRole, rtRolePolicy, rtCluster, rtService, rtSG, rtLB, rtTG, rtScalingPolicy, rtWebACL} {
			for _, res := range rec.ByType(typ) {
				assert.False(t, res.Has("name"), "%s %s has a fixed name", res.Type, res.Name)
			}
		}
	})
}

func TestApiOutputs(t *testing.T) {
	t.Parallel()
	t.Run("defaults: an internal load balancer, a CloudFront VPC origin over HTTP", func(t *testing.T) {
		t.Parallel()
		r := runApi(t, baseApiArgs())
		rec := r.rec
		alb := rec.Must(t, rtLB, "api-alb")
		api := r.api
		assert.Equal(t, alb.Out("arn").StringValue(), pulumimock.Await[string](t, api.LoadBalancerArn))
		assert.Equal(t, alb.Out("dnsName").StringValue(), pulumimock.Await[string](t, api.LoadBalancerDnsName))
		assert.Equal(t, rec.Must(t, rtCluster, "api-cluster").Out("name").StringValue(), pulumimock.Await[string](t, api.ClusterName))
		assert.Equal(t, rec.Must(t, rtService, "api-service").Out("name").StringValue(), pulumimock.Await[string](t, api.ServiceName))
		assert.Equal(t, rec.Must(t, rtSG, "api-task-sg").ID, pulumimock.Await[string](t, api.SecurityGroupId))
		assert.Equal(t, rec.Must(t, rtSG, "api-lb-sg").ID, pulumimock.Await[string](t, api.LoadBalancerSecurityGroupId))
		assert.Equal(t, rec.Must(t, rtLogGroup, "api-logs").Out("name").StringValue(), pulumimock.Await[string](t, api.LogGroupName))
		assert.True(t, pulumimock.Await[bool](t, api.WafEnabled))
		assert.Equal(t, rec.Must(t, rtWebACL, "api-waf").Out("arn").StringValue(), pulumimock.Await[string](t, api.WebAclArn))
		assert.True(t, pulumimock.Await[bool](t, api.Internal))
		require.NotNil(t, api.Origin)
		assert.Equal(t, "http-only", api.Origin.ProtocolPolicy)
		assert.Equal(t, 80, api.Origin.HttpPort)
		assert.Equal(t, alb.Out("arn").StringValue(), pulumimock.Await[string](t, api.Origin.LoadBalancerArn.ToStringOutput()))
		assert.Equal(t, alb.Out("dnsName").StringValue(), pulumimock.Await[string](t, api.Origin.DomainName.ToStringOutput()))
		assert.Equal(t, alb.Out("name").StringValue(), pulumimock.Await[string](t, api.Origin.Name.ToStringOutput()))
	})

	t.Run("internet-facing: no CloudFront origin", func(t *testing.T) {
		t.Parallel()
		r := runApi(t, internetApiArgs())
		assert.False(t, pulumimock.Await[bool](t, r.api.Internal))
		assert.Nil(t, r.api.Origin, "an internet-facing load balancer is not a CloudFront VPC origin")
	})

	t.Run("behind CloudFront with a certificate: an HTTPS origin on the host name", func(t *testing.T) {
		t.Parallel()
		r := runApi(t, cloudFrontHTTPSApiArgs())
		require.NotNil(t, r.api.Origin)
		assert.Equal(t, "https-only", r.api.Origin.ProtocolPolicy)
		assert.Equal(t, 443, r.api.Origin.HttpsPort)
		assert.Equal(t, "api-origin.example.com", pulumimock.Await[string](t, r.api.Origin.DomainName.ToStringOutput()))
	})
}

func TestApiValidation(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		modify func(a *components.ApiArgs)
		want   string
	}{
		{"no vpc", func(a *components.ApiArgs) { a.VpcId = nil }, "ApiArgs.VpcId: required"},
		{"no private subnets", func(a *components.ApiArgs) { a.PrivateSubnetIds = nil }, "ApiArgs.PrivateSubnetIds: required"},
		{"no image", func(a *components.ApiArgs) { a.Image = nil }, "ApiArgs.Image: required"},
		{"internet without public subnets", func(a *components.ApiArgs) { a.Exposure = components.ApiInternetFacing },
			`ApiArgs.PublicSubnetIds: required when Exposure is "internet"`},
		{"unknown exposure", func(a *components.ApiArgs) { a.Exposure = "public" },
			`ApiArgs.Exposure: "public" is not one of "cloudFront", "internet"`},
		{"https origin without host name", func(a *components.ApiArgs) { a.CertificateArn = pulumi.String("arn:cert") },
			"ApiArgs.OriginHostName: required with CertificateArn behind CloudFront"},
		{"bad cpu", func(a *components.ApiArgs) { a.Cpu = 300 },
			"ApiArgs.Cpu: 300 is not a Fargate CPU value; allowed: [256 512 1024 2048 4096 8192 16384]"},
		{"bad memory", func(a *components.ApiArgs) { a.Memory = 4096 },
			"ApiArgs.Memory: 4096 MiB is not allowed with Cpu 256; allowed: [512 1024 2048]"},
		{"bad architecture", func(a *components.ApiArgs) { a.Architecture = "arm" },
			`ApiArgs.Architecture: "arm" is not one of "ARM64", "X86_64"`},
		{"root user", func(a *components.ApiArgs) { a.User = "0:0" }, `ApiArgs.User: "0:0" runs as root`},
		{"root user by name", func(a *components.ApiArgs) { a.User = "root" }, `ApiArgs.User: "root" runs as root`},
		{"bad port", func(a *components.ApiArgs) { a.ContainerPort = 70000 }, "ApiArgs.ContainerPort: 70000 is not a port"},
		{"no health check", func(a *components.ApiArgs) { a.HealthCheckCommand = nil }, "ApiArgs.HealthCheckCommand: required"},
		{"health check form", func(a *components.ApiArgs) { a.HealthCheckCommand = []string{"/shop", "healthcheck"} }, "ApiArgs.HealthCheckCommand: required, as"},
		{"health path", func(a *components.ApiArgs) { a.HealthCheckPath = "healthz" }, `ApiArgs.HealthCheckPath: "healthz" must start with /`},
		{"health-check grace period", func(a *components.ApiArgs) { a.HealthCheckGracePeriodSeconds = 7201 }, "ApiArgs.HealthCheckGracePeriodSeconds: 7201 is out of range [0, 7200]"},
		{"env name", func(a *components.ApiArgs) {
			a.Environment = map[string]pulumi.StringInput{"BAD-NAME": pulumi.String("x")}
		}, `ApiArgs.Environment: "BAD-NAME" is not an environment variable name`},
		{"env and secret", func(a *components.ApiArgs) {
			a.Environment = map[string]pulumi.StringInput{"DB": pulumi.String("x")}
			a.Secrets = map[string]pulumi.StringInput{"DB": pulumi.String("arn:secret")}
		}, `ApiArgs.Environment["DB"]: also in Secrets`},
		{"wildcard action", func(a *components.ApiArgs) {
			a.TaskPolicyStatements = []components.PolicyStatement{{Actions: []string{"*"}, Resources: []pulumi.StringInput{pulumi.String("arn:aws:s3:::b")}}}
		}, `ApiArgs.TaskPolicyStatements[0].Actions: "*" is not a "service:Action" name`},
		{"wildcards together", func(a *components.ApiArgs) {
			a.TaskPolicyStatements = []components.PolicyStatement{{Actions: []string{"s3:Get*"}, Resources: []pulumi.StringInput{pulumi.String("*")}}}
		}, `ApiArgs.TaskPolicyStatements[0]: wildcard actions on resource "*" are not allowed`},
		{"statement without resources", func(a *components.ApiArgs) {
			a.TaskPolicyStatements = []components.PolicyStatement{{Actions: []string{"s3:GetObject"}}}
		}, "ApiArgs.TaskPolicyStatements[0].Resources: required"},
		{"retention", func(a *components.ApiArgs) { a.LogRetentionDays = 10 }, "ApiArgs.LogRetentionDays: 10 is not a CloudWatch Logs retention"},
		{"capacity", func(a *components.ApiArgs) { a.MinCapacity, a.MaxCapacity = 3, 2 }, "ApiArgs.MaxCapacity: 2 is below MinCapacity 3"},
		{"cpu target", func(a *components.ApiArgs) { a.CpuTargetPercent = 120 }, "ApiArgs.CpuTargetPercent: 120 must be in (0, 100]"},
		{"weights", func(a *components.ApiArgs) { a.FargateSpotWeight = -1 }, "ApiArgs.FargateBase/FargateWeight/FargateSpotWeight: must not be negative"},
		{"spot with the default ARM64", func(a *components.ApiArgs) { a.FargateSpotWeight = 1 },
			`ApiArgs.FargateSpotWeight: 1 with Architecture "ARM64": Fargate Spot has no ARM64 capacity; set FargateSpotWeight to 0 or Architecture to "X86_64"`},
		{"spot with ARM64", func(a *components.ApiArgs) { a.Architecture, a.FargateWeight, a.FargateSpotWeight = "ARM64", 0, 2 },
			`ApiArgs.FargateSpotWeight: 2 with Architecture "ARM64": Fargate Spot has no ARM64 capacity`},
		{"tls policy", func(a *components.ApiArgs) { a.SslPolicy = "ELBSecurityPolicy-2016-08" },
			`ApiArgs.SslPolicy: "ELBSecurityPolicy-2016-08" is not a TLS 1.3 policy with TLS 1.2 or later as minimum`},
		{"tls 1.3 policy that still accepts TLS 1.0", func(a *components.ApiArgs) { a.SslPolicy = "ELBSecurityPolicy-TLS13-1-0-2021-06" },
			`ApiArgs.SslPolicy: "ELBSecurityPolicy-TLS13-1-0-2021-06" is not a TLS 1.3 policy with TLS 1.2 or later as minimum`},
		{"tls 1.3 policy that still accepts TLS 1.1", func(a *components.ApiArgs) { a.SslPolicy = "ELBSecurityPolicy-TLS13-1-1-FIPS-2023-04" },
			`ApiArgs.SslPolicy: "ELBSecurityPolicy-TLS13-1-1-FIPS-2023-04" is not a TLS 1.3 policy with TLS 1.2 or later as minimum`},
		{"desync", func(a *components.ApiArgs) { a.DesyncMitigationMode = "monitor" },
			`ApiArgs.DesyncMitigationMode: "monitor" is not one of "strictest", "defensive"`},
		{"rate limit", func(a *components.ApiArgs) { a.WafRateLimit = 5 }, "ApiArgs.WafRateLimit: 5 must be between 10 and 2000000000"},
		{"nil secret", func(a *components.ApiArgs) { a.Secrets = map[string]pulumi.StringInput{"DB_PASSWORD": nil} },
			`ApiArgs.Secrets["DB_PASSWORD"]: nil secret ARN`},
		{"negative floor", func(a *components.ApiArgs) { a.MinCapacity = -1 }, "ApiArgs.MinCapacity: -1 must be at least 1"},
		{"requests per target", func(a *components.ApiArgs) { a.RequestsPerTarget = -5 }, "ApiArgs.RequestsPerTarget: -5 must be positive"},
		{"on-demand base", func(a *components.ApiArgs) { a.FargateBase = 100001 }, "ApiArgs.FargateBase: 100001 exceeds 100000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			args := baseApiArgs()
			tt.modify(args)
			rec, err := newApiErr(args)
			require.Error(t, err)
			assert.Contains(t, err.Error(), `api "api": `+tt.want)
			assert.Empty(t, rec.Resources(), "nothing is registered before validation passes")
		})
	}
}
