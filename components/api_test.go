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

func TestApiDefaultsAreInternalHardenedAndFirewalled(t *testing.T) {
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

	logs := rec.Must(t, rtLogGroup, "api-logs")
	assert.Equal(t, 30.0, logs.Num("retentionInDays"))
	assert.False(t, logs.Has("name"), "autonamed")

	// Roles: ECS tasks only; the task role of this account's tasks only.
	for _, name := range []string{"api-execution-role", "api-task-role"} {
		role := rec.Must(t, rtRole, name)
		assert.False(t, role.Has("name"), "autonamed")
		assert.Empty(t, role.Plain("managedPolicyArns"), "no managed policies: %s", name)
		trust := decodeJSON[iamDoc](t, role.Str("assumeRolePolicy"))
		require.Len(t, trust.Statement, 1)
		assert.Equal(t, map[string]any{"Service": "ecs-tasks.amazonaws.com"}, trust.Statement[0].Principal)
		assert.Equal(t, []string{"sts:AssumeRole"}, trust.Statement[0].Action)
		if name == "api-task-role" {
			assert.Equal(t, "123456789012", trust.Statement[0].Condition["StringEquals"]["aws:SourceAccount"])
			assert.Equal(t, "arn:aws:ecs:us-east-1:123456789012:*", trust.Statement[0].Condition["ArnLike"]["aws:SourceArn"])
		} else {
			assert.Empty(t, trust.Statement[0].Condition, "ECS documents no source conditions for the execution role")
		}
	}
	exec := decodeJSON[iamDoc](t, rec.Must(t, rtRolePolicy, "api-execution-policy").Str("policy"))
	logsArn := logs.Out("arn").StringValue()
	require.Len(t, exec.Statement, 3, "pull and logs only: no secrets were listed")
	assert.Equal(t, []string{"ecr:GetAuthorizationToken"}, exec.Statement[0].Action)
	assert.Equal(t, []string{"*"}, exec.Statement[0].Resource, "GetAuthorizationToken has no resource-level permission")
	assert.Equal(t, []string{"ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"}, exec.Statement[1].Action)
	assert.Equal(t, []string{"arn:aws:ecr:us-east-1:123456789012:repository/*"}, exec.Statement[1].Resource)
	assert.Equal(t, []string{"logs:CreateLogStream", "logs:PutLogEvents"}, exec.Statement[2].Action)
	assert.Equal(t, []string{logsArn + ":*"}, exec.Statement[2].Resource,
		"CreateLogStream is authorised on the group's NAME:* ARN, which a :log-stream:* resource does not match")
	assert.False(t, strings.HasSuffix(logsArn, ":*"), "the provider's log group ARN has no :* of its own")
	_, hasTaskPolicy := rec.Find(rtRolePolicy, "api-task-policy")
	assert.False(t, hasTaskPolicy, "the task role has no permissions unless the stack passes some")

	cluster := rec.Must(t, rtCluster, "api-cluster")
	assert.Equal(t, []any{map[string]any{"name": "containerInsights", "value": "enabled"}}, cluster.Plain("settings"))
	capacity := rec.Must(t, rtCapacity, "api-capacity-providers")
	assert.Equal(t, []any{"FARGATE", "FARGATE_SPOT"}, capacity.Plain("capacityProviders"))

	// Task definition.
	task := rec.Must(t, rtTaskDef, "api-task")
	assert.Equal(t, "256", task.Str("cpu"))
	assert.Equal(t, "512", task.Str("memory"))
	assert.Equal(t, "ARM64", task.Str("runtimePlatform.cpuArchitecture"))
	assert.Equal(t, "LINUX", task.Str("runtimePlatform.operatingSystemFamily"))
	assert.Equal(t, "awsvpc", task.Str("networkMode"))
	assert.Equal(t, []any{"FARGATE"}, task.Plain("requiresCompatibilities"))
	assert.Equal(t, rec.Must(t, rtRole, "api-execution-role").Out("arn").StringValue(), task.Str("executionRoleArn"))
	assert.Equal(t, rec.Must(t, rtRole, "api-task-role").Out("arn").StringValue(), task.Str("taskRoleArn"))
	assert.Equal(t, cluster.Out("name").StringValue(), task.Str("family"), "family follows the autonamed cluster")
	assert.Equal(t, []any{map[string]any{"name": "tmp"}}, task.Plain("volumes"))
	defs := decodeJSON[[]map[string]any](t, task.Str("containerDefinitions"))
	require.Len(t, defs, 1)
	c := defs[0]
	assert.Equal(t, "app", c["name"])
	assert.Equal(t, "123456789012.dkr.ecr.us-east-1.amazonaws.com/shop:v1", c["image"])
	assert.Equal(t, "65532:65532", c["user"], "non-root")
	assert.Equal(t, true, c["readonlyRootFilesystem"])
	assert.Equal(t, false, c["privileged"])
	assert.Equal(t, []any{map[string]any{"sourceVolume": "tmp", "containerPath": "/tmp", "readOnly": false}}, c["mountPoints"])
	assert.Equal(t, map[string]any{"initProcessEnabled": true, "capabilities": map[string]any{"drop": []any{"ALL"}}}, c["linuxParameters"])
	assert.Equal(t, []any{map[string]any{"containerPort": 8080.0, "hostPort": 8080.0, "protocol": "tcp"}}, c["portMappings"])
	assert.Equal(t, []any{}, c["secrets"])
	assert.Equal(t, []any{}, c["environment"])
	hc := c["healthCheck"].(map[string]any)
	assert.Equal(t, []any{"CMD", "/shop", "healthcheck"}, hc["command"])
	assert.Equal(t, map[string]any{
		"logDriver": "awslogs",
		"options": map[string]any{
			"awslogs-group":         logs.Out("name").StringValue(),
			"awslogs-region":        "us-east-1",
			"awslogs-stream-prefix": "app",
		},
	}, c["logConfiguration"])

	// Network: only CloudFront reaches the load balancer; only the load balancer reaches the tasks.
	lbSG := rec.Must(t, rtSG, "api-lb-sg")
	taskSG := rec.Must(t, rtSG, "api-task-sg")
	assert.Equal(t, "vpc-123", lbSG.Str("vpcId"))
	assert.Empty(t, lbSG.Plain("ingress"), "no inline rules")
	assert.Empty(t, taskSG.Plain("ingress"), "no inline rules")
	for _, res := range rec.ByType(rtIngress) {
		assert.False(t, res.Has("cidrIpv4"), "%s: nothing admitted by address", res.Name)
		assert.False(t, res.Has("cidrIpv6"), "%s: nothing admitted by address", res.Name)
	}
	cf := rec.Must(t, rtIngress, "api-lb-in-cloudfront-80")
	assert.Equal(t, lbSG.ID, cf.Str("securityGroupId"))
	assert.Equal(t, "pl-3b927c52", cf.Str("prefixListId"), "CloudFront origin-facing prefix list")
	assert.Equal(t, []float64{80, 80}, []float64{cf.Num("fromPort"), cf.Num("toPort")})
	assert.Equal(t, "tcp", cf.Str("ipProtocol"))
	lbOut := rec.Must(t, rtEgress, "api-lb-out-tasks")
	assert.Equal(t, lbSG.ID, lbOut.Str("securityGroupId"))
	assert.Equal(t, taskSG.ID, lbOut.Str("referencedSecurityGroupId"))
	assert.Equal(t, []float64{8080, 8080}, []float64{lbOut.Num("fromPort"), lbOut.Num("toPort")})
	taskIn := rec.Must(t, rtIngress, "api-task-in-lb")
	assert.Equal(t, taskSG.ID, taskIn.Str("securityGroupId"))
	assert.Equal(t, lbSG.ID, taskIn.Str("referencedSecurityGroupId"))
	assert.Equal(t, []float64{8080, 8080}, []float64{taskIn.Num("fromPort"), taskIn.Num("toPort")})

	// Load balancer.
	alb := rec.Must(t, rtLB, "api-alb")
	assert.True(t, alb.Bool("internal"))
	assert.Equal(t, "application", alb.Str("loadBalancerType"))
	assert.Equal(t, []any{"subnet-priv-a", "subnet-priv-b"}, alb.Plain("subnets"))
	assert.Equal(t, []any{lbSG.ID}, alb.Plain("securityGroups"))
	assert.True(t, alb.Bool("dropInvalidHeaderFields"))
	assert.Equal(t, "strictest", alb.Str("desyncMitigationMode"))
	assert.True(t, alb.Bool("enableDeletionProtection"))
	assert.False(t, alb.Has("accessLogs"))
	assert.False(t, alb.Has("name"), "autonamed")
	tg := rec.Must(t, rtTG, "api-tg")
	assert.Equal(t, "ip", tg.Str("targetType"))
	assert.Equal(t, 8080.0, tg.Num("port"))
	assert.Equal(t, "HTTP", tg.Str("protocol"))
	assert.Equal(t, "/api/healthz", tg.Str("healthCheck.path"))
	assert.Equal(t, "200", tg.Str("healthCheck.matcher"))
	listener := rec.Must(t, rtListener, "api-http")
	assert.Equal(t, 80.0, listener.Num("port"))
	assert.Equal(t, "HTTP", listener.Str("protocol"))
	assert.Equal(t, "forward", listener.Str("defaultActions[0].type"))
	assert.Equal(t, tg.Out("arn").StringValue(), listener.Str("defaultActions[0].targetGroupArn"))

	// Service.
	svc := rec.Must(t, rtService, "api-service")
	assert.False(t, svc.Bool("networkConfiguration.assignPublicIp"))
	assert.True(t, svc.Has("networkConfiguration.assignPublicIp"), "no public IP, said explicitly")
	assert.Equal(t, []any{"subnet-priv-a", "subnet-priv-b"}, svc.Plain("networkConfiguration.subnets"))
	assert.Equal(t, []any{taskSG.ID}, svc.Plain("networkConfiguration.securityGroups"))
	assert.True(t, svc.Bool("deploymentCircuitBreaker.enable"))
	assert.True(t, svc.Bool("deploymentCircuitBreaker.rollback"))
	assert.Equal(t, []any{
		map[string]any{"capacityProvider": "FARGATE", "base": 0.0, "weight": 1.0},
		map[string]any{"capacityProvider": "FARGATE_SPOT", "weight": 0.0},
	}, svc.Plain("capacityProviderStrategies"))
	assert.False(t, svc.Has("launchType"), "capacity providers decide")
	assert.Equal(t, 1.0, svc.Num("desiredCount"))
	assert.Equal(t, "app", svc.Str("loadBalancers[0].containerName"))
	assert.Equal(t, 8080.0, svc.Num("loadBalancers[0].containerPort"))
	assert.Equal(t, tg.Out("arn").StringValue(), svc.Str("loadBalancers[0].targetGroupArn"))
	assert.False(t, svc.Bool("enableExecuteCommand"))
	assert.Contains(t, svc.Dependencies, listener.URN, "the target group is attached before the service starts")

	// Autoscaling on CPU and on requests per target.
	target := rec.Must(t, rtScaling, "api-scaling")
	assert.Equal(t, "ecs", target.Str("serviceNamespace"))
	assert.Equal(t, "ecs:service:DesiredCount", target.Str("scalableDimension"))
	assert.Equal(t, "service/"+cluster.Out("name").StringValue()+"/"+svc.Out("name").StringValue(), target.Str("resourceId"))
	assert.Equal(t, []float64{1, 4}, []float64{target.Num("minCapacity"), target.Num("maxCapacity")})
	cpu := rec.Must(t, rtScalingPolicy, "api-scale-cpu")
	assert.Equal(t, "TargetTrackingScaling", cpu.Str("policyType"))
	assert.Equal(t, "ECSServiceAverageCPUUtilization", cpu.Str("targetTrackingScalingPolicyConfiguration.predefinedMetricSpecification.predefinedMetricType"))
	assert.Equal(t, 60.0, cpu.Num("targetTrackingScalingPolicyConfiguration.targetValue"))
	reqs := rec.Must(t, rtScalingPolicy, "api-scale-requests")
	assert.Equal(t, "ALBRequestCountPerTarget", reqs.Str("targetTrackingScalingPolicyConfiguration.predefinedMetricSpecification.predefinedMetricType"))
	assert.Equal(t, alb.Out("arnSuffix").StringValue()+"/"+tg.Out("arnSuffix").StringValue(),
		reqs.Str("targetTrackingScalingPolicyConfiguration.predefinedMetricSpecification.resourceLabel"))
	assert.Equal(t, 1000.0, reqs.Num("targetTrackingScalingPolicyConfiguration.targetValue"))
	for _, p := range []pulumimock.Resource{cpu, reqs} {
		assert.Equal(t, target.Str("resourceId"), p.Str("resourceId"))
	}

	// WAF.
	acl := rec.Must(t, rtWebACL, "api-waf")
	assert.Equal(t, "REGIONAL", acl.Str("scope"))
	assert.True(t, acl.Has("defaultAction.allow"))
	assert.True(t, acl.Bool("visibilityConfig.cloudwatchMetricsEnabled"))
	rules := acl.Plain("rules").([]any)
	require.Len(t, rules, 5)
	var names []string
	for i := range rules {
		p := "rules[" + string(rune('0'+i)) + "]"
		names = append(names, acl.Str(p+".name"))
		assert.True(t, acl.Bool(p+".visibilityConfig.cloudwatchMetricsEnabled"), "metrics on %s", acl.Str(p+".name"))
		assert.True(t, acl.Bool(p+".visibilityConfig.sampledRequestsEnabled"), "samples on %s", acl.Str(p+".name"))
	}
	assert.Equal(t, []string{"rate-limit-per-ip", "AWSManagedRulesAmazonIpReputationList", "AWSManagedRulesCommonRuleSet",
		"AWSManagedRulesKnownBadInputsRuleSet", "AWSManagedRulesSQLiRuleSet"}, names)
	assert.True(t, acl.Has("rules[0].action.block"))
	assert.Equal(t, 1000.0, acl.Num("rules[0].statement.rateBasedStatement.limit"))
	assert.Equal(t, "FORWARDED_IP", acl.Str("rules[0].statement.rateBasedStatement.aggregateKeyType"), "behind CloudFront the source is CloudFront")
	assert.Equal(t, components.ViewerIPHeader, acl.Str("rules[0].statement.rateBasedStatement.forwardedIpConfig.headerName"),
		"keyed on the header CloudFront sets from the viewer's address, never on X-Forwarded-For, whose first entry the client writes")
	assert.Equal(t, "MATCH", acl.Str("rules[0].statement.rateBasedStatement.forwardedIpConfig.fallbackBehavior"))
	assert.Equal(t, components.ViewerIPHeader, r.api.Origin.ViewerIPHeader, "the StaticSite learns the header from Api.Origin")
	for i := 1; i < 5; i++ {
		p := "rules[" + string(rune('0'+i)) + "]"
		assert.Equal(t, "AWS", acl.Str(p+".statement.managedRuleGroupStatement.vendorName"))
		assert.True(t, acl.Has(p+".overrideAction.none"), "managed groups block (not count)")
	}
	assoc := rec.Must(t, rtWebACLAssoc, "api-waf-association")
	assert.Equal(t, alb.Out("arn").StringValue(), assoc.Str("resourceArn"))
	assert.Equal(t, acl.Out("arn").StringValue(), assoc.Str("webAclArn"))
	wafLogs := rec.Must(t, rtLogGroup, "api-waf-logs")
	assert.True(t, strings.HasPrefix(wafLogs.Str("namePrefix"), "aws-waf-logs-"), wafLogs.Str("namePrefix"))
	assert.Equal(t, 30.0, wafLogs.Num("retentionInDays"))
	logging := rec.Must(t, rtWebACLLogging, "api-waf-logging")
	assert.Equal(t, acl.Out("arn").StringValue(), logging.Str("resourceArn"))
	assert.Equal(t, []any{wafLogs.Out("arn").StringValue()}, logging.Plain("logDestinationConfigs"))
	assert.Equal(t, []any{
		map[string]any{"singleHeader": map[string]any{"name": "authorization"}},
		map[string]any{"singleHeader": map[string]any{"name": "cookie"}},
	}, logging.Plain("redactedFields"))

	// Outputs.
	api := r.api
	assert.Equal(t, alb.Out("arn").StringValue(), pulumimock.Await[string](t, api.LoadBalancerArn))
	assert.Equal(t, alb.Out("dnsName").StringValue(), pulumimock.Await[string](t, api.LoadBalancerDnsName))
	assert.Equal(t, cluster.Out("name").StringValue(), pulumimock.Await[string](t, api.ClusterName))
	assert.Equal(t, svc.Out("name").StringValue(), pulumimock.Await[string](t, api.ServiceName))
	assert.Equal(t, taskSG.ID, pulumimock.Await[string](t, api.SecurityGroupId))
	assert.Equal(t, lbSG.ID, pulumimock.Await[string](t, api.LoadBalancerSecurityGroupId))
	assert.Equal(t, logs.Out("name").StringValue(), pulumimock.Await[string](t, api.LogGroupName))
	assert.True(t, pulumimock.Await[bool](t, api.WafEnabled))
	assert.Equal(t, acl.Out("arn").StringValue(), pulumimock.Await[string](t, api.WebAclArn))
	assert.True(t, pulumimock.Await[bool](t, api.Internal))
	require.NotNil(t, api.Origin)
	assert.Equal(t, "http-only", api.Origin.ProtocolPolicy)
	assert.Equal(t, 80, api.Origin.HTTPPort)
	assert.Equal(t, alb.Out("arn").StringValue(), pulumimock.Await[string](t, api.Origin.LoadBalancerArn.ToStringOutput()))
	assert.Equal(t, alb.Out("dnsName").StringValue(), pulumimock.Await[string](t, api.Origin.DomainName.ToStringOutput()))
	assert.Equal(t, alb.Out("name").StringValue(), pulumimock.Await[string](t, api.Origin.Name.ToStringOutput()))
}

