package infra_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shopstack/shopstack/components"
	"github.com/shopstack/shopstack/internal/pulumimock"
	"github.com/shopstack/shopstack/plan"
)

const (
	tFunction   = "aws:lambda/function:Function"
	tURL        = "aws:lambda/functionUrl:FunctionUrl"
	tPermission = "aws:lambda/permission:Permission"
	tSchedule   = "aws:scheduler/schedule:Schedule"
	tCluster    = "aws:rds/cluster:Cluster"
	tOAC        = "aws:cloudfront/originAccessControl:OriginAccessControl"
	tDist       = "aws:cloudfront/distribution:Distribution"
	tRolePolicy = "aws:iam/rolePolicy:RolePolicy"
	tSG         = "aws:ec2/securityGroup:SecurityGroup"
	tIngressSG  = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
	tEgressSG   = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
)

// policyStatement is one statement of an IAM policy document.
type policyStatement struct {
	Sid              string
	Action, Resource []string
}

// rolePolicy parses the statements of the recorded role policy name.
func rolePolicy(t *testing.T, rec *pulumimock.Recorder, name string) []policyStatement {
	t.Helper()
	var doc struct{ Statement []policyStatement }
	require.NoError(t, json.Unmarshal([]byte(rec.Must(t, tRolePolicy, name).Str("policy")), &doc))
	return doc.Statement
}

