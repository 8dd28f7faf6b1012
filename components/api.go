package components

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/appautoscaling"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ecs"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/lb"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/vpc"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/wafv2"
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

// ViewerIPHeader carries the viewer's address from CloudFront to an Api
// behind it. The ALB only ever sees CloudFront's addresses, and the first
// X-Forwarded-For entry (the only one a WAF rate rule can key on) is whatever
// the client sent. A StaticSite with ApiOrigin therefore sets this header on
// every /api/* request with a CloudFront Function, from event.viewer.ip,
// replacing any value the client sent; the internal ALB is reachable only
// through that distribution, so the WAF can trust it.
const ViewerIPHeader = "X-Viewer-Ip"

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
	// HealthCheckCommand is the container health check, in ECS form
	// (["CMD", "/shop", "healthcheck"] or ["CMD-SHELL", "..."]). Required:
	// only the image knows which command works in it.
	HealthCheckCommand []string
	// HealthCheckPath is the target group's HTTP health check path.
	// Default "/api/healthz" (the shop service's).
	HealthCheckPath string
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
	// HTTPPort and HTTPSPort are the listener ports.
	HTTPPort, HTTPSPort int
	// ViewerIPHeader is the header the Api's WAF rate rule keys on; the
	// StaticSite sets it to the viewer's address. Default ViewerIPHeader.
	ViewerIPHeader string
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

	// Origin is set behind CloudFront: pass it to StaticSiteArgs.ApiOrigin.
	Origin *ApiOrigin
}

// fargateMemory lists, per CPU value, the memory sizes (MiB) Fargate accepts.
var fargateMemory = map[int][]int{
	256:   {512, 1024, 2048},
	512:   memRange(1024, 4096, 1024),
	1024:  memRange(2048, 8192, 1024),
	2048:  memRange(4096, 16384, 1024),
	4096:  memRange(8192, 30720, 1024),
	8192:  memRange(16384, 61440, 4096),
	16384: memRange(32768, 122880, 8192),
}

func memRange(from, to, step int) []int {
	var out []int
	for m := from; m <= to; m += step {
		out = append(out, m)
	}
	return out
}

// FargateMemoryChoices returns the memory sizes Fargate allows with cpu, or
// nil when cpu itself is not allowed.
func FargateMemoryChoices(cpu int) []int {
	return slices.Clone(fargateMemory[cpu])
}

func fargateCPUs() []int {
	cpus := make([]int, 0, len(fargateMemory))
	for c := range fargateMemory {
		cpus = append(cpus, c)
	}
	sort.Ints(cpus)
	return cpus
}

// tls13Policy matches the ELB TLS 1.3 policies with TLS 1.2 or 1.3 as minimum.
var tls13Policy = regexp.MustCompile(`^ELBSecurityPolicy-TLS13-1-[23]-[A-Za-z0-9-]+$`)

var envName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
var actionName = regexp.MustCompile(`^[a-z0-9-]+:[A-Za-z0-9*]+$`)

func (a *ApiArgs) withDefaults() ApiArgs {
	out := *a
	out.Exposure = cmp.Or(out.Exposure, ApiBehindCloudFront)
	out.ContainerPort = cmp.Or(out.ContainerPort, 8080)
	out.Cpu = cmp.Or(out.Cpu, 256)
	out.Memory = cmp.Or(out.Memory, 512)
	out.Architecture = cmp.Or(out.Architecture, ArchitectureArm64)
	out.User = cmp.Or(out.User, "65532:65532")
	out.HealthCheckPath = cmp.Or(out.HealthCheckPath, "/api/healthz")
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
	return out
}

