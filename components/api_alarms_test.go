package components_test

import (
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"

	"github.com/shopstack/shopstack/components"
)

func alarmedApiArgs() *components.ApiArgs {
	args := baseApiArgs()
	args.Alarms = components.ApiAlarmArgs{TopicArn: pulumi.String(testTopic), ServiceName: "shop-test"}
	return args
}

func TestApiAlarms(t *testing.T) {
	t.Parallel()
	t.Run("with a topic: these alarms, each notifying it on ALARM and OK", func(t *testing.T) {
		t.Parallel()
		r := runApi(t, alarmedApiArgs())
		assert.Equal(t, []string{"cpu-high", "elb-5xx", "latency-p99", "memory-high", "order-refusals",
			"target-5xx-rate", "tasks-below-desired", "unhealthy-hosts", "waf-blocked"}, alarmsOf(r.rec, "api"))
		assertNotifies(t, r.rec, r.urn)
	})

	t.Run("the load balancer alarms roll a bad deployment back", func(t *testing.T) {
		t.Parallel()
		r := runApi(t, alarmedApiArgs())
		svc := r.rec.Must(t, rtService, "api-service")
		assert.True(t, svc.Bool("alarms.enable"))
		assert.True(t, svc.Bool("alarms.rollback"))
		var want []any
		for _, n := range []string{"target-5xx-rate", "elb-5xx", "latency-p99", "unhealthy-hosts"} {
			want = append(want, r.rec.Must(t, rtAlarm, "api-alarm-"+n).Out("name").StringValue())
		}
		assert.Equal(t, want, svc.Plain("alarms.alarmNames"))
		assert.True(t, svc.Bool("deploymentCircuitBreaker.rollback"), "failed tasks still roll back too")
	})

	t.Run("target 5xx rate is metric math over the target group's requests, judged only with traffic", func(t *testing.T) {
		t.Parallel()
		r := runApi(t, alarmedApiArgs())
		a := r.rec.Must(t, rtAlarm, "api-alarm-target-5xx-rate")
		tg := r.rec.Must(t, rtTG, "api-tg").Out("arnSuffix").StringValue()
		lb := r.rec.Must(t, rtLB, "api-alb").Out("arnSuffix").StringValue()
		assert.Equal(t, "HTTPCode_Target_5XX_Count", a.Str("metricQueries[0].metric.metricName"))
		assert.Equal(t, "RequestCount", a.Str("metricQueries[1].metric.metricName"))
		assert.Equal(t, tg, a.Str("metricQueries[1].metric.dimensions.TargetGroup"))
		assert.Equal(t, lb, a.Str("metricQueries[1].metric.dimensions.LoadBalancer"))
		assert.Equal(t, "IF(requests >= 20, 100 * FILL(errors, 0) / requests, 0)", a.Str("metricQueries[2].expression"))
		assert.True(t, a.Bool("metricQueries[2].returnData"))
		assert.Equal(t, 5.0, a.Num("threshold"))
		assert.Equal(t, 5.0, a.Num("evaluationPeriods"))
		assert.Equal(t, 3.0, a.Num("datapointsToAlarm"))
	})

	t.Run("p99 latency, tasks below desired, WAF and order refusals read the right metrics", func(t *testing.T) {
		t.Parallel()
		r := runApi(t, alarmedApiArgs())
		lat := r.rec.Must(t, rtAlarm, "api-alarm-latency-p99")
		assert.Equal(t, "p99", lat.Str("extendedStatistic"))
		assert.False(t, lat.Has("statistic"))
		tasks := r.rec.Must(t, rtAlarm, "api-alarm-tasks-below-desired")
		assert.Equal(t, "ECS/ContainerInsights", tasks.Str("metricQueries[0].metric.namespace"))
		assert.Equal(t, "desired - running", tasks.Str("metricQueries[2].expression"))
		assert.Equal(t, 5.0, tasks.Num("datapointsToAlarm"), "a rolling deployment's dip does not page")
		waf := r.rec.Must(t, rtAlarm, "api-alarm-waf-blocked")
		assert.Equal(t, "api-waf-"+waf.Str("dimensions.WebACL")[len("api-waf-"):], waf.Str("dimensions.WebACL"))
		assert.Equal(t, r.rec.Must(t, rtWebACL, "api-waf").Out("name").StringValue(), waf.Str("dimensions.WebACL"))
		assert.Equal(t, "ALL", waf.Str("dimensions.Rule"))
		orders := r.rec.Must(t, rtAlarm, "api-alarm-order-refusals")
		assert.Equal(t, components.ServiceMetricsNamespace, orders.Str("metricQueries[0].metric.namespace"))
		assert.Equal(t, components.OrdersRefusedMetric, orders.Str("metricQueries[0].metric.metricName"))
		assert.Equal(t, map[string]any{components.ServiceNameDimension: "shop-test"}, orders.Plain("metricQueries[0].metric.dimensions"))
	})

	t.Run("without a topic, or Disabled, no alarm and no deployment alarms", func(t *testing.T) {
		t.Parallel()
		off := alarmedApiArgs()
		off.Alarms.Disabled = true
		for _, args := range []*components.ApiArgs{baseApiArgs(), off} {
			r := runApi(t, args)
			assert.Empty(t, r.rec.ByType(rtAlarm))
			assert.False(t, r.rec.Must(t, rtService, "api-service").Has("alarms"))
		}
	})

	t.Run("DisableWaf drops the WAF alarm; thresholds are args", func(t *testing.T) {
		t.Parallel()
		args := alarmedApiArgs()
		args.DisableWaf = true
		args.Alarms.CpuHighPercent = 70
		r := runApi(t, args)
		assert.NotContains(t, alarmsOf(r.rec, "api"), "waf-blocked")
		assert.Equal(t, 70.0, r.rec.Must(t, rtAlarm, "api-alarm-cpu-high").Num("threshold"))
	})

	t.Run("dashboard widgets: traffic and errors, latency, saturation, orders", func(t *testing.T) {
		t.Parallel()
		r := runApi(t, baseApiArgs())
		assert.Equal(t, []string{"api: requests and errors", "api: latency", "api: saturation", "api: orders"},
			widgetTitles(t, r.api.DashboardWidgets))
	})
}