func TestApiInternetFacingWithCertificate(t *testing.T) {
	t.Parallel()
	args := baseApiArgs()
	args.Exposure = components.ApiInternetFacing
	args.PublicSubnetIds = pulumi.ToStringArray(testPublicSubnets)
	args.CertificateArn = pulumi.String("arn:aws:acm:us-east-1:123456789012:certificate/abc")
	r := runApi(t, args)
	rec := r.rec

	alb := rec.Must(t, rtLB, "api-alb")
	assert.False(t, alb.Bool("internal"))
	assert.Equal(t, []any{"subnet-pub-a", "subnet-pub-b"}, alb.Plain("subnets"))
	svc := rec.Must(t, rtService, "api-service")
	assert.Equal(t, []any{"subnet-priv-a", "subnet-priv-b"}, svc.Plain("networkConfiguration.subnets"), "tasks stay private")
	assert.False(t, svc.Bool("networkConfiguration.assignPublicIp"))

	https := rec.Must(t, rtListener, "api-https")
	assert.Equal(t, 443.0, https.Num("port"))
	assert.Equal(t, "HTTPS", https.Str("protocol"))
	assert.Equal(t, components.DefaultApiSslPolicy, https.Str("sslPolicy"))
	assert.Contains(t, https.Str("sslPolicy"), "TLS13")
	assert.Equal(t, "arn:aws:acm:us-east-1:123456789012:certificate/abc", https.Str("certificateArn"))
	assert.Equal(t, "forward", https.Str("defaultActions[0].type"))
	redirect := rec.Must(t, rtListener, "api-http-redirect")
	assert.Equal(t, 80.0, redirect.Num("port"))
	assert.Equal(t, "redirect", redirect.Str("defaultActions[0].type"))
	assert.Equal(t, "HTTPS", redirect.Str("defaultActions[0].redirect.protocol"))
	assert.Equal(t, "443", redirect.Str("defaultActions[0].redirect.port"))
	assert.Equal(t, "HTTP_301", redirect.Str("defaultActions[0].redirect.statusCode"))
	_, plain := rec.Find(rtListener, "api-http")
	assert.False(t, plain, "no plain HTTP forwarding with a certificate")

	var ingress []string
	for _, res := range rec.ByType(rtIngress) {
		ingress = append(ingress, res.Name)
		assert.False(t, res.Has("prefixListId"), res.Name)
	}
	assert.ElementsMatch(t, []string{"api-lb-in-ipv4-80", "api-lb-in-ipv6-80", "api-lb-in-ipv4-443", "api-lb-in-ipv6-443", "api-task-in-lb"}, ingress)
	assert.Equal(t, "0.0.0.0/0", rec.Must(t, rtIngress, "api-lb-in-ipv4-443").Str("cidrIpv4"))
	assert.Equal(t, "::/0", rec.Must(t, rtIngress, "api-lb-in-ipv6-443").Str("cidrIpv6"))

	acl := rec.Must(t, rtWebACL, "api-waf")
	assert.Equal(t, "IP", acl.Str("rules[0].statement.rateBasedStatement.aggregateKeyType"), "the source address is the viewer")
	assert.False(t, acl.Has("rules[0].statement.rateBasedStatement.forwardedIpConfig"))

	assert.False(t, pulumimock.Await[bool](t, r.api.Internal))
	assert.Nil(t, r.api.Origin, "an internet-facing load balancer is not a CloudFront VPC origin")
}