// validate expects defaults applied; every message names the field.
func (a *ApiArgs) validate() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if a.VpcId == nil {
		bad("ApiArgs.VpcId: required")
	}
	if a.PrivateSubnetIds == nil {
		bad("ApiArgs.PrivateSubnetIds: required")
	}
	switch a.Exposure {
	case ApiBehindCloudFront:
		if a.CertificateArn != nil && a.OriginHostName == nil {
			bad("ApiArgs.OriginHostName: required with CertificateArn behind CloudFront (CloudFront checks the load balancer's certificate against it)")
		}
	case ApiInternetFacing:
		if a.PublicSubnetIds == nil {
			bad("ApiArgs.PublicSubnetIds: required when Exposure is %q", ApiInternetFacing)
		}
	default:
		bad("ApiArgs.Exposure: %q is not one of %q, %q", a.Exposure, ApiBehindCloudFront, ApiInternetFacing)
	}
	if a.Image == nil {
		bad("ApiArgs.Image: required")
	}
	if a.ContainerPort < 1 || a.ContainerPort > 65535 {
		bad("ApiArgs.ContainerPort: %d is not a port (1-65535)", a.ContainerPort)
	}
	if mem, ok := fargateMemory[a.Cpu]; !ok {
		bad("ApiArgs.Cpu: %d is not a Fargate CPU value; allowed: %v", a.Cpu, fargateCPUs())
	} else if !slices.Contains(mem, a.Memory) {
		bad("ApiArgs.Memory: %d MiB is not allowed with Cpu %d; allowed: %v", a.Memory, a.Cpu, mem)
	}
	if !slices.Contains(CpuArchitectures, a.Architecture) {
		bad("ApiArgs.Architecture: %q is not one of %s", a.Architecture, quoted(CpuArchitectures))
	}
	if uid, _, _ := strings.Cut(a.User, ":"); uid == "root" || uid == "0" {
		bad("ApiArgs.User: %q runs as root; use a non-root uid (default \"65532:65532\")", a.User)
	}
	for _, k := range sortedKeys(a.Environment) {
		if !envName.MatchString(k) {
			bad("ApiArgs.Environment: %q is not an environment variable name", k)
		}
		if a.Environment[k] == nil {
			bad("ApiArgs.Environment[%q]: nil value", k)
		}
		if _, dup := a.Secrets[k]; dup {
			bad("ApiArgs.Environment[%q]: also in Secrets; give each variable once", k)
		}
	}
	for _, k := range sortedKeys(a.Secrets) {
		if !envName.MatchString(k) {
			bad("ApiArgs.Secrets: %q is not an environment variable name", k)
		}
		if a.Secrets[k] == nil {
			bad("ApiArgs.Secrets[%q]: nil secret ARN", k)
		}
	}
	if len(a.HealthCheckCommand) < 2 || (a.HealthCheckCommand[0] != "CMD" && a.HealthCheckCommand[0] != "CMD-SHELL") {
		bad("ApiArgs.HealthCheckCommand: required, as [\"CMD\", cmd, args...] or [\"CMD-SHELL\", \"command\"]; got %q", a.HealthCheckCommand)
	}
	if !strings.HasPrefix(a.HealthCheckPath, "/") {
		bad("ApiArgs.HealthCheckPath: %q must start with /", a.HealthCheckPath)
	}
	for i, s := range a.TaskPolicyStatements {
		if err := s.validate(fmt.Sprintf("ApiArgs.TaskPolicyStatements[%d]", i)); err != nil {
			errs = append(errs, err)
		}
	}
	if !IsLogRetention(a.LogRetentionDays) {
		bad("ApiArgs.LogRetentionDays: %d is not a CloudWatch retention; allowed: %v", a.LogRetentionDays, LogRetentionDays)
	}
	if a.MinCapacity < 1 {
		bad("ApiArgs.MinCapacity: %d must be at least 1", a.MinCapacity)
	}
	if a.MaxCapacity < a.MinCapacity {
		bad("ApiArgs.MaxCapacity: %d is below MinCapacity %d", a.MaxCapacity, a.MinCapacity)
	}
	if a.CpuTargetPercent <= 0 || a.CpuTargetPercent > 100 {
		bad("ApiArgs.CpuTargetPercent: %v must be in (0, 100]", a.CpuTargetPercent)
	}
	if a.RequestsPerTarget <= 0 {
		bad("ApiArgs.RequestsPerTarget: %v must be positive", a.RequestsPerTarget)
	}
	if a.FargateBase < 0 || a.FargateWeight < 0 || a.FargateSpotWeight < 0 {
		bad("ApiArgs.FargateBase/FargateWeight/FargateSpotWeight: must not be negative (got %d/%d/%d)", a.FargateBase, a.FargateWeight, a.FargateSpotWeight)
	}
	// Fargate Spot runs X86_64 tasks only: an ARM64 task placed by a FARGATE_SPOT weight never starts.
	if a.FargateSpotWeight > 0 && a.Architecture == ArchitectureArm64 {
		bad("ApiArgs.FargateSpotWeight: %d with Architecture %q: Fargate Spot has no ARM64 capacity; set FargateSpotWeight to 0 or Architecture to \"X86_64\"", a.FargateSpotWeight, a.Architecture)
	}
	if a.FargateBase > 100000 {
		bad("ApiArgs.FargateBase: %d exceeds 100000", a.FargateBase)
	}
	if !tls13Policy.MatchString(a.SslPolicy) {
		bad("ApiArgs.SslPolicy: %q is not a TLS 1.3 policy with TLS 1.2 or later as minimum (ELBSecurityPolicy-TLS13-1-2-* or ELBSecurityPolicy-TLS13-1-3-*)", a.SslPolicy)
	}
	if a.DesyncMitigationMode != "strictest" && a.DesyncMitigationMode != "defensive" {
		bad("ApiArgs.DesyncMitigationMode: %q is not one of \"strictest\", \"defensive\"", a.DesyncMitigationMode)
	}
	if a.WafRateLimit < 10 || a.WafRateLimit > 2000000000 {
		bad("ApiArgs.WafRateLimit: %d must be between 10 and 2000000000", a.WafRateLimit)
	}
	return errors.Join(errs...)
}

