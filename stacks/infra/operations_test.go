package infra_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shopstack/shopstack/components"
	"github.com/shopstack/shopstack/internal/pulumimock"
	"github.com/shopstack/shopstack/stacks/infra"
)

const (
	tAlarm     = "aws:cloudwatch/metricAlarm:MetricAlarm"
	tTopic     = "aws:sns/topic:Topic"
	tTopicSub  = "aws:sns/topicSubscription:TopicSubscription"
	tKey       = "aws:kms/key:Key"
	tDashboard = "aws:cloudwatch/dashboard:Dashboard"
	tBudget    = "aws:budgets/budget:Budget"
)

func withEmails(emails ...string) func(map[string]string) {
	return func(c map[string]string) {
		b, _ := json.Marshal(emails)
		c["shopstack:alarmEmails"] = string(b)
	}
}

func TestEveryAlarmNotifiesTheEncryptedStackTopic(t *testing.T) {
	t.Parallel()
	for _, stack := range []string{"dev", "prod"} {
		t.Run(stack, func(t *testing.T) {
			t.Parallel()
			rec := recordWith(t, stack, withEmails("oncall@example.com", "ops@example.com"))
			topic := only(t, rec, tTopic)
			key := only(t, rec, tKey)
			assert.Equal(t, key.Out("arn").StringValue(), topic.Str("kmsMasterKeyId"), "a customer managed key")
			assert.True(t, key.Bool("enableKeyRotation"))
			policy := key.Str("policy")
			assert.Contains(t, policy, "cloudwatch.amazonaws.com")
			assert.Contains(t, policy, "budgets.amazonaws.com")
			arn := topic.Out("arn").StringValue()
			alarms := rec.ByType(tAlarm)
			require.NotEmpty(t, alarms)
			for _, a := range alarms {
				assert.Equal(t, []any{arn}, a.Plain("alarmActions"), a.Name)
				assert.Equal(t, []any{arn}, a.Plain("okActions"), a.Name)
			}
			subs := rec.ByType(tTopicSub)
			require.Len(t, subs, 2)
			for i, want := range []string{"oncall@example.com", "ops@example.com"} {
				assert.Equal(t, "email", subs[i].Str("protocol"))
				assert.Equal(t, want, subs[i].Str("endpoint"))
				assert.Equal(t, arn, subs[i].Str("topic"))
			}
		})
	}
}

func TestNoAlarmEmailsMeansNoSubscription(t *testing.T) {
	t.Parallel()
	rec := record(t, "dev")
	assert.Empty(t, rec.ByType(tTopicSub))
	assert.NotEmpty(t, rec.ByType(tAlarm), "the alarms exist: subscribing is a config change, not a deploy of alarms")
}

func TestBudgetAlertsTheTopicAt80And100PercentOfPolicyBudget(t *testing.T) {
	t.Parallel()
	rec := record(t, "prod")
	b := only(t, rec, tBudget)
	assert.Equal(t, "250", b.Str("limitAmount"), "policyBudgetUsd of Pulumi.prod.yaml")
	assert.Equal(t, "MONTHLY", b.Str("timeUnit"))
	assert.Equal(t, "COST", b.Str("budgetType"))
	assert.Equal(t, []any{"user:stack$prod"}, b.Plain("costFilters[0].values"), "only this stack's tagged resources")
	arn := only(t, rec, tTopic).Out("arn").StringValue()
	notes := b.Plain("notifications").([]any)
	require.Len(t, notes, len(infra.BudgetAlertPercents))
	for i, pct := range infra.BudgetAlertPercents {
		n := notes[i].(map[string]any)
		assert.Equal(t, pct, n["threshold"])
		assert.Equal(t, "PERCENTAGE", n["thresholdType"])
		assert.Equal(t, []any{arn}, n["subscriberSnsTopicArns"])
	}
}

func TestDashboardShowsEveryTier(t *testing.T) {
	t.Parallel()
	rec := record(t, "prod")
	d := only(t, rec, tDashboard)
	assert.Equal(t, "shopstack-prod", d.Str("dashboardName"))
	var body struct {
		Widgets []struct {
			X, Y       int
			Properties struct{ Title string }
		}
	}
	require.NoError(t, json.Unmarshal([]byte(d.Str("dashboardBody")), &body))
	var titles []string
	for i, w := range body.Widgets {
		titles = append(titles, w.Properties.Title)
		assert.Equal(t, (i%2)*12, w.X, w.Properties.Title)
		assert.Equal(t, (i/2)*6, w.Y, w.Properties.Title)
	}
	assert.Equal(t, []string{"site: CDN requests", "site: CDN error rates", "api: requests and errors", "api: latency",
		"api: saturation", "api: orders", "data: database load", "data: database latency", "data: cache", "data: search"}, titles)
}

func TestServiceMetricsCarryTheStacksServiceName(t *testing.T) {
	t.Parallel()
	rec := record(t, "prod")
	env, _ := container(t, rec)
	assert.Equal(t, "shop-prod", env["OTEL_SERVICE_NAME"])
	assert.Equal(t, components.CollectorOtlpEndpoint, env["OTEL_EXPORTER_OTLP_ENDPOINT"], "the sidecar collector")
	orders := rec.Must(t, tAlarm, "api-alarm-order-refusals")
	assert.Equal(t, map[string]any{"service.name": "shop-prod"}, orders.Plain("metricQueries[0].metric.dimensions"))
}

func TestOutsideUsEast1TheCdnAlarmHasItsOwnTopicThere(t *testing.T) {
	t.Parallel()
	rec := recordWith(t, "dev", func(c map[string]string) { c["aws:region"] = "eu-west-1" })
	topics := rec.ByType(tTopic)
	require.Len(t, topics, 2)
	var cdnTopic pulumimock.Resource
	for _, tp := range topics {
		if tp.Name == "alarms-us-east-1" {
			cdnTopic = tp
		}
	}
	require.NotEmpty(t, cdnTopic.URN)
	cdn := rec.Must(t, tAlarm, "site-alarm-cdn-5xx-rate")
	assert.Equal(t, []any{cdnTopic.Out("arn").StringValue()}, cdn.Plain("alarmActions"))
	assert.Contains(t, cdnTopic.Out("arn").StringValue(), ":us-east-1:")
}

func TestAlarmEmailsAreValidated(t *testing.T) {
	t.Parallel()
	c := stackConfig(t, "prod")
	c["shopstack:alarmEmails"] = `["oncall@example.com", "Ops <ops@example.com>", "nobody"]`
	_, err := loadConfig(t, c)
	require.Error(t, err)
	assert.Contains(t, err.Error(), `shopstack:alarmEmails: "Ops <ops@example.com>" is not a plain email address`)
	assert.Contains(t, err.Error(), `shopstack:alarmEmails: "nobody" is not a plain email address`)
	assert.NotContains(t, err.Error(), `"oncall@example.com"`)
	c["shopstack:alarmEmails"] = `oncall@example.com`
	_, err = loadConfig(t, c)
	assert.ErrorContains(t, err, "shopstack:alarmEmails: want a list of email addresses")
}
