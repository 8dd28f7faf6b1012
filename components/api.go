package components

import (
	"cmp"
	"fmt"
	"sort"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ecs"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/lb"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// ApiType is the Api component's type token.
const ApiType = "shopstack:index:Api"

// ApiExposure says how the load balancer is reached.
type ApiExposure string

const (
	// ApiBehindCloudFront places an internal load balancer in the private
	// subnets. It has no public address; a StaticSite reaches it through a
	// CloudFront VPC origin (see Api.Origin), and its security group admits
	// only CloudFront's origin-facing managed prefix list.
	ApiBehindCloudFront ApiExposure = "cloudFront"
	// ApiInternetFacing places the load balancer in the public subnets and
	// admits the whole internet on its listener ports.
	ApiInternetFacing ApiExposure = "internet"
)

// CloudFrontOriginFacingPrefixList is the AWS-managed prefix list of the
// addresses CloudFront uses to reach origins, VPC origins included.
const CloudFrontOriginFacingPrefixList = "com.amazonaws.global.cloudfront.origin-facing"

// ViewerIpHeader carries the viewer's address from CloudFront to an Api
// behind it. The ALB only ever sees CloudFront's addresses, and the first
// X-Forwarded-For entry (the only one a WAF rate rule can key on) is whatever
// the client sent. A StaticSite with ApiOrigin therefore sets this header on
// every /api/* request with a CloudFront Function, from event.viewer.ip,
// replacing any value the client sent; the internal ALB is reachable only
// through that distribution, so the WAF can trust it.
const ViewerIpHeader = "X-Viewer-Ip"

// ViewerHostHeader carries the Host the viewer asked for (the shop's domain, or the
// distribution's own name) from CloudFront to the Api, which otherwise sees the origin's Host
// and could not tell the shop's own pages from another site's (the service's cross-site
// check, SHOP_VIEWER_HOST_HEADER). The same /api/* function sets it, replacing any value
// the client sent.
const ViewerHostHeader = "X-Viewer-Host"

// DefaultApiSslPolicy negotiates TLS 1.3 and TLS 1.2 with forward-secret
// AEAD ciphers only.
const DefaultApiSslPolicy = "ELBSecurityPolicy-TLS13-1-2-Res-2021-06"

// PolicyStatement is one Allow statement of the task role.
type PolicyStatement struct {
	// Actions are "service:Action" names. Required. "*" is rejected, and an
	// action containing "*" is rejected together with a "*" resource.
	Actions []string
	// Resources are ARNs (or ARN patterns). Required.
	Resources []pulumi.StringInput
}

// ApiCompute is what runs the service: ECS Fargate tasks behind a load balancer, or a Lambda function behind
// its Function URL.
type ApiCompute string

const (
	// ComputeFargate runs ECS Fargate tasks behind an Application Load Balancer (the default): long-lived
	// processes, so in-process work such as the order group commit keeps its state between requests.
	ComputeFargate ApiCompute = "fargate"
	// ComputeLambda runs the same binary as a Lambda function behind a Function URL with AWS_IAM auth that only
	// the StaticSite's distribution may invoke (ApiLambdaArgs, api_lambda.go): no load balancer, no NAT, and
	// nothing billed while nobody shops.
	ComputeLambda ApiCompute = "lambda"
)

// ApiComputes lists the allowed ApiCompute values.
var ApiComputes = []ApiCompute{ComputeFargate, ComputeLambda}

// CpuArchitecture is the Fargate task's CPU architecture, spelled as ECS's
// runtimePlatform.cpuArchitecture.
type CpuArchitecture string

const (
	// ArchitectureArm64 is Graviton: about 20% cheaper than X86_64 per vCPU-hour.
	ArchitectureArm64 CpuArchitecture = "ARM64"
	// ArchitectureX8664 is x86-64, the only architecture Fargate Spot runs.
	ArchitectureX8664 CpuArchitecture = "X86_64"
)

// CpuArchitectures lists the allowed CpuArchitecture values.
var CpuArchitectures = []CpuArchitecture{ArchitectureArm64, ArchitectureX8664}

// ApiArgs configures an Api.
type ApiArgs struct {
	// VpcId is the VPC of the load balancer and the tasks. Required.
	VpcId pulumi.StringInput
	// PrivateSubnetIds hold the tasks and, behind CloudFront, the load
	// balancer. Required.
	PrivateSubnetIds pulumi.StringArrayInput
	// PublicSubnetIds hold an internet-facing load balancer. Required with
	// ApiInternetFacing, unused otherwise.
	PublicSubnetIds pulumi.StringArrayInput
	// Exposure is ApiBehindCloudFront (default) or ApiInternetFacing.
	Exposure ApiExposure
	// Compute is ComputeFargate (default) or ComputeLambda. With ComputeLambda only the network, Environment,
	// Secrets (rejected: see ApiLambdaArgs), TaskPolicyStatements, LogRetentionDays, Alarms and Lambda apply;
	// the Fargate, load balancer and WAF fields are not used.
	Compute ApiCompute
	// Lambda configures the function of ComputeLambda (defaults on ApiLambdaArgs).
	Lambda ApiLambdaArgs

	// Image is the container image reference. Required.
	Image pulumi.StringInput
	// ContainerPort is the port the container listens on. Default 8080.
	ContainerPort int
	// Cpu is the task's CPU units. Default 256. Must form an allowed Fargate
	// pair with Memory (see FargateMemoryChoices).
	Cpu int
	// Memory is the task's memory in MiB. Default 512.
	Memory int
	// Architecture is the task's CPU. Default ArchitectureArm64. Fargate Spot
	// runs X86_64 only, so FargateSpotWeight > 0 needs ArchitectureX8664.
	Architecture CpuArchitecture
	// User is the container user. Default "65532:65532" (non-root); "root",
	// "0" and a uid 0 are rejected.
	User string
	// Environment holds plain environment variables. Default none. Secrets
	// go in Secrets, never here.
	Environment map[string]pulumi.StringInput
	// Secrets maps environment variable names to Secrets Manager secret ARNs
	// (optionally with the ":json-key:version-stage:version-id" suffix ECS
	// understands). The execution role may read exactly these secrets.
	// Default none.
	Secrets map[string]pulumi.StringInput
	// SecretsKmsKeyArn is the customer managed key encrypting Secrets; the
	// execution role may decrypt with it through Secrets Manager only.
	// Default none: the AWS-managed key, which needs no permission.
	SecretsKmsKeyArn pulumi.StringInput
	// Init, when set, is a one-shot container every task runs from Image before the
	// service's container starts (the shop's `migrate`, with credentials the service
	// never gets). Default none.
	Init *ApiInitArgs
	// HealthCheckCommand is the container health check, in ECS form
	// (["CMD", "/shop", "healthcheck"] or ["CMD-SHELL", "..."]). Required:
	// only the image knows which command works in it.
	HealthCheckCommand []string
	// HealthCheckPath is the target group's HTTP health check path.
	// Default "/api/healthz" (the shop service's).
	HealthCheckPath string
	// HealthCheckGracePeriodSeconds is how long after a task starts ECS ignores the load balancer's health
	// checks: it must cover the service's startup (e.g. waiting for a database to resume). Default 30; at most
	// 7200.
	HealthCheckGracePeriodSeconds int
	// ImageRepositoryArn scopes the execution role's image pull permission.
	// Default: every ECR repository of this account and region.
	ImageRepositoryArn pulumi.StringInput
	// TaskPolicyStatements are the task role's only permissions. Default none.
	TaskPolicyStatements []PolicyStatement
	// LogRetentionDays is the retention of the container and WAF log groups.
	// Default 30.
	LogRetentionDays int

	// MinCapacity is the autoscaling floor and the initial task count.
	// Default 1.
	MinCapacity int
	// MaxCapacity is the autoscaling ceiling. Default 4.
	MaxCapacity int
	// CpuTargetPercent is the average CPU utilisation autoscaling tracks.
	// Default 60.
	CpuTargetPercent float64
	// RequestsPerTarget is the ALB request count per target (per minute)
	// autoscaling tracks. Default 1000.
	RequestsPerTarget float64
	// FargateBase is the number of tasks always placed on FARGATE (on-demand)
	// before the weights apply. Default 0.
	FargateBase int
	// FargateWeight is FARGATE's share of the tasks beyond the base. Default 1.
	FargateWeight int
	// FargateSpotWeight is FARGATE_SPOT's share of the tasks beyond the base.
	// Default 0 (no Spot). FargateWeight + FargateSpotWeight must be > 0, and
	// a Spot weight needs Architecture "X86_64" (Spot has no ARM64 capacity).
	FargateSpotWeight int

	// CertificateArn turns on an HTTPS listener (SslPolicy) and, when
	// internet-facing, an HTTP listener that redirects to it. Default none:
	// a plain HTTP listener.
	CertificateArn pulumi.StringInput
	// OriginHostName is a name CertificateArn covers. CloudFront checks the
	// load balancer's certificate against it. Required with CertificateArn
	// behind CloudFront.
	OriginHostName pulumi.StringInput
	// SslPolicy is the HTTPS listener's policy. Default DefaultApiSslPolicy;
	// it must be a TLS 1.3 policy whose minimum is TLS 1.2 or 1.3
	// (ELBSecurityPolicy-TLS13-1-2-* or -1-3-*, FIPS and PQ variants
	// included); the TLS13-1-0 and TLS13-1-1 policies still accept TLS 1.0/1.1.
	SslPolicy string
	// DesyncMitigationMode is "strictest" (default) or "defensive".
	DesyncMitigationMode string
	// DeletionProtection protects the load balancer. Default true.
	DeletionProtection pulumi.BoolInput
	// AccessLogsBucket turns on load balancer access logs to this bucket
	// (which must allow the regional ELB log delivery). Default off.
	AccessLogsBucket pulumi.StringInput
	// AccessLogsPrefix is the access logs' key prefix. Default the
	// component name.
	AccessLogsPrefix string

	// DisableWaf removes the web ACL (for a cost-minimal dev stack). The
	// Api's WafEnabled output shows it. Default false: WAF on.
	DisableWaf bool
	// WafRateLimit is the number of requests one client IP may send in
	// 5 minutes before it is blocked. Default 1000; at least 10.
	WafRateLimit int
	// WafWebhooks are the paths third parties POST signed events to: the web ACL's body rules spare a POST
	// to exactly these, as the edge ACL's do (waf_webhooks.go; pass the StaticSite's Webhooks). Only the
	// paths are used. Default none.
	WafWebhooks []Webhook

	// Alarms switches and tunes the Api's alarms and deployment rollback (defaults on ApiAlarmArgs).
	Alarms ApiAlarmArgs
	// Collector adds an OpenTelemetry collector sidecar (defaults on ApiCollectorArgs). Default off.
	Collector ApiCollectorArgs
}

// ApiOrigin is what a StaticSite needs to route /api/* to an Api through a
// CloudFront VPC origin.
type ApiOrigin struct {
	// LoadBalancerArn is the internal load balancer.
	LoadBalancerArn pulumi.StringInput
	// Name names the VPC origin (unique: derived from the load balancer name).
	Name pulumi.StringInput
	// DomainName is what CloudFront connects to: the load balancer's DNS name,
	// or OriginHostName over HTTPS.
	DomainName pulumi.StringInput
	// ProtocolPolicy is "http-only" or "https-only".
	ProtocolPolicy string
	// HttpPort and HttpsPort are the listener ports.
	HttpPort, HttpsPort int
	// ViewerIpHeader is the header the Api's WAF rate rule keys on; the
	// StaticSite sets it to the viewer's address. Default ViewerIpHeader.
	ViewerIpHeader string
	// FunctionName is set for a ComputeLambda Api: the origin is its Function URL (DomainName, https-only),
	// signed by an origin access control of type lambda, and the StaticSite grants its distribution, and only
	// it, the right to invoke this function. LoadBalancerArn is unused then.
	FunctionName pulumi.StringInput
}

// Api is an ECS Fargate service behind an Application Load Balancer and a
// WAF web ACL.
type Api struct {
	pulumi.ResourceState

	LoadBalancerArn             pulumi.StringOutput `pulumi:"loadBalancerArn"`
	LoadBalancerDnsName         pulumi.StringOutput `pulumi:"loadBalancerDnsName"`
	LoadBalancerSecurityGroupId pulumi.StringOutput `pulumi:"loadBalancerSecurityGroupId"`
	ClusterName                 pulumi.StringOutput `pulumi:"clusterName"`
	ServiceName                 pulumi.StringOutput `pulumi:"serviceName"`
	// SecurityGroupId is the tasks' security group: the one a database or
	// cache lets in.
	SecurityGroupId pulumi.StringOutput `pulumi:"securityGroupId"`
	LogGroupName    pulumi.StringOutput `pulumi:"logGroupName"`
	// WafEnabled is false when DisableWaf was set.
	WafEnabled pulumi.BoolOutput `pulumi:"wafEnabled"`
	// WebAclArn is "" when the WAF is off.
	WebAclArn pulumi.StringOutput `pulumi:"webAclArn"`
	// Internal is true behind CloudFront.
	Internal pulumi.BoolOutput `pulumi:"internal"`
	// FunctionName, FunctionArn and FunctionUrl are the ComputeLambda function and its URL ("" with Fargate,
	// whose load balancer, cluster and service outputs are "" with Lambda).
	FunctionName pulumi.StringOutput `pulumi:"functionName"`
	FunctionArn  pulumi.StringOutput `pulumi:"functionArn"`
	FunctionUrl  pulumi.StringOutput `pulumi:"functionUrl"`

	// Origin is set behind CloudFront: pass it to StaticSiteArgs.ApiOrigin.
	Origin *ApiOrigin
	// DashboardWidgets are the Api's golden-signal graphs (a JSON array of DashboardWidget) for the stack's
	// dashboard.
	DashboardWidgets pulumi.StringOutput
}

func (a *ApiArgs) withDefaults() ApiArgs {
	out := *a
	out.Exposure = cmp.Or(out.Exposure, ApiBehindCloudFront)
	out.Compute = cmp.Or(out.Compute, ComputeFargate)
	out.Lambda = a.Lambda.withDefaults()
	out.ContainerPort = cmp.Or(out.ContainerPort, 8080)
	out.Cpu = cmp.Or(out.Cpu, 256)
	out.Memory = cmp.Or(out.Memory, 512)
	out.Architecture = cmp.Or(out.Architecture, ArchitectureArm64)
	out.User = cmp.Or(out.User, "65532:65532")
	out.HealthCheckPath = cmp.Or(out.HealthCheckPath, "/api/healthz")
	out.HealthCheckGracePeriodSeconds = cmp.Or(out.HealthCheckGracePeriodSeconds, 30)
	out.LogRetentionDays = cmp.Or(out.LogRetentionDays, 30)
	out.MinCapacity = cmp.Or(out.MinCapacity, 1)
	out.MaxCapacity = cmp.Or(out.MaxCapacity, 4)
	out.CpuTargetPercent = cmp.Or(out.CpuTargetPercent, 60)
	out.RequestsPerTarget = cmp.Or(out.RequestsPerTarget, 1000)
	if out.FargateWeight == 0 && out.FargateSpotWeight == 0 {
		out.FargateWeight = 1
	}
	out.SslPolicy = cmp.Or(out.SslPolicy, DefaultApiSslPolicy)
	out.DesyncMitigationMode = cmp.Or(out.DesyncMitigationMode, "strictest")
	if out.DeletionProtection == nil {
		out.DeletionProtection = pulumi.Bool(true)
	}
	out.WafRateLimit = cmp.Or(out.WafRateLimit, 1000)
	out.Alarms = a.Alarms.withDefaults()
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// NewApi registers an Api.
func NewApi(ctx *pulumi.Context, name string, args *ApiArgs, opts ...pulumi.ResourceOption) (*Api, error) {
	if args == nil {
		args = &ApiArgs{}
	}
	fail := func(err error) (*Api, error) { return nil, componentError("api", name, err) }
	a := args.withDefaults()
	if err := a.validate(); err != nil {
		return fail(err)
	}
	api := &Api{}
	if err := ctx.RegisterComponentResource(ApiType, name, api, opts...); err != nil {
		return fail(err)
	}
	b := &apiBuild{
		ctx: ctx, name: name, args: &a, parent: pulumi.Parent(api),
		internal: a.Exposure == ApiBehindCloudFront, https: a.CertificateArn != nil,
	}
	if a.Compute == ComputeLambda {
		if err := b.lambda(api); err != nil {
			return fail(err)
		}
		return api, nil
	}

	loc, err := b.location()
	if err != nil {
		return fail(err)
	}
	logs, err := b.logGroup()
	if err != nil {
		return fail(err)
	}
	roles, err := b.roles(loc, logs)
	if err != nil {
		return fail(err)
	}
	if err := b.collector(loc, roles); err != nil {
		return fail(err)
	}
	cluster, err := b.cluster()
	if err != nil {
		return fail(err)
	}
	taskDef, err := b.taskDefinition(loc, logs, roles, cluster.cluster)
	if err != nil {
		return fail(err)
	}
	sgs, err := b.securityGroups()
	if err != nil {
		return fail(err)
	}
	front, err := b.loadBalancer(sgs.lb)
	if err != nil {
		return fail(err)
	}
	if err := b.deploymentAlarms(front); err != nil {
		return fail(err)
	}
	svc, err := b.service(cluster, taskDef, sgs.task, front)
	if err != nil {
		return fail(err)
	}
	if err := b.scaling(cluster.cluster, svc, front); err != nil {
		return fail(err)
	}
	webACLArn, err := b.waf(front.alb)
	if err != nil {
		return fail(err)
	}
	if err := b.alarms(loc, cluster.cluster, svc, webACLArn); err != nil {
		return fail(err)
	}
	api.DashboardWidgets = b.widgets(loc, cluster.cluster, svc, front)

	api.Origin = b.origin(front.alb)
	if err := b.outputs(api, logs, cluster.cluster, svc, sgs, front.alb, webACLArn); err != nil {
		return fail(err)
	}
	return api, nil
}

// apiBuild is what every concern of one Api shares: where it registers, its defaulted args, and the two
// choices that decide which listeners, ingress rules and origin exist.
type apiBuild struct {
	ctx    *pulumi.Context
	name   string
	args   *ApiArgs
	parent pulumi.ResourceOrInvokeOption
	// internal is true behind CloudFront.
	internal bool
	// https is true with a CertificateArn.
	https bool
	// rollbackAlarmNames are the alarms that roll a deployment back (see deploymentAlarms).
	rollbackAlarmNames pulumi.StringArray
	// sidecar is the collector's container definition (JSON); zero without one.
	sidecar pulumi.StringOutput
}

// apiLocation is the partition, region and account the Api deploys to: the roles' ARNs and the container's
// log configuration name them.
type apiLocation struct{ partition, region, account string }

func (b *apiBuild) location() (apiLocation, error) {
	region, err := aws.GetRegion(b.ctx, nil, b.parent)
	if err != nil {
		return apiLocation{}, fmt.Errorf("region: %w", err)
	}
	identity, err := aws.GetCallerIdentity(b.ctx, nil, b.parent)
	if err != nil {
		return apiLocation{}, fmt.Errorf("account: %w", err)
	}
	partition, err := aws.GetPartition(b.ctx, nil, b.parent)
	if err != nil {
		return apiLocation{}, fmt.Errorf("partition: %w", err)
	}
	return apiLocation{partition: partition.Partition, region: region.Name, account: identity.AccountId}, nil
}

// origin is what a StaticSite needs to reach the load balancer; nil when it is internet-facing.
func (b *apiBuild) origin(alb *lb.LoadBalancer) *ApiOrigin {
	if !b.internal {
		return nil
	}
	origin := &ApiOrigin{
		LoadBalancerArn: alb.Arn,
		Name:            alb.Name,
		DomainName:      alb.DnsName,
		ProtocolPolicy:  "http-only",
		HttpPort:        80,
		HttpsPort:       443,
		ViewerIpHeader:  ViewerIpHeader,
	}
	if b.https {
		origin.ProtocolPolicy = "https-only"
		origin.DomainName = b.args.OriginHostName
	}
	return origin
}

// outputs sets the Api's outputs and registers them, the constructor's last call.
func (b *apiBuild) outputs(api *Api, logs *cloudwatch.LogGroup, cluster *ecs.Cluster, svc *ecs.Service,
	sgs apiSecurityGroups, alb *lb.LoadBalancer, webACLArn pulumi.StringOutput) error {
	api.LoadBalancerArn = alb.Arn
	api.LoadBalancerDnsName = alb.DnsName
	api.LoadBalancerSecurityGroupId = sgs.lb.ID().ToStringOutput()
	api.ClusterName = cluster.Name
	api.ServiceName = svc.Name
	api.SecurityGroupId = sgs.task.ID().ToStringOutput()
	api.LogGroupName = logs.Name
	api.WafEnabled = pulumi.Bool(!b.args.DisableWaf).ToBoolOutput()
	api.WebAclArn = webACLArn
	api.Internal = pulumi.Bool(b.internal).ToBoolOutput()
	api.FunctionName = pulumi.String("").ToStringOutput()
	api.FunctionArn = pulumi.String("").ToStringOutput()
	api.FunctionUrl = pulumi.String("").ToStringOutput()
	return b.ctx.RegisterResourceOutputs(api, pulumi.Map{
		"loadBalancerArn":             api.LoadBalancerArn,
		"loadBalancerDnsName":         api.LoadBalancerDnsName,
		"loadBalancerSecurityGroupId": api.LoadBalancerSecurityGroupId,
		"clusterName":                 api.ClusterName,
		"serviceName":                 api.ServiceName,
		"securityGroupId":             api.SecurityGroupId,
		"logGroupName":                api.LogGroupName,
		"wafEnabled":                  api.WafEnabled,
		"webAclArn":                   api.WebAclArn,
		"internal":                    api.Internal,
	})
}