// validate names the statement's fields after field, e.g.
// "ApiArgs.TaskPolicyStatements[0]".
func (s PolicyStatement) validate(field string) error {
	if len(s.Actions) == 0 {
		return fmt.Errorf("%s.Actions: required", field)
	}
	if len(s.Resources) == 0 {
		return fmt.Errorf("%s.Resources: required", field)
	}
	wildAction := false
	for _, a := range s.Actions {
		if a == "*" || !actionName.MatchString(a) {
			return fmt.Errorf("%s.Actions: %q is not a \"service:Action\" name", field, a)
		}
		wildAction = wildAction || strings.Contains(a, "*")
	}
	for i, r := range s.Resources {
		if r == nil {
			return fmt.Errorf("%s.Resources[%d]: nil", field, i)
		}
		if lit, ok := r.(pulumi.String); ok && string(lit) == "*" && wildAction {
			return fmt.Errorf("%s: wildcard actions on resource \"*\" are not allowed; name the resources or the actions", field)
		}
	}
	return nil
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
	a := args.withDefaults()
	if err := a.validate(); err != nil {
		return nil, fmt.Errorf("api %q: %w", name, err)
	}

	api := &Api{}
	if err := ctx.RegisterComponentResource(ApiType, name, api, opts...); err != nil {
		return nil, err
	}
	parent := pulumi.Parent(api)

	region, err := aws.GetRegion(ctx, nil, parent)
	if err != nil {
		return nil, fmt.Errorf("api %q: region: %w", name, err)
	}
	identity, err := aws.GetCallerIdentity(ctx, nil, parent)
	if err != nil {
		return nil, fmt.Errorf("api %q: account: %w", name, err)
	}
	partition, err := aws.GetPartition(ctx, nil, parent)
	if err != nil {
		return nil, fmt.Errorf("api %q: partition: %w", name, err)
	}

	// Logs.
	logGroup, err := cloudwatch.NewLogGroup(ctx, name+"-logs", &cloudwatch.LogGroupArgs{
		RetentionInDays: pulumi.Int(a.LogRetentionDays),
	}, parent)
	if err != nil {
		return nil, err
	}

	// Roles.
	// ECS documents the confused-deputy conditions for task roles only; the
	// execution role keeps the plain trust ECS documents for it (iam:PassRole
	// in this account is what guards it).
	execTrust, err := ecsTasksTrustPolicy(nil)
	if err != nil {
		return nil, err
	}
	taskTrust, err := ecsTasksTrustPolicy(map[string]any{
		"StringEquals": map[string]any{"aws:SourceAccount": identity.AccountId},
		"ArnLike":      map[string]any{"aws:SourceArn": fmt.Sprintf("arn:%s:ecs:%s:%s:*", partition.Partition, region.Name, identity.AccountId)},
	})
	if err != nil {
		return nil, err
	}
	execRole, err := iam.NewRole(ctx, name+"-execution-role", &iam.RoleArgs{
		Description:      pulumi.String("ECS execution role of " + name + ": image pull, logs, listed secrets"),
		AssumeRolePolicy: pulumi.String(execTrust),
	}, parent)
	if err != nil {
		return nil, err
	}
	repoArn := a.ImageRepositoryArn
	if repoArn == nil {
		repoArn = pulumi.String(fmt.Sprintf("arn:%s:ecr:%s:%s:repository/*", partition.Partition, region.Name, identity.AccountId))
	}
	secretArns := make([]pulumi.StringInput, 0, len(a.Secrets))
	for _, k := range sortedKeys(a.Secrets) {
		secretArns = append(secretArns, a.Secrets[k])
	}
	execPolicy := executionPolicy(repoArn, logGroup.Arn, a.SecretsKmsKeyArn, region.Name, secretArns)
	if _, err := iam.NewRolePolicy(ctx, name+"-execution-policy", &iam.RolePolicyArgs{
		Role:   execRole.Name,
		Policy: execPolicy,
	}, parent); err != nil {
		return nil, err
	}
	taskRole, err := iam.NewRole(ctx, name+"-task-role", &iam.RoleArgs{
		Description:      pulumi.String("ECS task role of " + name + ": only the statements the stack passes"),
		AssumeRolePolicy: pulumi.String(taskTrust),
	}, parent)
	if err != nil {
		return nil, err
	}
	if len(a.TaskPolicyStatements) > 0 {
		if _, err := iam.NewRolePolicy(ctx, name+"-task-policy", &iam.RolePolicyArgs{
			Role:   taskRole.Name,
			Policy: taskPolicy(a.TaskPolicyStatements),
		}, parent); err != nil {
			return nil, err
		}
	}

	// Cluster.
	cluster, err := ecs.NewCluster(ctx, name+"-cluster", &ecs.ClusterArgs{
		Settings: ecs.ClusterSettingArray{
			ecs.ClusterSettingArgs{Name: pulumi.String("containerInsights"), Value: pulumi.String("enabled")},
		},
	}, parent)
	if err != nil {
		return nil, err
	}
	capacity, err := ecs.NewClusterCapacityProviders(ctx, name+"-capacity-providers", &ecs.ClusterCapacityProvidersArgs{
		ClusterName:       cluster.Name,
		CapacityProviders: pulumi.StringArray{pulumi.String("FARGATE"), pulumi.String("FARGATE_SPOT")},
		DefaultCapacityProviderStrategies: ecs.ClusterCapacityProvidersDefaultCapacityProviderStrategyArray{
			ecs.ClusterCapacityProvidersDefaultCapacityProviderStrategyArgs{
				CapacityProvider: pulumi.String("FARGATE"), Base: pulumi.Int(a.FargateBase), Weight: pulumi.Int(a.FargateWeight),
			},
			ecs.ClusterCapacityProvidersDefaultCapacityProviderStrategyArgs{
				CapacityProvider: pulumi.String("FARGATE_SPOT"), Weight: pulumi.Int(a.FargateSpotWeight),
			},
		},
	}, parent)
	if err != nil {
		return nil, err
	}

	// Task definition.
	containerDefs := containerDefinitions(&a, logGroup.Name, region.Name)
	taskDef, err := ecs.NewTaskDefinition(ctx, name+"-task", &ecs.TaskDefinitionArgs{
		// The family follows the autonamed cluster, so two stacks never share one.
		Family:                  cluster.Name,
		Cpu:                     pulumi.String(strconv.Itoa(a.Cpu)),
		Memory:                  pulumi.String(strconv.Itoa(a.Memory)),
		NetworkMode:             pulumi.String("awsvpc"),
		RequiresCompatibilities: pulumi.StringArray{pulumi.String("FARGATE")},
		RuntimePlatform: ecs.TaskDefinitionRuntimePlatformArgs{
			CpuArchitecture:       pulumi.String(string(a.Architecture)),
			OperatingSystemFamily: pulumi.String("LINUX"),
		},
		ExecutionRoleArn:     execRole.Arn,
		TaskRoleArn:          taskRole.Arn,
		ContainerDefinitions: containerDefs,
		Volumes: ecs.TaskDefinitionVolumeArray{
			ecs.TaskDefinitionVolumeArgs{Name: pulumi.String(tmpVolume)},
		},
	}, parent)
	if err != nil {
		return nil, err
	}

	// Security groups: the load balancer's and the tasks'.
	internal := a.Exposure == ApiBehindCloudFront
	lbSG, err := ec2.NewSecurityGroup(ctx, name+"-lb-sg", &ec2.SecurityGroupArgs{
		VpcId:       a.VpcId,
		Description: pulumi.String("Load balancer of " + name),
	}, parent)
	if err != nil {
		return nil, err
	}
	taskSG, err := ec2.NewSecurityGroup(ctx, name+"-task-sg", &ec2.SecurityGroupArgs{
		VpcId:       a.VpcId,
		Description: pulumi.String("Tasks of " + name + ": only the load balancer on the container port"),
	}, parent)
	if err != nil {
		return nil, err
	}
	https := a.CertificateArn != nil
	var listenerPorts []int
	switch {
	case https && internal:
		listenerPorts = []int{443}
	case https:
		listenerPorts = []int{80, 443}
	default:
		listenerPorts = []int{80}
	}
	if internal {
		pl, err := ec2.LookupManagedPrefixList(ctx, &ec2.LookupManagedPrefixListArgs{
			Name: pulumi.StringRef(CloudFrontOriginFacingPrefixList),
		}, parent)
		if err != nil {
			return nil, fmt.Errorf("api %q: CloudFront prefix list: %w", name, err)
		}
		// One rule only: a managed prefix list counts as its MaxEntries rules.
		port := listenerPorts[0]
		if _, err := vpc.NewSecurityGroupIngressRule(ctx, fmt.Sprintf("%s-lb-in-cloudfront-%d", name, port), &vpc.SecurityGroupIngressRuleArgs{
			SecurityGroupId: lbSG.ID(),
			Description:     pulumi.String("CloudFront origin-facing addresses (VPC origin)"),
			IpProtocol:      pulumi.String("tcp"),
			FromPort:        pulumi.Int(port),
			ToPort:          pulumi.Int(port),
			PrefixListId:    pulumi.String(pl.Id),
		}, parent); err != nil {
			return nil, err
		}
	} else {
		for _, port := range listenerPorts {
			for _, cidr := range []struct{ suffix, v4, v6 string }{{"ipv4", "0.0.0.0/0", ""}, {"ipv6", "", "::/0"}} {
				rule := &vpc.SecurityGroupIngressRuleArgs{
					SecurityGroupId: lbSG.ID(),
					Description:     pulumi.String("Internet"),
					IpProtocol:      pulumi.String("tcp"),
					FromPort:        pulumi.Int(port),
					ToPort:          pulumi.Int(port),
				}
				if cidr.v4 != "" {
					rule.CidrIpv4 = pulumi.String(cidr.v4)
				} else {
					rule.CidrIpv6 = pulumi.String(cidr.v6)
				}
				if _, err := vpc.NewSecurityGroupIngressRule(ctx, fmt.Sprintf("%s-lb-in-%s-%d", name, cidr.suffix, port), rule, parent); err != nil {
					return nil, err
				}
			}
		}
	}
	if _, err := vpc.NewSecurityGroupEgressRule(ctx, name+"-lb-out-tasks", &vpc.SecurityGroupEgressRuleArgs{
		SecurityGroupId:           lbSG.ID(),
		Description:               pulumi.String("Tasks on the container port"),
		IpProtocol:                pulumi.String("tcp"),
		FromPort:                  pulumi.Int(a.ContainerPort),
		ToPort:                    pulumi.Int(a.ContainerPort),
		ReferencedSecurityGroupId: taskSG.ID(),
	}, parent); err != nil {
		return nil, err
	}
	if _, err := vpc.NewSecurityGroupIngressRule(ctx, name+"-task-in-lb", &vpc.SecurityGroupIngressRuleArgs{
		SecurityGroupId:           taskSG.ID(),
		Description:               pulumi.String("Load balancer on the container port"),
		IpProtocol:                pulumi.String("tcp"),
		FromPort:                  pulumi.Int(a.ContainerPort),
		ToPort:                    pulumi.Int(a.ContainerPort),
		ReferencedSecurityGroupId: lbSG.ID(),
	}, parent); err != nil {
		return nil, err
	}
	// Tasks call AWS APIs, the database and third parties; egress stays open.
	if _, err := vpc.NewSecurityGroupEgressRule(ctx, name+"-task-out", &vpc.SecurityGroupEgressRuleArgs{
		SecurityGroupId: taskSG.ID(),
		Description:     pulumi.String("AWS APIs, data stores, image pulls"),
		IpProtocol:      pulumi.String("-1"),
		CidrIpv4:        pulumi.String("0.0.0.0/0"),
	}, parent); err != nil {
		return nil, err
	}

	// Load balancer.
	lbSubnets := a.PrivateSubnetIds
	if !internal {
		lbSubnets = a.PublicSubnetIds
	}
	lbArgs := &lb.LoadBalancerArgs{
		LoadBalancerType:         pulumi.String("application"),
		Internal:                 pulumi.Bool(internal),
		Subnets:                  lbSubnets,
		SecurityGroups:           pulumi.StringArray{lbSG.ID()},
		DropInvalidHeaderFields:  pulumi.Bool(true),
		DesyncMitigationMode:     pulumi.String(a.DesyncMitigationMode),
		EnableDeletionProtection: a.DeletionProtection.ToBoolOutput().ToBoolPtrOutput(),
		EnableHttp2:              pulumi.Bool(true),
		EnableWafFailOpen:        pulumi.Bool(false),
	}
	if a.AccessLogsBucket != nil {
		prefix := a.AccessLogsPrefix
		prefix = cmp.Or(prefix, name)
		lbArgs.AccessLogs = lb.LoadBalancerAccessLogsArgs{
			Bucket: a.AccessLogsBucket, Enabled: pulumi.Bool(true), Prefix: pulumi.String(prefix),
		}
	}
	alb, err := lb.NewLoadBalancer(ctx, name+"-alb", lbArgs, parent)
	if err != nil {
		return nil, err
	}
	tg, err := lb.NewTargetGroup(ctx, name+"-tg", &lb.TargetGroupArgs{
		VpcId:               a.VpcId,
		TargetType:          pulumi.String("ip"),
		Protocol:            pulumi.String("HTTP"),
		Port:                pulumi.Int(a.ContainerPort),
		DeregistrationDelay: pulumi.Int(30),
		HealthCheck: lb.TargetGroupHealthCheckArgs{
			Enabled:            pulumi.Bool(true),
			Path:               pulumi.String(a.HealthCheckPath),
			Protocol:           pulumi.String("HTTP"),
			Matcher:            pulumi.String("200"),
			Interval:           pulumi.Int(15),
			Timeout:            pulumi.Int(5),
			HealthyThreshold:   pulumi.Int(2),
			UnhealthyThreshold: pulumi.Int(3),
		},
	}, parent)
	if err != nil {
		return nil, err
	}
	forward := lb.ListenerDefaultActionArray{
		lb.ListenerDefaultActionArgs{Type: pulumi.String("forward"), TargetGroupArn: tg.Arn},
	}
	var listeners []pulumi.Resource
	if https {
		l, err := lb.NewListener(ctx, name+"-https", &lb.ListenerArgs{
			LoadBalancerArn: alb.Arn,
			Port:            pulumi.Int(443),
			Protocol:        pulumi.String("HTTPS"),
			SslPolicy:       pulumi.String(a.SslPolicy),
			CertificateArn:  a.CertificateArn,
			DefaultActions:  forward,
		}, parent)
		if err != nil {
			return nil, err
		}
		listeners = append(listeners, l)
		if !internal {
			r, err := lb.NewListener(ctx, name+"-http-redirect", &lb.ListenerArgs{
				LoadBalancerArn: alb.Arn,
				Port:            pulumi.Int(80),
				Protocol:        pulumi.String("HTTP"),
				DefaultActions: lb.ListenerDefaultActionArray{lb.ListenerDefaultActionArgs{
					Type: pulumi.String("redirect"),
					Redirect: lb.ListenerDefaultActionRedirectArgs{
						Protocol: pulumi.String("HTTPS"), Port: pulumi.String("443"), StatusCode: pulumi.String("HTTP_301"),
					},
				}},
			}, parent)
			if err != nil {
				return nil, err
			}
			listeners = append(listeners, r)
		}
	} else {
		l, err := lb.NewListener(ctx, name+"-http", &lb.ListenerArgs{
			LoadBalancerArn: alb.Arn,
			Port:            pulumi.Int(80),
			Protocol:        pulumi.String("HTTP"),
			DefaultActions:  forward,
		}, parent)
		if err != nil {
			return nil, err
		}
		listeners = append(listeners, l)
	}

	// Service.
	svc, err := ecs.NewService(ctx, name+"-service", &ecs.ServiceArgs{
		Cluster:         cluster.Arn,
		TaskDefinition:  taskDef.Arn,
		DesiredCount:    pulumi.Int(a.MinCapacity),
		PlatformVersion: pulumi.String("LATEST"),
		CapacityProviderStrategies: ecs.ServiceCapacityProviderStrategyArray{
			ecs.ServiceCapacityProviderStrategyArgs{
				CapacityProvider: pulumi.String("FARGATE"), Base: pulumi.Int(a.FargateBase), Weight: pulumi.Int(a.FargateWeight),
			},
			ecs.ServiceCapacityProviderStrategyArgs{
				CapacityProvider: pulumi.String("FARGATE_SPOT"), Weight: pulumi.Int(a.FargateSpotWeight),
			},
		},
		NetworkConfiguration: ecs.ServiceNetworkConfigurationArgs{
			Subnets:        a.PrivateSubnetIds,
			SecurityGroups: pulumi.StringArray{taskSG.ID()},
			AssignPublicIp: pulumi.Bool(false),
		},
		LoadBalancers: ecs.ServiceLoadBalancerArray{ecs.ServiceLoadBalancerArgs{
			TargetGroupArn: tg.Arn,
			ContainerName:  pulumi.String(containerName),
			ContainerPort:  pulumi.Int(a.ContainerPort),
		}},
		DeploymentCircuitBreaker: ecs.ServiceDeploymentCircuitBreakerArgs{
			Enable: pulumi.Bool(true), Rollback: pulumi.Bool(true),
		},
		DeploymentMinimumHealthyPercent: pulumi.Int(100),
		DeploymentMaximumPercent:        pulumi.Int(200),
		HealthCheckGracePeriodSeconds:   pulumi.Int(30),
		EnableEcsManagedTags:            pulumi.Bool(true),
		PropagateTags:                   pulumi.String("SERVICE"),
		EnableExecuteCommand:            pulumi.Bool(false),
	}, parent,
		// Autoscaling owns the running count after the first deployment.
		pulumi.IgnoreChanges([]string{"desiredCount"}),
		pulumi.DependsOn(append(listeners, capacity)))
	if err != nil {
		return nil, err
	}

	// Autoscaling.
	resourceID := pulumi.Sprintf("service/%s/%s", cluster.Name, svc.Name)
	target, err := appautoscaling.NewTarget(ctx, name+"-scaling", &appautoscaling.TargetArgs{
		ServiceNamespace:  pulumi.String("ecs"),
		ScalableDimension: pulumi.String("ecs:service:DesiredCount"),
		ResourceId:        resourceID,
		MinCapacity:       pulumi.Int(a.MinCapacity),
		MaxCapacity:       pulumi.Int(a.MaxCapacity),
	}, parent)
	if err != nil {
		return nil, err
	}
	for _, p := range []struct {
		suffix, metric string
		target         float64
		label          pulumi.StringInput
	}{
		{"cpu", "ECSServiceAverageCPUUtilization", a.CpuTargetPercent, nil},
		{"requests", "ALBRequestCountPerTarget", a.RequestsPerTarget, pulumi.Sprintf("%s/%s", alb.ArnSuffix, tg.ArnSuffix)},
	} {
		spec := appautoscaling.PolicyTargetTrackingScalingPolicyConfigurationPredefinedMetricSpecificationArgs{
			PredefinedMetricType: pulumi.String(p.metric),
		}
		if p.label != nil {
			spec.ResourceLabel = p.label
		}
		if _, err := appautoscaling.NewPolicy(ctx, name+"-scale-"+p.suffix, &appautoscaling.PolicyArgs{
			PolicyType:        pulumi.String("TargetTrackingScaling"),
			ServiceNamespace:  target.ServiceNamespace,
			ScalableDimension: target.ScalableDimension,
			ResourceId:        target.ResourceId,
			TargetTrackingScalingPolicyConfiguration: appautoscaling.PolicyTargetTrackingScalingPolicyConfigurationArgs{
				TargetValue:                   pulumi.Float64(p.target),
				PredefinedMetricSpecification: spec,
				ScaleInCooldown:               pulumi.Int(300),
				ScaleOutCooldown:              pulumi.Int(60),
			},
		}, parent); err != nil {
			return nil, err
		}
	}

	// WAF.
	webACLArn := pulumi.String("").ToStringOutput()
	if !a.DisableWaf {
		acl, err := newAPIWebACL(ctx, name, &a, internal, parent)
		if err != nil {
			return nil, err
		}
		if _, err := wafv2.NewWebAclAssociation(ctx, name+"-waf-association", &wafv2.WebAclAssociationArgs{
			ResourceArn: alb.Arn,
			WebAclArn:   acl.Arn,
		}, parent); err != nil {
			return nil, err
		}
		wafLogs, err := cloudwatch.NewLogGroup(ctx, name+"-waf-logs", &cloudwatch.LogGroupArgs{
			// WAF only delivers to log groups whose name starts with aws-waf-logs-.
			NamePrefix:      pulumi.String("aws-waf-logs-" + name + "-"),
			RetentionInDays: pulumi.Int(a.LogRetentionDays),
		}, parent)
		if err != nil {
			return nil, err
		}
		if _, err := wafv2.NewWebAclLoggingConfiguration(ctx, name+"-waf-logging", &wafv2.WebAclLoggingConfigurationArgs{
			ResourceArn:           acl.Arn,
			LogDestinationConfigs: pulumi.StringArray{wafLogs.Arn},
			// Credentials never reach the logs.
			RedactedFields: wafv2.WebAclLoggingConfigurationRedactedFieldArray{
				wafv2.WebAclLoggingConfigurationRedactedFieldArgs{
					SingleHeader: wafv2.WebAclLoggingConfigurationRedactedFieldSingleHeaderArgs{Name: pulumi.String("authorization")},
				},
				wafv2.WebAclLoggingConfigurationRedactedFieldArgs{
					SingleHeader: wafv2.WebAclLoggingConfigurationRedactedFieldSingleHeaderArgs{Name: pulumi.String("cookie")},
				},
			},
		}, parent); err != nil {
			return nil, err
		}
		webACLArn = acl.Arn
	}

	if internal {
		origin := &ApiOrigin{
			LoadBalancerArn: alb.Arn,
			Name:            alb.Name,
			DomainName:      alb.DnsName,
			ProtocolPolicy:  "http-only",
			HTTPPort:        80,
			HTTPSPort:       443,
			ViewerIPHeader:  ViewerIPHeader,
		}
		if https {
			origin.ProtocolPolicy = "https-only"
			origin.DomainName = a.OriginHostName
		}
		api.Origin = origin
	}

	api.LoadBalancerArn = alb.Arn
	api.LoadBalancerDnsName = alb.DnsName
	api.LoadBalancerSecurityGroupId = lbSG.ID().ToStringOutput()
	api.ClusterName = cluster.Name
	api.ServiceName = svc.Name
	api.SecurityGroupId = taskSG.ID().ToStringOutput()
	api.LogGroupName = logGroup.Name
	api.WafEnabled = pulumi.Bool(!a.DisableWaf).ToBoolOutput()
	api.WebAclArn = webACLArn
	api.Internal = pulumi.Bool(internal).ToBoolOutput()
	if err := ctx.RegisterResourceOutputs(api, pulumi.Map{
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
	}); err != nil {
		return nil, err
	}
	return api, nil
}