// TestLiteRunsOnLambda is the lite stack's shape: the shop as a function behind the distribution, no load
// balancer, no ECS, no NAT; Aurora pausing at 0 ACU; the function wired to the database like the Fargate task.
func TestLiteRunsOnLambda(t *testing.T) {
	t.Parallel()
	rec := record(t, "lite")

	t.Run("no load balancer, no ECS, no NAT, no container image", func(t *testing.T) {
		assert.Empty(t, rec.ByType(tLB, tService, tTaskDef, tNatGw, tInstance, "aws:ec2/eip:Eip",
			"awsx:ecr:Image", "awsx:ecr:Repository", "aws:cloudfront/vpcOrigin:VpcOrigin"))
		for _, r := range rec.ByType("aws:ec2/route:Route") {
			assert.False(t, r.Has("natGatewayId") || r.Has("networkInterfaceId"), "%s routes to a NAT", r.Name)
		}
		assert.Len(t, rec.ByType(tFunction), 2, "the service and its migration")
		assert.Len(t, rec.ByType("aws:ec2/vpcEndpoint:VpcEndpoint"), 1, "the free S3 gateway endpoint, nothing paid")
	})

	t.Run("Aurora Serverless v2 pauses at 0 ACU", func(t *testing.T) {
		c := rec.Must(t, tCluster, "data-db")
		assert.EqualValues(t, 0, c.Num("serverlessv2ScalingConfiguration.minCapacity"))
		assert.Positive(t, c.Num("serverlessv2ScalingConfiguration.secondsUntilAutoPause"))
		assert.True(t, c.Bool("iamDatabaseAuthenticationEnabled"))
		params := rec.Must(t, "aws:rds/clusterParameterGroup:ClusterParameterGroup", "data-db-params")
		assert.Contains(t, params.Plain("parameters"),
			map[string]any{"name": "idle_session_timeout", "value": "60000", "applyMethod": "immediate"},
			"frozen instances' sessions end, so the cluster can pause")
	})

	fn := rec.Must(t, tFunction, "api-function")
	t.Run("the function gets the task's environment, minus what Lambda sets", func(t *testing.T) {
		env := map[string]string{}
		for k, v := range fn.Plain("environment.variables").(map[string]any) {
			env[k] = v.(string)
		}
		assert.Equal(t, "true", env["SHOP_DB_IAM_AUTH"])
		assert.Equal(t, "2", env["SHOP_DB_MAX_CONNS"])
		assert.Equal(t, "shop_app", env["SHOP_DB_APP_ROLE"])
		assert.True(t, strings.HasPrefix(env["DATABASE_URL"], "postgres://shop_app@"), env["DATABASE_URL"])
		assert.Equal(t, components.ViewerIpHeader, env["SHOP_CLIENT_IP_HEADER"])
		assert.NotEmpty(t, env["SHOP_MEDIA_BUCKET"])
		assert.NotContains(t, env, "AWS_REGION", "Lambda refuses it")
		assert.NotContains(t, env, "PGPASSWORD")
		assert.NotContains(t, env, "OTEL_EXPORTER_OTLP_ENDPOINT", "no collector sidecar")
		code := fn.Plain("code").(map[string]any)
		assert.True(t, strings.HasSuffix(code["archive"].(string), plan.GoldenOptions.LambdaArchive), code["archive"])
	})

	t.Run("rds-db:connect on exactly the app role's database user", func(t *testing.T) {
		c := rec.Must(t, tCluster, "data-db")
		var connect []string
		for _, st := range rolePolicy(t, rec, "api-function-policy") {
			for _, a := range st.Action {
				assert.NotContains(t, a, "*")
				if a == "rds-db:connect" {
					connect = append(connect, st.Resource...)
				}
			}
		}
		assert.Equal(t, []string{"arn:aws:rds-db:us-east-1:" + rec.AccountID() + ":dbuser:" +
			c.Out("clusterResourceId").StringValue() + "/shop_app"}, connect)
	})

	t.Run("the database lets the function in, the function reaches only the database and S3", func(t *testing.T) {
		fnSG := rec.Must(t, tSG, "api-function-sg").Out("id").StringValue()
		dbSG := rec.Must(t, tSG, "data-db-sg").Out("id").StringValue()
		var in []string
		for _, r := range rec.ByType(tIngressSG) {
			if r.Str("securityGroupId") == dbSG {
				in = append(in, r.Str("referencedSecurityGroupId")+":"+r.Get("fromPort").String())
			}
		}
		assert.Equal(t, []string{fnSG + ":{5432}"}, in)
		var out []string
		for _, r := range rec.ByType(tEgressSG) {
			if r.Str("securityGroupId") == fnSG {
				out = append(out, r.Str("referencedSecurityGroupId")+r.Str("prefixListId")+":"+r.Get("fromPort").String())
			}
		}
		assert.ElementsMatch(t, []string{dbSG + ":{5432}", "pl-63a5400a:{443}"}, out)
	})

	t.Run("the distribution reaches the Function URL through a lambda OAC, and only it may invoke", func(t *testing.T) {
		oac := rec.Must(t, tOAC, "site-api-oac")
		assert.Equal(t, "lambda", oac.Str("originAccessControlOriginType"))
		dist := rec.Must(t, tDist, "site-cdn")
		assert.NotEmpty(t, dist.Str("webAclId"), "the edge WAF stays: lite is production-grade")
		perms := rec.ByType(tPermission)
		require.Len(t, perms, 2)
		for _, p := range perms {
			assert.Equal(t, dist.Out("arn").StringValue(), p.Str("sourceArn"))
			assert.Equal(t, fn.Out("name").StringValue(), p.Str("function"))
		}
		assert.Equal(t, "AWS_IAM", rec.Must(t, tURL, "api-url").Str("authorizationType"))
	})

	t.Run("the migration connects as the master user by IAM, once per archive", func(t *testing.T) {
		m := rec.Must(t, tFunction, "api-migrate")
		c := rec.Must(t, tCluster, "data-db")
		master := c.Str("masterUsername")
		assert.True(t, strings.HasPrefix(m.Str("environment.variables.DATABASE_URL"), "postgres://"+master+"@"))
		assert.Equal(t, "true", m.Str("environment.variables.SHOP_DB_IAM_AUTH"))
		assert.NotEmpty(t, rec.Must(t, "aws:lambda/invocation:Invocation", "api-migrate-run").Str("triggers.archiveSha256"))
	})

	t.Run("the work schedule invokes the function every minute", func(t *testing.T) {
		s := rec.Must(t, tSchedule, "api-work")
		assert.Equal(t, fn.Out("arn").StringValue(), s.Str("target.arn"))
		assert.JSONEq(t, components.DefaultWorkEvent, s.Str("target.input"))
		assert.Equal(t, "rate(1 minute)", s.Str("scheduleExpression"), "the marker keeps idle ticks off the database")
	})

	t.Run("the work marker: one object in the media bucket, read and written by the function only", func(t *testing.T) {
		bucket := rec.Must(t, "aws:s3/bucketV2:BucketV2", "data-media")
		name, arn := bucket.Out("bucket").StringValue(), bucket.Out("arn").StringValue()
		assert.Equal(t, "s3://"+name+"/work/due.json", fn.Str("environment.variables.SHOP_WORK_MARKER"))
		var marker int
		for _, st := range rolePolicy(t, rec, "api-function-policy") {
			for _, r := range st.Resource {
				if strings.HasPrefix(r, arn+"/work/") {
					marker++
					assert.Equal(t, arn+"/work/due.json", r, "the one object, no wildcard")
					assert.ElementsMatch(t, []string{"s3:GetObject", "s3:PutObject"}, st.Action)
				}
			}
		}
		assert.Equal(t, 1, marker)
		migrate := rec.Must(t, tFunction, "api-migrate")
		assert.False(t, migrate.Has("environment.variables.SHOP_WORK_MARKER"), "the migration needs no marker")
	})

	t.Run("the edge is on the CloudFront flat-rate Free plan, with its web ACL", func(t *testing.T) {
		sub := rec.Must(t, components.PricingPlanSubscriptionType, "site-plan")
		dist := rec.Must(t, tDist, "site-cdn")
		assert.Equal(t, "FREE", sub.Str("planTier"))
		assert.Equal(t, []any{dist.Out("arn").StringValue(), dist.Str("webAclId")}, sub.Plain("resourceArns"))
		assert.NotEmpty(t, dist.Str("webAclId"), "the WAF stays: the plan includes it")
	})
}

