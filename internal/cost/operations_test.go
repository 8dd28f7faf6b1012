package cost_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/shopstack/shopstack/internal/cost"
)

func TestEstimateOperations(t *testing.T) {
	t.Parallel()
	tb := table(t)
	alarm := price(t, tb, "cloudwatch.alarm")
	query := func(id string) map[string]any {
		return map[string]any{"id": id, "metric": map[string]any{"metricName": id, "period": 60.0}}
	}
	tests := []struct {
		name string
		r    cost.Resource
		want float64
	}{
		{"single-metric alarm", cost.Resource{Type: "aws:cloudwatch/metricAlarm:MetricAlarm",
			Inputs: map[string]any{"metricName": "CPUUtilization", "period": 60.0}}, alarm},
		{"metric math alarm pays per metric, not for the expression", cost.Resource{Type: "aws:cloudwatch/metricAlarm:MetricAlarm",
			Inputs: map[string]any{"metricQueries": []any{query("a"), query("b"), map[string]any{"id": "e", "expression": "a/b"}}}},
			2 * alarm},
		{"high-resolution alarm", cost.Resource{Type: "aws:cloudwatch/metricAlarm:MetricAlarm",
			Inputs: map[string]any{"metricName": "x", "period": 10.0}}, price(t, tb, "cloudwatch.alarm.high_resolution")},
		{"dashboard", cost.Resource{Type: "aws:cloudwatch/dashboard:Dashboard"}, price(t, tb, "cloudwatch.dashboard")},
		{"budget, by the day", cost.Resource{Type: "aws:budgets/budget:Budget"}, 30.42 * price(t, tb, "budgets.budget")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := one(t, tt.r)
			assert.InDelta(t, tt.want, e.MonthlyUSD, 0.01)
		})
	}
	t.Run("topic subscriptions are usage, topic policies free", func(t *testing.T) {
		t.Parallel()
		e := one(t, cost.Resource{Type: "aws:sns/topicSubscription:TopicSubscription"}, cost.Resource{Type: "aws:sns/topicPolicy:TopicPolicy"})
		assert.Zero(t, e.MonthlyUSD)
	})
}