const (
	containerName = "app"
	tmpVolume     = "tmp"
)

// ecsTasksTrustPolicy lets ECS tasks assume a role, under condition when given.
func ecsTasksTrustPolicy(condition map[string]any) (string, error) {
	doc := policyDocument{Version: "2012-10-17", Statement: []policyStatementJSON{{
		Effect:    "Allow",
		Principal: map[string]any{"Service": "ecs-tasks.amazonaws.com"},
		Action:    []string{"sts:AssumeRole"},
		Condition: condition,
	}}}
	b, err := json.Marshal(doc)
	return string(b), err
}

type policyDocument struct {
	Version   string                `json:"Version"`
	Statement []policyStatementJSON `json:"Statement"`
}

type policyStatementJSON struct {
	Sid       string         `json:"Sid,omitempty"`
	Effect    string         `json:"Effect"`
	Principal map[string]any `json:"Principal,omitempty"`
	Action    []string       `json:"Action"`
	Resource  []string       `json:"Resource,omitempty"`
	Condition map[string]any `json:"Condition,omitempty"`
}

// secretResource strips the json-key/version suffix ECS accepts after a
// Secrets Manager ARN; IAM wants the secret's own ARN.
func secretResource(arn string) string {
	parts := strings.Split(arn, ":")
	if len(parts) > 7 && parts[2] == "secretsmanager" {
		return strings.Join(parts[:7], ":")
	}
	return arn
}

