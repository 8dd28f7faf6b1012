package components

import (
	"cmp"
	"encoding/json"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Alarm evaluation shared by every component: one-minute data, and a breach must hold for most of the window
// before anyone is paged, so a single bad minute (a deploy, a cold cache) does not wake someone up.
const (
	alarmPeriodSeconds = 60
	alarmWindow        = 5
	alarmBreaches      = 3
)

// alarmSpec is one CloudWatch alarm: a single metric (Namespace, Metric, Dimensions) or metric math
// (Queries, one of which returns the value compared with Threshold).
type alarmSpec struct {
	// suffix names the alarm resource: <component name>-alarm-<suffix>.
	suffix string
	// description is what the page says: what broke and where to look first.
	description string

	namespace, metric string
	dimensions        pulumi.StringMap
	// statistic is "Average", "Sum", "Minimum", "Maximum", or a percentile such as "p99".
	statistic string
	queries   cloudwatch.MetricAlarmMetricQueryArray

	comparison string
	threshold  float64
	// period, window and breaches default to alarmPeriodSeconds, alarmWindow and alarmBreaches.
	period, window, breaches int
}

// newAlarm registers spec notifying topic on ALARM and on OK, so whoever was paged also learns the
// incident is over.
func newAlarm(ctx *pulumi.Context, name string, topic pulumi.StringInput, spec alarmSpec,
	opts ...pulumi.ResourceOption) (*cloudwatch.MetricAlarm, error) {
	args := &cloudwatch.MetricAlarmArgs{
		AlarmDescription:   pulumi.String(spec.description),
		ComparisonOperator: pulumi.String(spec.comparison),
		Threshold:          pulumi.Float64(spec.threshold),
		EvaluationPeriods:  pulumi.Int(cmp.Or(spec.window, alarmWindow)),
		DatapointsToAlarm:  pulumi.Int(cmp.Or(spec.breaches, alarmBreaches)),
		// No traffic is not an outage, and a metric published only on failure (5xx counts, evictions) is
		// absent while all is well.
		TreatMissingData: pulumi.String("notBreaching"),
		AlarmActions:     pulumi.Array{topic},
		OkActions:        pulumi.Array{topic},
	}
	if spec.queries != nil {
		args.MetricQueries = spec.queries
	} else {
		args.Namespace = pulumi.String(spec.namespace)
		args.MetricName = pulumi.String(spec.metric)
		args.Dimensions = spec.dimensions
		args.Period = pulumi.Int(cmp.Or(spec.period, alarmPeriodSeconds))
		if isPercentile(spec.statistic) {
			args.ExtendedStatistic = pulumi.String(spec.statistic)
		} else {
			args.Statistic = pulumi.String(spec.statistic)
		}
	}
	return cloudwatch.NewMetricAlarm(ctx, name+"-alarm-"+spec.suffix, args, opts...)
}

// newAlarms registers every spec; it returns the alarms in the same order.
func newAlarms(ctx *pulumi.Context, name string, topic pulumi.StringInput, specs []alarmSpec,
	opts ...pulumi.ResourceOption) ([]*cloudwatch.MetricAlarm, error) {
	out := make([]*cloudwatch.MetricAlarm, 0, len(specs))
	for _, s := range specs {
		a, err := newAlarm(ctx, name, topic, s, opts...)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}

// metricQuery is one metric of a metric math alarm; its value is not compared, only used by the expression.
func metricQuery(id, namespace, metric, stat string, dims pulumi.StringMap) cloudwatch.MetricAlarmMetricQueryArgs {
	return cloudwatch.MetricAlarmMetricQueryArgs{
		Id:         pulumi.String(id),
		ReturnData: pulumi.Bool(false),
		Metric: cloudwatch.MetricAlarmMetricQueryMetricArgs{
			Namespace:  pulumi.String(namespace),
			MetricName: pulumi.String(metric),
			Stat:       pulumi.String(stat),
			Period:     pulumi.Int(alarmPeriodSeconds),
			Dimensions: dims,
		},
	}
}

// expressionQuery is the metric math result the alarm compares with its threshold.
func expressionQuery(expression, label string) cloudwatch.MetricAlarmMetricQueryArgs {
	return cloudwatch.MetricAlarmMetricQueryArgs{
		Id:         pulumi.String("e"),
		Expression: pulumi.String(expression),
		Label:      pulumi.String(label),
		ReturnData: pulumi.Bool(true),
	}
}

func isPercentile(stat string) bool {
	return len(stat) > 1 && stat[0] == 'p' && stat[1] >= '0' && stat[1] <= '9'
}

// validateAlarmThresholds records every threshold that is not positive (a zero threshold pages constantly).
func validateAlarmThresholds(e *argErrors, field string, thresholds map[string]float64) {
	for _, name := range sortedKeys(thresholds) {
		if v := thresholds[name]; v <= 0 {
			e.bad(field+"."+name, "%g; a threshold must be positive", v)
		}
	}
}

// DashboardWidget is one graph of a stack's CloudWatch dashboard: a title, the region its metrics live in,
// and CloudWatch's metric rows ([namespace, metric, dimension, value, ..., {options}]).
type DashboardWidget struct {
	Title   string  `json:"title"`
	Region  string  `json:"region"`
	Stat    string  `json:"stat"`
	Period  int     `json:"period"`
	Metrics [][]any `json:"metrics"`
}

// MarshalJSON renders the widget as a dashboard body's "metric" widget; the stack decides its position.
func (w DashboardWidget) MarshalJSON() ([]byte, error) {
	return json.Marshal(map[string]any{
		"type": "metric", "width": 12, "height": 6,
		"properties": map[string]any{
			"title": w.Title, "region": w.Region, "stat": w.Stat, "period": w.Period,
			"metrics": w.Metrics, "view": "timeSeries",
		},
	})
}

// widget is a DashboardWidget of one-minute data.
func widget(title, region, stat string, rows ...[]any) DashboardWidget {
	return DashboardWidget{Title: title, Region: region, Stat: stat, Period: alarmPeriodSeconds, Metrics: rows}
}

// row is one metric row: namespace, metric, then dimension name/value pairs.
func row(namespace, metric string, dims ...string) []any {
	out := []any{namespace, metric}
	for _, d := range dims {
		out = append(out, d)
	}
	return out
}

// withStat overrides a row's statistic (a percentile next to averages, say).
func withStat(r []any, stat string) []any { return append(r, map[string]any{"stat": stat}) }

// widgetsJSON renders a component's dashboard widgets once its identifiers are known.
func widgetsJSON(inputs []any, build func(v []any) []DashboardWidget) pulumi.StringOutput {
	return pulumi.All(inputs...).ApplyT(func(v []any) (string, error) {
		b, err := json.Marshal(build(v))
		return string(b), err
	}).(pulumi.StringOutput)
}