func TestApiBehindCloudFrontWithCertificateUsesHTTPSOrigin(t *testing.T) {
	t.Parallel()
	args := baseApiArgs()
	args.CertificateArn = pulumi.String("arn:aws:acm:us-east-1:123456789012:certificate/abc")
	args.OriginHostName = pulumi.String("api-origin.example.com")
	r := runApi(t, args)
	rec := r.rec

	assert.Equal(t, 443.0, rec.Must(t, rtListener, "api-https").Num("port"))
	_, redirect := rec.Find(rtListener, "api-http-redirect")
	assert.False(t, redirect, "nothing reaches port 80 behind CloudFront")
	var ingress []string
	for _, res := range rec.ByType(rtIngress) {
		ingress = append(ingress, res.Name)
	}
	assert.ElementsMatch(t, []string{"api-lb-in-cloudfront-443", "api-task-in-lb"}, ingress)
	assert.Equal(t, "pl-3b927c52", rec.Must(t, rtIngress, "api-lb-in-cloudfront-443").Str("prefixListId"))

	require.NotNil(t, r.api.Origin)
	assert.Equal(t, "https-only", r.api.Origin.ProtocolPolicy)
	assert.Equal(t, 443, r.api.Origin.HTTPSPort)
	assert.Equal(t, "api-origin.example.com", pulumimock.Await[string](t, r.api.Origin.DomainName.ToStringOutput()))
}

