package components_test

import (
	"archive/zip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shopstack/shopstack/components"
	"github.com/shopstack/shopstack/internal/pulumimock"
)

const (
	rtLambdaFn    = "aws:lambda/function:Function"
	rtFunctionURL = "aws:lambda/functionUrl:FunctionUrl"
	rtPermission  = "aws:lambda/permission:Permission"
	rtSchedule    = "aws:scheduler/schedule:Schedule"
	rtAlarmL      = "aws:cloudwatch/metricAlarm:MetricAlarm"
	testDbUserArn = "arn:aws:rds-db:us-east-1:123456789012:dbuser:cluster-ABC/shop_app"
	testTopicArn  = "arn:aws:sns:us-east-1:123456789012:alarms"
	testOwnerArn  = "arn:aws:rds-db:us-east-1:123456789012:dbuser:cluster-ABC/shop"
)

// writeZip writes a zip holding name with mode, the shape `make lambda` produces for bootstrap.
func writeZip(t *testing.T, name string, mode os.FileMode) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "shop.zip")
	f, err := os.Create(path)
	require.NoError(t, err)
	z := zip.NewWriter(f)
	h := &zip.FileHeader{Name: name, Method: zip.Deflate}
	h.SetMode(mode)
	w, err := z.CreateHeader(h)
	require.NoError(t, err)
	_, err = w.Write([]byte("#!/bin/sh\n"))
	require.NoError(t, err)
	require.NoError(t, z.Close())
	require.NoError(t, f.Close())
	return path
}

// lambdaApiArgs are a ComputeLambda Api as the lite stack builds it: the database user's rds-db:connect, egress
// to the database's security group, alarms to a topic.
func lambdaApiArgs(t *testing.T) *components.ApiArgs {
	return &components.ApiArgs{
		Compute:          components.ComputeLambda,
		VpcId:            pulumi.String("vpc-123"),
		PrivateSubnetIds: pulumi.ToStringArray(testPrivateSubnets),
		Environment: map[string]pulumi.StringInput{
			"SHOP_DB_IAM_AUTH": pulumi.String("true"), "SHOP_DB_MAX_CONNS": pulumi.String("2"),
		},
		TaskPolicyStatements: []components.PolicyStatement{{
			Actions: []string{"rds-db:connect"}, Resources: []pulumi.StringInput{pulumi.String(testDbUserArn)},
		}},
		Alarms: components.ApiAlarmArgs{TopicArn: pulumi.String(testTopicArn)},
		Lambda: components.ApiLambdaArgs{
			Archive: writeZip(t, "bootstrap", 0o755),
			Egress: []components.ApiEgress{{
				Description: "PostgreSQL", Port: 5432, SecurityGroupId: pulumi.String("sg-db"),
			}},
			Migrate: &components.ApiLambdaMigrateArgs{
				Environment: map[string]pulumi.StringInput{"DATABASE_URL": pulumi.String("postgres://shop@db/shop")},
				Statements: []components.PolicyStatement{{
					Actions: []string{"rds-db:connect"}, Resources: []pulumi.StringInput{pulumi.String(testOwnerArn)},
				}},
			},
		},
	}
}