// TestLiteRefusesWhatAFunctionCannotHave: the config names the key and the reason.
func TestLiteRefusesWhatAFunctionCannotHave(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		edit   map[string]string
		secret []string
		want   string
	}{
		"search domain": {map[string]string{"shopstack:searchMode": "domain"}, nil, "shopstack:searchMode:"},
		"admin password": {map[string]string{"shopstack:adminEmail": "a@example.com", "shopstack:adminPassword": "pw"},
			[]string{"shopstack:adminPassword"}, "shopstack:adminPassword: not available with apiCompute lambda"},
		"regional WAF": {map[string]string{"shopstack:apiWafEnabled": "true"}, nil, "shopstack:apiWafEnabled:"},
		"payments": {map[string]string{"shopstack:stripeSecretKey": testStripeKey, "shopstack:stripeWebhookSecret": testWebhookKey,
			"shopstack:stripePublishableKey": testPublicKey, "shopstack:stripeRotationOwner": "payments@example.com"},
			stripeSecretKeys, "shopstack:stripeSecretKey: not available with apiCompute lambda yet"},
		"bad schedule":  {map[string]string{"shopstack:workSchedule": "hourly"}, nil, "shopstack:workSchedule:"},
		"bad compute":   {map[string]string{"shopstack:apiCompute": "ec2"}, nil, `shopstack:apiCompute: "ec2" is not one of fargate | lambda`},
		"memory bounds": {map[string]string{"shopstack:lambdaMemoryMb": "64"}, nil, "shopstack:lambdaMemoryMb: 64 is out of range"},
		"idle timeout with fargate": {map[string]string{"shopstack:apiCompute": "fargate"}, nil,
			"shopstack:databaseIdleSessionTimeoutSeconds: 60 with apiCompute fargate"},
		"flat-rate plan without a WAF": {map[string]string{"shopstack:wafEnabled": "false"}, nil,
			`shopstack:edgePricingPlan: "free" needs wafEnabled: true`},
		"unknown plan": {map[string]string{"shopstack:edgePricingPlan": "business"}, nil,
			`shopstack:edgePricingPlan: "business" is not one of pay-as-you-go | free | pro`},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			values := stackConfig(t, "lite")
			for k, v := range c.edit {
				values[k] = v
			}
			_, err := loadConfig(t, values, c.secret...)
			require.Error(t, err)
			assert.Contains(t, err.Error(), c.want)
		})
	}
}