func TestApiWithoutWafSaysSo(t *testing.T) {
	t.Parallel()
	args := baseApiArgs()
	args.DisableWaf = true
	r := runApi(t, args)

	for _, typ := range []string{rtWebACL, rtWebACLAssoc, rtWebACLLogging} {
		assert.Empty(t, r.rec.ByType(typ), typ)
	}
	_, wafLogs := r.rec.Find(rtLogGroup, "api-waf-logs")
	assert.False(t, wafLogs)
	assert.False(t, pulumimock.Await[bool](t, r.api.WafEnabled))
	assert.Equal(t, "", pulumimock.Await[string](t, r.api.WebAclArn))
}

func TestApiSecretsAndTaskPermissions(t *testing.T) {
	t.Parallel()
	args := baseApiArgs()
	dbSecret := "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf"
	cacheSecret := "arn:aws:secretsmanager:us-east-1:123456789012:secret:cache-GhIjKl"
	args.Secrets = map[string]pulumi.StringInput{
		"DATABASE_PASSWORD": pulumi.String(dbSecret + ":password::"),
		"DATABASE_USER":     pulumi.String(dbSecret + ":username::"),
		"REDIS_AUTH":        pulumi.String(cacheSecret),
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
	r := runApi(t, args)
	rec := r.rec

	exec := decodeJSON[iamDoc](t, rec.Must(t, rtRolePolicy, "api-execution-policy").Str("policy"))
	require.Len(t, exec.Statement, 5)
	assert.Equal(t, []string{"kms:Decrypt"}, exec.Statement[4].Action)
	assert.Equal(t, []string{"arn:aws:kms:us-east-1:123456789012:key/1234"}, exec.Statement[4].Resource)
	assert.Equal(t, "secretsmanager.us-east-1.amazonaws.com", exec.Statement[4].Condition["StringEquals"]["kms:ViaService"])
	assert.Equal(t, []string{"arn:aws:ecr:us-east-1:123456789012:repository/shop"}, exec.Statement[1].Resource)
	assert.Equal(t, "Secrets", exec.Statement[3].Sid)
	assert.Equal(t, []string{"secretsmanager:GetSecretValue"}, exec.Statement[3].Action)
	assert.Equal(t, []string{dbSecret, cacheSecret}, exec.Statement[3].Resource, "exactly the listed secrets, JSON-key suffixes stripped")

	task := decodeJSON[iamDoc](t, rec.Must(t, rtRolePolicy, "api-task-policy").Str("policy"))
	require.Len(t, task.Statement, 2)
	assert.Equal(t, []string{"s3:GetObject", "s3:PutObject"}, task.Statement[0].Action)
	assert.Equal(t, []string{"arn:aws:s3:::media/*"}, task.Statement[0].Resource)
	assert.Equal(t, []string{"es:ESHttp*"}, task.Statement[1].Action)
	assert.Equal(t, rec.Must(t, rtRole, "api-task-role").Out("name").StringValue(), rec.Must(t, rtRolePolicy, "api-task-policy").Str("role"))

	defs := decodeJSON[[]map[string]any](t, rec.Must(t, rtTaskDef, "api-task").Str("containerDefinitions"))
	assert.Equal(t, []any{
		map[string]any{"name": "DATABASE_PASSWORD", "valueFrom": dbSecret + ":password::"},
		map[string]any{"name": "DATABASE_USER", "valueFrom": dbSecret + ":username::"},
		map[string]any{"name": "REDIS_AUTH", "valueFrom": cacheSecret},
	}, defs[0]["secrets"])
	assert.Equal(t, []any{
		map[string]any{"name": "DB_HOST", "value": "db.internal"},
		map[string]any{"name": "LOG_LEVEL", "value": "info"},
	}, defs[0]["environment"])
}

func TestApiSizingScalingAndLoadBalancerOptions(t *testing.T) {
	t.Parallel()
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
	r := runApi(t, args)
	rec := r.rec

	task := rec.Must(t, rtTaskDef, "api-task")
	assert.Equal(t, "1024", task.Str("cpu"))
	assert.Equal(t, "3072", task.Str("memory"))
	assert.Equal(t, "X86_64", task.Str("runtimePlatform.cpuArchitecture"))
	defs := decodeJSON[[]map[string]any](t, task.Str("containerDefinitions"))
	assert.Equal(t, "1000:1000", defs[0]["user"])
	assert.Equal(t, 9000.0, defs[0]["portMappings"].([]any)[0].(map[string]any)["containerPort"])
	assert.Equal(t, 9000.0, rec.Must(t, rtTG, "api-tg").Num("port"))
	assert.Equal(t, "/api/ready", rec.Must(t, rtTG, "api-tg").Str("healthCheck.path"))
	assert.Equal(t, 9000.0, rec.Must(t, rtIngress, "api-task-in-lb").Num("fromPort"))
	assert.Equal(t, 9000.0, rec.Must(t, rtEgress, "api-lb-out-tasks").Num("toPort"))

	target := rec.Must(t, rtScaling, "api-scaling")
	assert.Equal(t, []float64{2, 10}, []float64{target.Num("minCapacity"), target.Num("maxCapacity")})
	assert.Equal(t, 70.0, rec.Must(t, rtScalingPolicy, "api-scale-cpu").Num("targetTrackingScalingPolicyConfiguration.targetValue"))
	assert.Equal(t, 500.0, rec.Must(t, rtScalingPolicy, "api-scale-requests").Num("targetTrackingScalingPolicyConfiguration.targetValue"))
	svc := rec.Must(t, rtService, "api-service")
	assert.Equal(t, 2.0, svc.Num("desiredCount"))
	assert.Equal(t, []any{
		map[string]any{"capacityProvider": "FARGATE", "base": 1.0, "weight": 1.0},
		map[string]any{"capacityProvider": "FARGATE_SPOT", "weight": 3.0},
	}, svc.Plain("capacityProviderStrategies"))

	alb := rec.Must(t, rtLB, "api-alb")
	assert.Equal(t, "defensive", alb.Str("desyncMitigationMode"))
	assert.True(t, alb.Has("enableDeletionProtection"))
	assert.False(t, alb.Bool("enableDeletionProtection"))
	assert.Equal(t, "alb-logs-bucket", alb.Str("accessLogs.bucket"))
	assert.True(t, alb.Bool("accessLogs.enabled"))
	assert.Equal(t, "api", alb.Str("accessLogs.prefix"))

	assert.Equal(t, 7.0, rec.Must(t, rtLogGroup, "api-logs").Num("retentionInDays"))
	assert.Equal(t, 7.0, rec.Must(t, rtLogGroup, "api-waf-logs").Num("retentionInDays"))
	assert.Equal(t, 300.0, rec.Must(t, rtWebACL, "api-waf").Num("rules[0].statement.rateBasedStatement.limit"))
}

func TestApiFargateSizes(t *testing.T) {
	t.Parallel()
	valid := map[int][]int{256: {512, 1024, 2048}, 512: {1024, 4096}, 1024: {2048, 8192}, 2048: {4096, 16384},
		4096: {8192, 30720}, 8192: {16384, 61440}, 16384: {32768, 122880}}
	invalid := [][2]int{{256, 4096}, {512, 512}, {1024, 1024}, {2048, 17408}, {4096, 31744}, {8192, 18432}, {16384, 36864}, {128, 512}, {3000, 6144}}
	for cpu, mems := range valid {
		for _, mem := range mems {
			assert.Contains(t, components.FargateMemoryChoices(cpu), mem, "cpu %d mem %d", cpu, mem)
		}
	}
	for _, p := range invalid {
		assert.NotContains(t, components.FargateMemoryChoices(p[0]), p[1], "cpu %d mem %d", p[0], p[1])
	}
	assert.Len(t, components.FargateMemoryChoices(8192), 12, "16-60 GiB in 4 GiB steps")
	assert.Len(t, components.FargateMemoryChoices(16384), 12, "32-120 GiB in 8 GiB steps")

	// And the component enforces them.
	args := baseApiArgs()
	args.Cpu, args.Memory = 2048, 4096
	runApi(t, args)
	args = baseApiArgs()
	args.Cpu, args.Memory = 2048, 2048
	_, err := pulumimock.RunErr(func(ctx *pulumi.Context) error {
		_, err := components.NewApi(ctx, "api", args)
		return err
	})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "ApiArgs.Memory: 2048 MiB is not allowed with Cpu 2048; allowed: [4096 5120")
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
			rec, err := pulumimock.RunErr(func(ctx *pulumi.Context) error {
				_, err := components.NewApi(ctx, "api", args)
				return err
			})
			require.Error(t, err)
			assert.Contains(t, err.Error(), `api "api": `+tt.want)
			assert.Empty(t, rec.Resources(), "nothing is registered before validation passes")
		})
	}
}