func executionPolicy(repoArn pulumi.StringInput, logGroupArn pulumi.StringOutput, kmsKey pulumi.StringInput, region string, secretArns []pulumi.StringInput) pulumi.StringOutput {
	if kmsKey == nil {
		kmsKey = pulumi.String("")
	}
	inputs := []any{repoArn, logGroupArn, kmsKey}
	for _, s := range secretArns {
		inputs = append(inputs, s)
	}
	return pulumi.All(inputs...).ApplyT(func(v []any) (string, error) {
		stmts := []policyStatementJSON{
			// GetAuthorizationToken has no resource-level permissions.
			{Sid: "EcrToken", Effect: "Allow", Action: []string{"ecr:GetAuthorizationToken"}, Resource: []string{"*"}},
			{Sid: "EcrPull", Effect: "Allow", Action: []string{"ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"}, Resource: []string{v[0].(string)}},
			// CloudWatch Logs authorises CreateLogStream against the group's
			// "log-group:NAME:*" form and PutLogEvents against its streams
			// ("log-group:NAME:log-stream:S"); "NAME:*" covers both, and
			// nothing outside this group.
			{Sid: "Logs", Effect: "Allow", Action: []string{"logs:CreateLogStream", "logs:PutLogEvents"}, Resource: []string{v[1].(string) + ":*"}},
		}
		if len(v) > 3 {
			var arns []string
			for _, s := range v[3:] {
				arn := secretResource(s.(string))
				if !slices.Contains(arns, arn) {
					arns = append(arns, arn)
				}
			}
			stmts = append(stmts, policyStatementJSON{Sid: "Secrets", Effect: "Allow", Action: []string{"secretsmanager:GetSecretValue"}, Resource: arns})
			if key := v[2].(string); key != "" {
				stmts = append(stmts, policyStatementJSON{
					Sid: "SecretsKey", Effect: "Allow", Action: []string{"kms:Decrypt"}, Resource: []string{key},
					Condition: map[string]any{"StringEquals": map[string]any{"kms:ViaService": "secretsmanager." + region + ".amazonaws.com"}},
				})
			}
		}
		b, err := json.Marshal(policyDocument{Version: "2012-10-17", Statement: stmts})
		return string(b), err
	}).(pulumi.StringOutput)
}