func TestApiLambda(t *testing.T) {
	t.Parallel()
	r := runApi(t, lambdaApiArgs(t))

	t.Run("no load balancer, no ECS, no WAF", func(t *testing.T) {
		assert.Empty(t, r.rec.ByType(rtLB, rtTG, rtListener, rtCluster, rtService, rtTaskDef, rtScaling, rtWebACL,
			"aws:ec2/natGateway:NatGateway", "aws:ec2/instance:Instance"))
		assert.Len(t, r.rec.ByType(rtLambdaFn), 2, "the service and its migration")
	})

	t.Run("migration: its own function and role, invoked once per archive", func(t *testing.T) {
		m := r.rec.Must(t, rtLambdaFn, "api-migrate")
		assert.Equal(t, "postgres://shop@db/shop", m.Str("environment.variables.DATABASE_URL"))
		assert.False(t, m.Has("environment.variables.SHOP_DB_MAX_CONNS"), "nothing inherited from the service")
		assert.EqualValues(t, 1, m.Num("reservedConcurrentExecutions"))
		assert.EqualValues(t, 300, m.Num("timeout"))
		assert.Equal(t, r.rec.Must(t, rtLogGroup, "api-migrate-logs").Out("name").StringValue(), m.Str("loggingConfig.logGroup"))
		doc := decodeJSON[iamDoc](t, r.rec.Must(t, rtRolePolicy, "api-migrate-policy").Str("policy"))
		var connect []string
		for _, st := range doc.Statement {
			if st.Action[0] == "rds-db:connect" {
				connect = append(connect, st.Resource...)
			}
		}
		assert.Equal(t, []string{testOwnerArn}, connect, "the schema owner only")
		svc := decodeJSON[iamDoc](t, r.rec.Must(t, rtRolePolicy, "api-function-policy").Str("policy"))
		for _, st := range svc.Statement {
			assert.NotContains(t, st.Resource, testOwnerArn, "the serving function may not connect as the owner")
		}
		run := r.rec.Must(t, "aws:lambda/invocation:Invocation", "api-migrate-run")
		assert.Equal(t, m.Out("name").StringValue(), run.Str("functionName"))
		assert.JSONEq(t, components.MigrateEvent, run.Str("input"))
		assert.Regexp(t, "^[0-9a-f]{64}$", run.Str("triggers.archiveSha256"))
	})

	t.Run("function", func(t *testing.T) {
		fn := r.rec.Must(t, rtLambdaFn, "api-function")
		assert.Equal(t, "provided.al2023", fn.Str("runtime"))
		assert.Equal(t, []any{"arm64"}, fn.Plain("architectures"))
		assert.Equal(t, "bootstrap", fn.Str("handler"))
		assert.EqualValues(t, components.DefaultLambdaTimeoutSeconds, fn.Num("timeout"))
		assert.EqualValues(t, 512, fn.Num("memorySize"))
		assert.EqualValues(t, 10, fn.Num("reservedConcurrentExecutions"))
		assert.Equal(t, "2", fn.Str("environment.variables.SHOP_DB_MAX_CONNS"))
		assert.Equal(t, "true", fn.Str("environment.variables.SHOP_DB_IAM_AUTH"))
		code, ok := fn.Plain("code").(map[string]any)
		require.True(t, ok, "code is an archive: %v", fn.Plain("code"))
		assert.True(t, strings.HasSuffix(code["archive"].(string), "shop.zip"))
		assert.Equal(t, "Text", fn.Str("loggingConfig.logFormat"), "EMF lines reach CloudWatch as written")
		logs := r.rec.Must(t, rtLogGroup, "api-logs")
		assert.Equal(t, logs.Out("name").StringValue(), fn.Str("loggingConfig.logGroup"))
		assert.NotZero(t, logs.Num("retentionInDays"))
	})

	t.Run("in the private subnets with its own security group", func(t *testing.T) {
		fn := r.rec.Must(t, rtLambdaFn, "api-function")
		assert.ElementsMatch(t, []any{"subnet-priv-a", "subnet-priv-b"}, fn.Plain("vpcConfig.subnetIds"))
		sg := r.rec.Must(t, rtSG, "api-function-sg")
		assert.Equal(t, []any{sg.Out("id").StringValue()}, fn.Plain("vpcConfig.securityGroupIds"))
		assert.Empty(t, r.rec.ByType(rtIngress), "nothing may connect in: the URL is not in the VPC")
		var egress []string
		for _, e := range r.rec.ByType(rtEgress) {
			assert.False(t, e.Has("cidrIpv4"), "%s: egress to an address range", e.Name)
			assert.NotEqual(t, "-1", e.Str("ipProtocol"), e.Name)
			to := e.Str("referencedSecurityGroupId") + e.Str("prefixListId")
			egress = append(egress, to+":"+e.Get("fromPort").String())
		}
		assert.ElementsMatch(t, []string{"pl-63a5400a:{443}", "sg-db:{5432}"}, egress)
	})

	t.Run("role: own log group, exact ENI actions, rds-db:connect on the user, no wildcard action", func(t *testing.T) {
		role := r.rec.Must(t, rtRole, "api-function-role")
		trust := decodeJSON[iamDoc](t, role.Str("assumeRolePolicy"))
		assert.Equal(t, "lambda.amazonaws.com", trust.Statement[0].Principal["Service"])
		assert.Equal(t, "123456789012", trust.Statement[0].Condition["StringEquals"]["aws:SourceAccount"])
		doc := decodeJSON[iamDoc](t, r.rec.Must(t, rtRolePolicy, "api-function-policy").Str("policy"))
		grants := map[string][]string{}
		for _, st := range doc.Statement {
			for _, a := range st.Action {
				assert.NotContains(t, a, "*", "wildcard action %s", a)
				grants[a] = append(grants[a], st.Resource...)
			}
		}
		logs := r.rec.Must(t, rtLogGroup, "api-logs").Out("arn").StringValue()
		assert.Equal(t, []string{logs + ":*"}, grants["logs:PutLogEvents"])
		assert.Equal(t, []string{testDbUserArn}, grants["rds-db:connect"])
		assert.Equal(t, []string{"*"}, grants["ec2:CreateNetworkInterface"], "Lambda checks the ENI actions on *")
		for a, res := range grants {
			if len(res) == 1 && res[0] == "*" {
				assert.True(t, strings.HasPrefix(a, "ec2:"), "%s on Resource *", a)
			}
		}
		assert.Empty(t, r.rec.ByType("aws:iam/rolePolicyAttachment:RolePolicyAttachment"), "no managed policy")
	})

	t.Run("Function URL with AWS_IAM auth", func(t *testing.T) {
		url := r.rec.Must(t, rtFunctionURL, "api-url")
		assert.Equal(t, "AWS_IAM", url.Str("authorizationType"))
		assert.Equal(t, "BUFFERED", url.Str("invokeMode"))
		fnName := r.rec.Must(t, rtLambdaFn, "api-function").Out("name").StringValue()
		assert.Equal(t, fnName, url.Str("functionName"))
		assert.Empty(t, r.rec.ByType(rtPermission), "the StaticSite grants its distribution, nobody else is granted")
		origin := r.api.Origin
		require.NotNil(t, origin)
		assert.Equal(t, "https-only", origin.ProtocolPolicy)
		host := pulumimock.Await[string](t, origin.DomainName.ToStringOutput())
		assert.Regexp(t, `^[a-z0-9-]+\.lambda-url\.us-east-1\.on\.aws$`, host)
		assert.Equal(t, fnName, pulumimock.Await[string](t, origin.FunctionName.ToStringOutput()))
	})

	t.Run("work schedule: every minute, a role that may invoke only this function", func(t *testing.T) {
		s := r.rec.Must(t, rtSchedule, "api-work")
		fnArn := r.rec.Must(t, rtLambdaFn, "api-function").Out("arn").StringValue()
		assert.Equal(t, "rate(1 minute)", s.Str("scheduleExpression"))
		assert.Equal(t, fnArn, s.Str("target.arn"))
		assert.JSONEq(t, components.DefaultWorkEvent, s.Str("target.input"))
		assert.EqualValues(t, 0, s.Num("target.retryPolicy.maximumRetryAttempts"))
		role := r.rec.Must(t, rtRole, "api-work-role")
		assert.Equal(t, role.Out("arn").StringValue(), s.Str("target.roleArn"))
		trust := decodeJSON[iamDoc](t, role.Str("assumeRolePolicy"))
		assert.Equal(t, "scheduler.amazonaws.com", trust.Statement[0].Principal["Service"])
		doc := decodeJSON[iamDoc](t, r.rec.Must(t, rtRolePolicy, "api-work-policy").Str("policy"))
		require.Len(t, doc.Statement, 1)
		assert.Equal(t, []string{"lambda:InvokeFunction"}, doc.Statement[0].Action)
		assert.Equal(t, []string{fnArn}, doc.Statement[0].Resource)
	})

	t.Run("alarms: errors, throttles, duration p99, to the topic", func(t *testing.T) {
		fnName := r.rec.Must(t, rtLambdaFn, "api-function").Out("name").StringValue()
		for name, metric := range map[string]string{
			"api-alarm-function-errors": "Errors", "api-alarm-function-throttles": "Throttles",
			"api-alarm-function-duration-p99": "Duration",
		} {
			a := r.rec.Must(t, rtAlarmL, name)
			assert.Equal(t, "AWS/Lambda", a.Str("namespace"), name)
			assert.Equal(t, metric, a.Str("metricName"), name)
			assert.Equal(t, fnName, a.Str("dimensions.FunctionName"), name)
			assert.Equal(t, []any{testTopicArn}, a.Plain("alarmActions"), name)
		}
		d := r.rec.Must(t, rtAlarmL, "api-alarm-function-duration-p99")
		assert.Equal(t, "p99", d.Str("extendedStatistic"))
		assert.EqualValues(t, 48000, d.Num("threshold"), "80% of the 60 s timeout, in ms")
	})

	t.Run("outputs", func(t *testing.T) {
		assert.Equal(t, r.rec.Must(t, rtLambdaFn, "api-function").Out("name").StringValue(),
			pulumimock.Await[string](t, r.api.FunctionName))
		assert.Regexp(t, `^https://.+\.lambda-url\.`, pulumimock.Await[string](t, r.api.FunctionUrl))
		assert.Equal(t, r.rec.Must(t, rtSG, "api-function-sg").Out("id").StringValue(),
			pulumimock.Await[string](t, r.api.SecurityGroupId))
		assert.Empty(t, pulumimock.Await[string](t, r.api.LoadBalancerArn))
	})
}

