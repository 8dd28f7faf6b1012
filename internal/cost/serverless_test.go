package cost_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shopstack/shopstack/app/wake"
	"github.com/shopstack/shopstack/internal/awstype"
	"github.com/shopstack/shopstack/internal/cost"
)

// serverless is a minute's work schedule targeting a function, and an Aurora Serverless v2 cluster that
// pauses, with two instances; marker sets the function's SHOP_WORK_MARKER.
func serverless(marker string) []cost.Resource {
	vars := map[string]any{"DATABASE_URL": "postgres://shop_app@db/shop"}
	if marker != "" {
		vars["SHOP_WORK_MARKER"] = marker
	}
	const fnArn = "arn:aws:lambda:us-east-1:123456789012:function:api"
	rs := []cost.Resource{
		{URN: "fn", Type: awstype.LambdaFunction, Inputs: map[string]any{"memorySize": 512.0,
			"environment": map[string]any{"variables": vars}}, Outputs: map[string]any{"arn": fnArn}},
		{URN: "work", Type: awstype.SchedulerSchedule, Inputs: map[string]any{"scheduleExpression": "rate(1 minute)",
			"target": map[string]any{"arn": fnArn}}},
		{URN: "db", Type: awstype.RdsCluster, Inputs: map[string]any{
			"serverlessv2ScalingConfiguration": map[string]any{"minCapacity": 0.0, "maxCapacity": 2.0, "secondsUntilAutoPause": 300.0}}},
	}
	for _, n := range []string{"db-1", "db-2"} {
		rs = append(rs, cost.Resource{URN: n, Type: awstype.RdsClusterInstance, Inputs: map[string]any{"instanceClass": "db.serverless"}})
	}
	return rs
}

func scheduleItem(t *testing.T, e cost.Estimate) cost.Item {
	t.Helper()
	for _, it := range e.Items {
		if it.URN == "work" {
			return it
		}
	}
	t.Fatal("no work schedule item")
	return cost.Item{}
}

// TestWorkScheduleWake: a schedule whose ticks connect keeps a pausing Aurora awake for good at a minute's
// interval; with the work marker the idle ticks read S3 instead and the cluster wakes once a day.
func TestWorkScheduleWake(t *testing.T) {
	t.Parallel()
	tb := table(t)
	h := tb.HoursPerMonth
	ticks := h * 60
	tickUSD := ticks/1e6*price(t, tb, "scheduler.invocation") + ticks/1e6*price(t, tb, "lambda.request") +
		ticks*0.5*0.2*price(t, tb, "lambda.arm64.gb_second")
	acu := price(t, tb, "aurora.serverless_v2.acu")

	plain := scheduleItem(t, one(t, serverless("")...))
	assert.InDelta(t, tickUSD+2*0.5*acu*h, plain.MonthlyUSD, 0.011, "awake all month: %s", plain.Basis)
	assert.Contains(t, plain.Basis, "a connecting tick every 1min resumes it")

	marked := scheduleItem(t, one(t, serverless("s3://media/work/due.json")...))
	awake := (15 + 0.2 + 300) / wake.QuietHorizon.Seconds()
	want := tickUSD + ticks/1000*price(t, tb, "s3.get_request") + 2*0.5*acu*h*awake
	assert.InDelta(t, want, marked.MonthlyUSD, 0.011, marked.Basis)
	assert.Less(t, marked.MonthlyUSD, 1.0, "under a dollar a month idle")
	assert.Contains(t, marked.Basis, "a connecting tick every 1d resumes it")
	assert.Contains(t, marked.Basis, "reads the work marker")
	require.InDelta(t, 0.0175, ticks/1000*price(t, tb, "s3.get_request"), 0.001, "43,800 GETs")
}

// TestFlatRatePlan: a web ACL a flat-rate subscription lists costs nothing of its own; the Free plan is
// $0 and the Pro plan $15; an ACL no plan lists keeps its price.
func TestFlatRatePlan(t *testing.T) {
	t.Parallel()
	tb := table(t)
	const aclArn = "arn:aws:wafv2:us-east-1:123456789012:global/webacl/site/1"
	acl := cost.Resource{URN: "acl", Type: awstype.Wafv2WebAcl, Inputs: map[string]any{"rules": []any{map[string]any{}}},
		Outputs: map[string]any{"arn": aclArn}}
	plan := func(tier string) cost.Resource {
		return cost.Resource{URN: "plan", Type: awstype.PricingplanmanagerSubscription, Inputs: map[string]any{"planFamily": "CloudFront",
			"planTier": tier, "resourceArns": []any{"arn:aws:cloudfront::123456789012:distribution/E1", aclArn}}}
	}
	alone := one(t, acl)
	assert.InDelta(t, price(t, tb, "waf.web_acl")+price(t, tb, "waf.rule"), alone.MonthlyUSD, 0.001)

	free := one(t, acl, plan("FREE"))
	assert.Zero(t, free.MonthlyUSD)
	assert.Equal(t, cost.Free, free.Items[0].Kind)
	assert.Contains(t, free.Items[0].Basis, "covered by the distribution's CloudFront flat-rate FREE plan")
	assert.Contains(t, free.Items[1].Basis, "up to 1 million requests and 100 GB")

	pro := one(t, acl, plan("PRO"))
	assert.InDelta(t, 15, pro.MonthlyUSD, 0.001)

	other := acl
	other.Outputs = map[string]any{"arn": "arn:aws:wafv2:us-east-1:123456789012:global/webacl/other/2"}
	assert.InDelta(t, alone.MonthlyUSD, one(t, other, plan("FREE")).MonthlyUSD, 0.001, "a plan covers only what it lists")

	unknown := table(t).Estimate([]cost.Resource{plan("ENTERPRISE")})
	assert.NotEmpty(t, unknown.Unpriced, "an unknown tier is not guessed")
}