func taskPolicy(statements []PolicyStatement) pulumi.StringOutput {
	var inputs []any
	for _, s := range statements {
		for _, r := range s.Resources {
			inputs = append(inputs, r)
		}
	}
	return pulumi.All(inputs...).ApplyT(func(v []any) (string, error) {
		var stmts []policyStatementJSON
		i := 0
		for _, s := range statements {
			wild := slices.ContainsFunc(s.Actions, func(a string) bool { return strings.Contains(a, "*") })
			var res []string
			for range s.Resources {
				r := v[i].(string)
				i++
				if r == "*" && wild {
					return "", fmt.Errorf("task policy: wildcard actions %q on resource \"*\"", s.Actions)
				}
				res = append(res, r)
			}
			stmts = append(stmts, policyStatementJSON{Effect: "Allow", Action: slices.Clone(s.Actions), Resource: res})
		}
		b, err := json.Marshal(policyDocument{Version: "2012-10-17", Statement: stmts})
		return string(b), err
	}).(pulumi.StringOutput)
}

type keyValue struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

type secretRef struct {
	Name      string `json:"name"`
	ValueFrom string `json:"valueFrom"`
}

// containerDefinitions renders the single container's definition.
func containerDefinitions(a *ApiArgs, logGroupName pulumi.StringOutput, region string) pulumi.StringOutput {
	envKeys := sortedKeys(a.Environment)
	secretKeys := sortedKeys(a.Secrets)
	inputs := []any{a.Image, logGroupName}
	for _, k := range envKeys {
		inputs = append(inputs, a.Environment[k])
	}
	for _, k := range secretKeys {
		inputs = append(inputs, a.Secrets[k])
	}
	return pulumi.All(inputs...).ApplyT(func(v []any) (string, error) {
		env := []keyValue{}
		for i, k := range envKeys {
			env = append(env, keyValue{Name: k, Value: v[2+i].(string)})
		}
		secrets := []secretRef{}
		for i, k := range secretKeys {
			secrets = append(secrets, secretRef{Name: k, ValueFrom: v[2+len(envKeys)+i].(string)})
		}
		def := []map[string]any{{
			"name":                   containerName,
			"image":                  v[0].(string),
			"essential":              true,
			"user":                   a.User,
			"readonlyRootFilesystem": true,
			"privileged":             false,
			"portMappings": []map[string]any{{
				"containerPort": a.ContainerPort, "hostPort": a.ContainerPort, "protocol": "tcp",
			}},
			"mountPoints": []map[string]any{{
				"sourceVolume": tmpVolume, "containerPath": "/tmp", "readOnly": false,
			}},
			"linuxParameters": map[string]any{
				"initProcessEnabled": true,
				"capabilities":       map[string]any{"drop": []string{"ALL"}},
			},
			"environment": env,
			"secrets":     secrets,
			"healthCheck": map[string]any{
				"command": a.HealthCheckCommand, "interval": 30, "timeout": 5, "retries": 3, "startPeriod": 15,
			},
			"logConfiguration": map[string]any{
				"logDriver": "awslogs",
				"options": map[string]string{
					"awslogs-group":         v[1].(string),
					"awslogs-region":        region,
					"awslogs-stream-prefix": containerName,
				},
			},
		}}
		b, err := json.Marshal(def)
		return string(b), err
	}).(pulumi.StringOutput)
}