// A computed "*" escapes validation, so the policy document refuses it at deploy time.
func TestApiRejectsComputedWildcardResourceWithWildcardAction(t *testing.T) {
	t.Parallel()
	args := baseApiArgs()
	args.TaskPolicyStatements = []components.PolicyStatement{{
		Actions:   []string{"s3:*"},
		Resources: []pulumi.StringInput{pulumi.String("*").ToStringOutput()},
	}}
	_, err := pulumimock.RunErr(func(ctx *pulumi.Context) error {
		_, err := components.NewApi(ctx, "api", args)
		return err
	})
	require.Error(t, err)
	assert.Contains(t, err.Error(), `task policy: wildcard actions ["s3:*"] on resource "*"`)
}

func TestApiTwoInstancesDoNotCollide(t *testing.T) {
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
}

func TestApiAcceptsEveryTLS13PolicyWithATLS12Minimum(t *testing.T) {
	t.Parallel()
	for _, policy := range []string{
		"ELBSecurityPolicy-TLS13-1-2-2021-06",
		"ELBSecurityPolicy-TLS13-1-2-Ext2-2021-06",
		"ELBSecurityPolicy-TLS13-1-3-2021-06",
		"ELBSecurityPolicy-TLS13-1-2-Res-FIPS-2023-04",
		"ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09",
	} {
		t.Run(policy, func(t *testing.T) {
			t.Parallel()
			args := baseApiArgs()
			args.Exposure = components.ApiInternetFacing
			args.PublicSubnetIds = pulumi.ToStringArray(testPrivateSubnets)
			args.CertificateArn = pulumi.String("arn:aws:acm:us-east-1:123456789012:certificate/abc")
			args.SslPolicy = policy
			r := runApi(t, args)
			assert.Equal(t, policy, r.rec.Must(t, rtListener, "api-https").Str("sslPolicy"))
		})
	}
}
