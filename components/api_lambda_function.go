package components

import (
	"fmt"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/lambda"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/vpc"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// lambdaENIActions are what Lambda needs to attach a function to a VPC: its network interfaces in the private
// subnets. Lambda checks them on Resource "*" (the Describe calls have no resource-level permissions), so they
// are named one by one instead of attaching AWSLambdaVPCAccessExecutionRole, which also grants logs on every
// log group of the account.
var lambdaENIActions = []string{
	"ec2:CreateNetworkInterface", "ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets",
	"ec2:DeleteNetworkInterface", "ec2:AssignPrivateIpAddresses", "ec2:UnassignPrivateIpAddresses",
}

// lambda registers the ComputeLambda Api: log group, role, security group, function, Function URL, the work
// schedule and the alarms, then the outputs. The constructor's table of contents for this compute.
func (b *apiBuild) lambda(api *Api) error {
	loc, err := b.location()
	if err != nil {
		return err
	}
	logs, err := b.logGroup()
	if err != nil {
		return err
	}
	role, err := b.functionRole(loc, logs)
	if err != nil {
		return err
	}
	sg, err := b.functionSecurityGroup(loc)
	if err != nil {
		return err
	}
	fn, err := b.function(role, sg, logs)
	if err != nil {
		return err
	}
	url, err := lambda.NewFunctionUrl(b.ctx, b.name+"-url", &lambda.FunctionUrlArgs{
		FunctionName: fn.Name,
		// Only signed requests: CloudFront's origin access control signs every one, and the StaticSite
		// grants only its distribution the invoke permissions, so nothing reaches the function around the CDN.
		AuthorizationType: pulumi.String("AWS_IAM"),
		InvokeMode:        pulumi.String("BUFFERED"),
	}, b.parent)
	if err != nil {
		return err
	}
	if err := b.workSchedule(loc, fn); err != nil {
		return err
	}
	if err := b.migration(loc, sg); err != nil {
		return err
	}
	if err := b.functionAlarms(fn); err != nil {
		return err
	}
	api.DashboardWidgets = b.functionWidgets(loc, fn)
	api.Origin = &ApiOrigin{
		Name:           fn.Name,
		DomainName:     functionURLHost(url.FunctionUrl),
		ProtocolPolicy: "https-only",
		HttpPort:       80,
		HttpsPort:      443,
		ViewerIpHeader: ViewerIpHeader,
		FunctionName:   fn.Name,
	}
	return b.lambdaOutputs(api, logs, sg, fn, url)
}

// functionURLHost is the host of a Function URL ("https://<id>.lambda-url.<region>.on.aws/"), the domain
// name CloudFront connects to.
func functionURLHost(url pulumi.StringOutput) pulumi.StringOutput {
	return url.ApplyT(func(u string) string {
		return strings.TrimSuffix(strings.TrimPrefix(u, "https://"), "/")
	}).(pulumi.StringOutput)
}

// functionRole is `name-function-role`: Lambda may assume it for this account's functions only; it may write
// to the function's own log group, manage the function's network interfaces, and do what the stack's
// TaskPolicyStatements say (the database user's rds-db:connect, the media bucket), nothing else.
func (b *apiBuild) functionRole(loc apiLocation, logs *cloudwatch.LogGroup) (*iam.Role, error) {
	return b.lambdaRole("function", loc, logs, b.args.TaskPolicyStatements)
}

// lambdaRole is `name-<suffix>-role` with `name-<suffix>-policy`: the log group, the ENI actions and statements.
func (b *apiBuild) lambdaRole(suffix string, loc apiLocation, logs *cloudwatch.LogGroup, extra []PolicyStatement) (*iam.Role, error) {
	trust := mustJSON(policyDocument{Version: "2012-10-17", Statement: []policyStatementJSON{{
		Effect:    "Allow",
		Principal: map[string]any{"Service": "lambda.amazonaws.com"},
		Action:    []string{"sts:AssumeRole"},
		Condition: map[string]any{"StringEquals": map[string]any{"aws:SourceAccount": loc.account}},
	}}})
	role, err := iam.NewRole(b.ctx, b.name+"-"+suffix+"-role", &iam.RoleArgs{
		Description:      pulumi.String("Lambda role of " + b.name + " " + suffix + ": its log group, its network interfaces, the stack's statements"),
		AssumeRolePolicy: pulumi.String(trust),
	}, b.parent)
	if err != nil {
		return nil, err
	}
	statements := append([]PolicyStatement{
		// "NAME:*" covers CreateLogStream on the group and PutLogEvents on its streams, and nothing else.
		{Actions: []string{"logs:CreateLogStream", "logs:PutLogEvents"}, Resources: []pulumi.StringInput{pulumi.Sprintf("%s:*", logs.Arn)}},
		{Actions: lambdaENIActions, Resources: []pulumi.StringInput{pulumi.String("*")}},
	}, extra...)
	_, err = iam.NewRolePolicy(b.ctx, b.name+"-"+suffix+"-policy", &iam.RolePolicyArgs{
		Role:   role.Name,
		Policy: taskPolicy(statements),
	}, b.parent)
	return role, err
}

// functionSecurityGroup is `name-function-sg`: no ingress at all (the Function URL is not in the VPC), egress
// only HTTPS to the region's S3 gateway endpoint and the Lambda.Egress destinations. There is no NAT: nothing
// else is reachable, and the RDS IAM tokens the function connects with are signed locally.
func (b *apiBuild) functionSecurityGroup(loc apiLocation) (*ec2.SecurityGroup, error) {
	sg, err := ec2.NewSecurityGroup(b.ctx, b.name+"-function-sg", &ec2.SecurityGroupArgs{
		VpcId:       b.args.VpcId,
		Description: pulumi.String("Lambda function of " + b.name + ": egress to S3 and the data stores only"),
	}, b.parent)
	if err != nil {
		return nil, err
	}
	s3, err := ec2.LookupManagedPrefixList(b.ctx, &ec2.LookupManagedPrefixListArgs{
		Name: pulumi.StringRef(fmt.Sprintf("com.amazonaws.%s.s3", loc.region)),
	}, b.parent)
	if err != nil {
		return nil, fmt.Errorf("S3 prefix list: %w", err)
	}
	if _, err := vpc.NewSecurityGroupEgressRule(b.ctx, b.name+"-function-out-s3", &vpc.SecurityGroupEgressRuleArgs{
		SecurityGroupId: sg.ID(),
		Description:     pulumi.String("S3 through the gateway endpoint"),
		IpProtocol:      pulumi.String("tcp"),
		FromPort:        pulumi.Int(443),
		ToPort:          pulumi.Int(443),
		PrefixListId:    pulumi.String(s3.Id),
	}, b.parent); err != nil {
		return nil, err
	}
	for _, g := range b.args.Lambda.Egress {
		suffix := strings.ToLower(strings.ReplaceAll(g.Description, " ", "-"))
		if _, err := vpc.NewSecurityGroupEgressRule(b.ctx, fmt.Sprintf("%s-function-out-%s-%d", b.name, suffix, g.Port), &vpc.SecurityGroupEgressRuleArgs{
			SecurityGroupId:           sg.ID(),
			Description:               pulumi.String(g.Description),
			IpProtocol:                pulumi.String("tcp"),
			FromPort:                  pulumi.Int(g.Port),
			ToPort:                    pulumi.Int(g.Port),
			ReferencedSecurityGroupId: g.SecurityGroupId,
		}, b.parent); err != nil {
			return nil, err
		}
	}
	return sg, nil
}

// function is `name-function`: the shop's bootstrap on provided.al2023/arm64 in the private subnets, its
// logs (plain text, so the embedded-metric-format lines reach CloudWatch as the shop wrote them) in its own
// log group, with the reserved concurrency as bill and connection guard.
func (b *apiBuild) function(role *iam.Role, sg *ec2.SecurityGroup, logs *cloudwatch.LogGroup) (*lambda.Function, error) {
	l := b.args.Lambda
	return b.newFunction("function", "The shop service of "+b.name+" (Function URL events and the work event)",
		functionSpec{role: role, sg: sg, logs: logs, env: b.args.Environment, timeout: l.TimeoutSeconds, reserved: l.ReservedConcurrency})
}

// functionSpec is what differs between the serving function and the migration function.
type functionSpec struct {
	role              *iam.Role
	sg                *ec2.SecurityGroup
	logs              *cloudwatch.LogGroup
	env               map[string]pulumi.StringInput
	timeout, reserved int
}

func (b *apiBuild) newFunction(suffix, description string, f functionSpec) (*lambda.Function, error) {
	l := b.args.Lambda
	env := pulumi.StringMap{}
	for _, k := range sortedKeys(f.env) {
		env[k] = f.env[k]
	}
	return lambda.NewFunction(b.ctx, b.name+"-"+suffix, &lambda.FunctionArgs{
		Description:                  pulumi.String(description),
		Runtime:                      pulumi.String(LambdaRuntime),
		Architectures:                pulumi.StringArray{pulumi.String(LambdaArchitecture)},
		Handler:                      pulumi.String("bootstrap"),
		Code:                         pulumi.NewFileArchive(l.Archive),
		Role:                         f.role.Arn,
		MemorySize:                   pulumi.Int(l.MemoryMb),
		Timeout:                      pulumi.Int(f.timeout),
		ReservedConcurrentExecutions: pulumi.Int(f.reserved),
		Environment:                  lambda.FunctionEnvironmentArgs{Variables: env},
		VpcConfig: lambda.FunctionVpcConfigArgs{
			SubnetIds:        b.args.PrivateSubnetIds,
			SecurityGroupIds: pulumi.StringArray{f.sg.ID()},
		},
		LoggingConfig: lambda.FunctionLoggingConfigArgs{
			LogFormat: pulumi.String("Text"),
			LogGroup:  f.logs.Name,
		},
	}, b.parent, pulumi.DependsOn([]pulumi.Resource{f.logs}))
}

// lambdaOutputs sets the outputs of a ComputeLambda Api and registers them: the function's, and "" for the
// Fargate ones, so a stack reads the same fields whatever the compute.
func (b *apiBuild) lambdaOutputs(api *Api, logs *cloudwatch.LogGroup, sg *ec2.SecurityGroup, fn *lambda.Function,
	url *lambda.FunctionUrl) error {
	none := pulumi.String("").ToStringOutput()
	api.LoadBalancerArn, api.LoadBalancerDnsName, api.LoadBalancerSecurityGroupId = none, none, none
	api.ClusterName, api.ServiceName, api.WebAclArn = none, none, none
	api.SecurityGroupId = sg.ID().ToStringOutput()
	api.LogGroupName = logs.Name
	api.WafEnabled = pulumi.Bool(false).ToBoolOutput()
	api.Internal = pulumi.Bool(true).ToBoolOutput()
	api.FunctionName = fn.Name
	api.FunctionArn = fn.Arn
	api.FunctionUrl = url.FunctionUrl
	return b.ctx.RegisterResourceOutputs(api, pulumi.Map{
		"securityGroupId": api.SecurityGroupId,
		"logGroupName":    api.LogGroupName,
		"wafEnabled":      api.WafEnabled,
		"internal":        api.Internal,
		"functionName":    api.FunctionName,
		"functionArn":     api.FunctionArn,
		"functionUrl":     api.FunctionUrl,
	})
}

// functionWidgets are the function's golden signals: invocations and errors, duration, concurrency.
func (b *apiBuild) functionWidgets(loc apiLocation, fn *lambda.Function) pulumi.StringOutput {
	const ns = "AWS/Lambda"
	service := b.serviceName()
	return widgetsJSON([]any{fn.Name}, func(v []any) []DashboardWidget {
		f := v[0].(string)
		return []DashboardWidget{
			widget(b.name+": invocations and errors", loc.region, "Sum",
				row(ns, "Invocations", "FunctionName", f), row(ns, "Errors", "FunctionName", f),
				row(ns, "Throttles", "FunctionName", f)),
			widget(b.name+": duration", loc.region, "p99",
				row(ns, "Duration", "FunctionName", f), withStat(row(ns, "Duration", "FunctionName", f), "p50")),
			widget(b.name+": concurrency", loc.region, "Maximum", row(ns, "ConcurrentExecutions", "FunctionName", f)),
			widget(b.name+": orders", loc.region, "Sum",
				row(ServiceMetricsNamespace, OrdersPlacedMetric, ServiceNameDimension, service),
				row(ServiceMetricsNamespace, OrdersRefusedMetric, ServiceNameDimension, service)),
		}
	})
}