// managedRuleGroups are the AWS managed rule groups every web ACL runs.
var managedRuleGroups = []struct{ name, metric string }{
	{"AWSManagedRulesAmazonIpReputationList", "ip-reputation"},
	{"AWSManagedRulesCommonRuleSet", "common"},
	{"AWSManagedRulesKnownBadInputsRuleSet", "known-bad-inputs"},
	{"AWSManagedRulesSQLiRuleSet", "sqli"},
}

func newAPIWebACL(ctx *pulumi.Context, name string, a *ApiArgs, behindCloudFront bool, parent pulumi.ResourceOption) (*wafv2.WebAcl, error) {
	visibility := func(metric string) wafv2.WebAclRuleVisibilityConfigArgs {
		return wafv2.WebAclRuleVisibilityConfigArgs{
			CloudwatchMetricsEnabled: pulumi.Bool(true),
			SampledRequestsEnabled:   pulumi.Bool(true),
			MetricName:               pulumi.String(name + "-" + metric),
		}
	}
	rate := wafv2.WebAclRuleStatementRateBasedStatementArgs{
		Limit:               pulumi.Int(a.WafRateLimit),
		EvaluationWindowSec: pulumi.Int(300),
		AggregateKeyType:    pulumi.String("IP"),
	}
	if behindCloudFront {
		// Behind CloudFront the source address is CloudFront's. The first
		// X-Forwarded-For entry is the client's to choose, so the rule keys on
		// the header the StaticSite's function sets (see ViewerIPHeader). A
		// value that is not an address gets the rule's action: fail closed.
		rate.AggregateKeyType = pulumi.String("FORWARDED_IP")
		rate.ForwardedIpConfig = wafv2.WebAclRuleStatementRateBasedStatementForwardedIpConfigArgs{
			HeaderName:       pulumi.String(ViewerIPHeader),
			FallbackBehavior: pulumi.String("MATCH"),
		}
	}
	rules := wafv2.WebAclRuleArray{
		wafv2.WebAclRuleArgs{
			Name:             pulumi.String("rate-limit-per-ip"),
			Priority:         pulumi.Int(0),
			Action:           wafv2.WebAclRuleActionArgs{Block: wafv2.WebAclRuleActionBlockArgs{}},
			Statement:        wafv2.WebAclRuleStatementArgs{RateBasedStatement: rate},
			VisibilityConfig: visibility("rate-limit"),
		},
	}
	for i, g := range managedRuleGroups {
		rules = append(rules, wafv2.WebAclRuleArgs{
			Name:           pulumi.String(g.name),
			Priority:       pulumi.Int(10 * (i + 1)),
			OverrideAction: wafv2.WebAclRuleOverrideActionArgs{None: wafv2.WebAclRuleOverrideActionNoneArgs{}},
			Statement: wafv2.WebAclRuleStatementArgs{
				ManagedRuleGroupStatement: wafv2.WebAclRuleStatementManagedRuleGroupStatementArgs{
					VendorName: pulumi.String("AWS"),
					Name:       pulumi.String(g.name),
				},
			},
			VisibilityConfig: visibility(g.metric),
		})
	}
	return wafv2.NewWebAcl(ctx, name+"-waf", &wafv2.WebAclArgs{
		Scope:         pulumi.String("REGIONAL"),
		Description:   pulumi.String("Web ACL of " + name),
		DefaultAction: wafv2.WebAclDefaultActionArgs{Allow: wafv2.WebAclDefaultActionAllowArgs{}},
		Rules:         rules,
		VisibilityConfig: wafv2.WebAclVisibilityConfigArgs{
			CloudwatchMetricsEnabled: pulumi.Bool(true),
			SampledRequestsEnabled:   pulumi.Bool(true),
			MetricName:               pulumi.String(name + "-waf"),
		},
	}, parent)
}