func TestApiLambdaScheduleDisabled(t *testing.T) {
	t.Parallel()
	args := lambdaApiArgs(t)
	args.Lambda.Schedule = components.ApiScheduleArgs{Disabled: true}
	args.Alarms = components.ApiAlarmArgs{}
	r := runApi(t, args)
	assert.Empty(t, r.rec.ByType(rtSchedule, rtAlarmL))
}

func TestApiLambdaValidation(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		edit func(t *testing.T, a *components.ApiArgs)
		want []string
	}{
		"no archive": {func(_ *testing.T, a *components.ApiArgs) { a.Lambda.Archive = "" }, []string{"ApiArgs.Lambda.Archive: required"}},
		"missing archive": {func(t *testing.T, a *components.ApiArgs) { a.Lambda.Archive = filepath.Join(t.TempDir(), "none.zip") },
			[]string{"ApiArgs.Lambda.Archive:", "not a readable zip"}},
		"no bootstrap": {func(t *testing.T, a *components.ApiArgs) { a.Lambda.Archive = writeZip(t, "shop", 0o755) },
			[]string{"has no bootstrap at its root"}},
		"bootstrap not executable": {func(t *testing.T, a *components.ApiArgs) { a.Lambda.Archive = writeZip(t, "bootstrap", 0o644) },
			[]string{"bootstrap is not executable"}},
		"internet-facing": {func(_ *testing.T, a *components.ApiArgs) { a.Exposure = components.ApiInternetFacing },
			[]string{"ApiArgs.Exposure:"}},
		"secrets": {func(_ *testing.T, a *components.ApiArgs) {
			a.Secrets = map[string]pulumi.StringInput{"PGPASSWORD": pulumi.String(testDbSecret)}
		}, []string{"ApiArgs.Secrets:", "no secret injection"}},
		"reserved variable": {func(_ *testing.T, a *components.ApiArgs) { a.Environment["AWS_REGION"] = pulumi.String("us-east-1") },
			[]string{`ApiArgs.Environment["AWS_REGION"]: is reserved by Lambda`}},
		"collector": {func(_ *testing.T, a *components.ApiArgs) { a.Collector.Enabled = true }, []string{"ApiArgs.Collector:"}},
		"init": {func(_ *testing.T, a *components.ApiArgs) {
			a.Init = &components.ApiInitArgs{Command: []string{"migrate"}}
		},
			[]string{"ApiArgs.Init:"}},
		"bounds": {func(_ *testing.T, a *components.ApiArgs) {
			a.Lambda.MemoryMb, a.Lambda.TimeoutSeconds, a.Lambda.ReservedConcurrency = 64, 901, 1001
		}, []string{"ApiArgs.Lambda.MemoryMb: 64", "ApiArgs.Lambda.TimeoutSeconds: 901", "ApiArgs.Lambda.ReservedConcurrency: 1001"}},
		"egress": {func(_ *testing.T, a *components.ApiArgs) { a.Lambda.Egress = []components.ApiEgress{{Port: 0}} },
			[]string{"Lambda.Egress[0].Description: required", "Lambda.Egress[0].Port: 0", "Lambda.Egress[0].SecurityGroupId: required"}},
		"schedule": {func(_ *testing.T, a *components.ApiArgs) {
			a.Lambda.Schedule = components.ApiScheduleArgs{Expression: "every minute", Input: "[1]"}
		}, []string{"ApiArgs.Lambda.Schedule.Expression:", "ApiArgs.Lambda.Schedule.Input:"}},
		"compute": {func(_ *testing.T, a *components.ApiArgs) { a.Compute = "ec2" }, []string{`ApiArgs.Compute: "ec2" is not one of "fargate", "lambda"`}},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			args := lambdaApiArgs(t)
			c.edit(t, args)
			_, err := pulumimock.RunErr(func(ctx *pulumi.Context) error {
				_, err := components.NewApi(ctx, "api", args)
				return err
			})
			require.Error(t, err)
			for _, w := range c.want {
				assert.Contains(t, err.Error(), w)
			}
		})
	}
}
