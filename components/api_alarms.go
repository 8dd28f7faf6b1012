package components

import (
	"cmp"
	"fmt"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ecs"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// The service's own metrics, which the alarms and the dashboard read. The shop publishes them (OTLP through
// the collector, or CloudWatch EMF) under this namespace, each with the ServiceNameDimension set to its
// OTEL_SERVICE_NAME and without any other dimension (the collector's awsemf exporter publishes that
// zero-dimension rollup next to the per-reason series).
const (
	ServiceMetricsNamespace = "shopstack"
	// OrdersPlacedMetric counts orders accepted (unit Count).
	OrdersPlacedMetric = "orders.placed"
	// OrdersRefusedMetric counts orders refused, for any reason (also published per "reason").
	OrdersRefusedMetric = "orders.refused"
	// ServiceNameDimension carries OTEL_SERVICE_NAME, so two stacks in one account do not mix.
	ServiceNameDimension = "service.name"
)

// ApiAlarmArgs switches and tunes the Api's alarms. Every threshold is evaluated on one-minute data and must
// be breached in 3 of 5 minutes.
type ApiAlarmArgs struct {
	// Disabled creates no alarms and no deployment alarms. Default false.
	Disabled bool
	// TopicArn is the SNS topic every alarm notifies, on ALARM and on OK. Without one no alarm is created
	// (an alarm that notifies nobody pages nobody, and the policy pack rejects it). Default none.
	TopicArn pulumi.StringInput
	// ServiceName is the ServiceNameDimension value of the shop's own metrics (its OTEL_SERVICE_NAME).
	// Default the component name.
	ServiceName string

	// Target5xxPercent is the share of requests the tasks answer with a 5xx. Default 5.
	Target5xxPercent float64
	// MinRequestsPerMinute is the traffic below which the 5xx and refusal rates are not judged: 2 errors
	// out of 5 requests is noise. Default 20.
	MinRequestsPerMinute float64
	// Elb5xxPerMinute counts 5xx the load balancer returns itself (no healthy target, a target that timed
	// out or reset). Default 10.
	Elb5xxPerMinute float64
	// LatencyP99Seconds is the tasks' 99th percentile response time. Default 2.
	LatencyP99Seconds float64
	// CpuHighPercent and MemoryHighPercent are the service's average utilisation. Autoscaling holds CPU
	// near CpuTargetPercent, so a sustained value above these means it is at MaxCapacity or cannot scale.
	// Default 85 each.
	CpuHighPercent    float64
	MemoryHighPercent float64
	// WafBlockedPerMinute is the WAF's blocked requests per minute (an attack, or a rule blocking real
	// shoppers). Default 100.
	WafBlockedPerMinute float64
	// OrderRefusalPercent is the share of orders the service refuses (OrdersRefusedMetric over placed plus
	// refused). Default 25.
	OrderRefusalPercent float64
	// MinOrdersPerMinute is the order count below which the refusal rate is not judged. Default 5.
	MinOrdersPerMinute float64
}

func (a *ApiAlarmArgs) withDefaults() ApiAlarmArgs {
	out := *a
	out.Target5xxPercent = cmp.Or(out.Target5xxPercent, 5)
	out.MinRequestsPerMinute = cmp.Or(out.MinRequestsPerMinute, 20)
	out.Elb5xxPerMinute = cmp.Or(out.Elb5xxPerMinute, 10)
	out.LatencyP99Seconds = cmp.Or(out.LatencyP99Seconds, 2)
	out.CpuHighPercent = cmp.Or(out.CpuHighPercent, 85)
	out.MemoryHighPercent = cmp.Or(out.MemoryHighPercent, 85)
	out.WafBlockedPerMinute = cmp.Or(out.WafBlockedPerMinute, 100)
	out.OrderRefusalPercent = cmp.Or(out.OrderRefusalPercent, 25)
	out.MinOrdersPerMinute = cmp.Or(out.MinOrdersPerMinute, 5)
	return out
}

func (a *ApiAlarmArgs) validate(e *argErrors) {
	validateAlarmThresholds(e, "Alarms", map[string]float64{
		"Target5xxPercent": a.Target5xxPercent, "MinRequestsPerMinute": a.MinRequestsPerMinute,
		"Elb5xxPerMinute": a.Elb5xxPerMinute, "LatencyP99Seconds": a.LatencyP99Seconds,
		"CpuHighPercent": a.CpuHighPercent, "MemoryHighPercent": a.MemoryHighPercent,
		"WafBlockedPerMinute": a.WafBlockedPerMinute, "OrderRefusalPercent": a.OrderRefusalPercent,
		"MinOrdersPerMinute": a.MinOrdersPerMinute,
	})
	percents := map[string]float64{"Target5xxPercent": a.Target5xxPercent, "CpuHighPercent": a.CpuHighPercent,
		"MemoryHighPercent": a.MemoryHighPercent, "OrderRefusalPercent": a.OrderRefusalPercent}
	for _, field := range sortedKeys(percents) {
		if v := percents[field]; v > 100 {
			e.bad("Alarms."+field, "%g is above 100 percent", v)
		}
	}
}

// serviceName is the ServiceNameDimension of the shop's metrics.
func (b *apiBuild) serviceName() string { return cmp.Or(b.args.Alarms.ServiceName, b.name) }

func (b *apiBuild) alarmsOn() bool { return !b.args.Alarms.Disabled && b.args.Alarms.TopicArn != nil }

// deploymentAlarms are the load balancer's alarms. They exist before the service, whose deployments roll
// back when one of them goes off (see rollbackAlarms): a release that answers 5xx or slowly is undone even
// when its tasks pass their health checks.
func (b *apiBuild) deploymentAlarms(front apiLoadBalancer) error {
	if !b.alarmsOn() {
		return nil
	}
	alarms, err := newAlarms(b.ctx, b.name, b.args.Alarms.TopicArn, b.loadBalancerAlarms(front), b.parent)
	if err != nil {
		return err
	}
	for _, a := range alarms {
		b.rollbackAlarmNames = append(b.rollbackAlarmNames, a.Name)
	}
	return nil
}

// rollbackAlarms is the service's deployment alarm block; nil without alarms.
func (b *apiBuild) rollbackAlarms() ecs.ServiceAlarmsPtrInput {
	if len(b.rollbackAlarmNames) == 0 {
		return nil
	}
	return ecs.ServiceAlarmsArgs{AlarmNames: b.rollbackAlarmNames, Enable: pulumi.Bool(true), Rollback: pulumi.Bool(true)}
}

func (b *apiBuild) loadBalancerAlarms(front apiLoadBalancer) []alarmSpec {
	a := b.args.Alarms
	target := pulumi.StringMap{"LoadBalancer": front.alb.ArnSuffix, "TargetGroup": front.targetGroup.ArnSuffix}
	lbOnly := pulumi.StringMap{"LoadBalancer": front.alb.ArnSuffix}
	const elb = "AWS/ApplicationELB"
	return []alarmSpec{
		{
			suffix: "target-5xx-rate",
			description: fmt.Sprintf("%s: over %g%% of requests answered 5xx by the tasks. Look first at the "+
				"service's logs (errors since the last deploy) and the database alarms.", b.name, a.Target5xxPercent),
			queries: cloudwatch.MetricAlarmMetricQueryArray{
				metricQuery("errors", elb, "HTTPCode_Target_5XX_Count", "Sum", target),
				metricQuery("requests", elb, "RequestCount", "Sum", target),
				expressionQuery(fmt.Sprintf("IF(requests >= %g, 100 * FILL(errors, 0) / requests, 0)", a.MinRequestsPerMinute),
					"target 5xx %"),
			},
			comparison: "GreaterThanThreshold", threshold: a.Target5xxPercent,
		},
		{
			suffix: "elb-5xx",
			description: b.name + ": the load balancer answers 5xx itself (no healthy task, timeouts). Look first " +
				"at the running task count and the unhealthy-hosts alarm.",
			namespace: elb, metric: "HTTPCode_ELB_5XX_Count", statistic: "Sum", dimensions: lbOnly,
			comparison: "GreaterThanThreshold", threshold: a.Elb5xxPerMinute,
		},
		{
			suffix: "latency-p99",
			description: fmt.Sprintf("%s: p99 response time of the tasks over %gs. Look first at database CPU and "+
				"connections, then the service's CPU.", b.name, a.LatencyP99Seconds),
			namespace: elb, metric: "TargetResponseTime", statistic: "p99", dimensions: target,
			comparison: "GreaterThanThreshold", threshold: a.LatencyP99Seconds,
		},
		{
			suffix: "unhealthy-hosts",
			description: b.name + ": tasks fail the load balancer's health check. Look first at the service's " +
				"logs and its stopped tasks' reasons in the ECS console.",
			namespace: elb, metric: "UnHealthyHostCount", statistic: "Maximum", dimensions: target,
			comparison: "GreaterThanThreshold", threshold: 0,
		},
	}
}

// alarms are the service's own: capacity (running below desired), saturation (CPU, memory), the WAF's
// blocked requests and the shop's order refusal rate.
func (b *apiBuild) alarms(loc apiLocation, cluster *ecs.Cluster, svc *ecs.Service, webACLArn pulumi.StringOutput) error {
	if !b.alarmsOn() {
		return nil
	}
	a := b.args.Alarms
	svcDims := pulumi.StringMap{"ClusterName": cluster.Name, "ServiceName": svc.Name}
	specs := []alarmSpec{
		{
			suffix: "tasks-below-desired",
			description: b.name + ": fewer tasks run than ECS wants for 5 minutes (tasks crash, cannot pull the " +
				"image, or no capacity). Look first at the stopped tasks' reasons in the ECS console.",
			queries: cloudwatch.MetricAlarmMetricQueryArray{
				metricQuery("running", "ECS/ContainerInsights", "RunningTaskCount", "Minimum", svcDims),
				metricQuery("desired", "ECS/ContainerInsights", "DesiredTaskCount", "Maximum", svcDims),
				expressionQuery("desired - running", "tasks missing"),
			},
			comparison: "GreaterThanThreshold", threshold: 0, window: alarmWindow, breaches: alarmWindow,
		},
		{
			suffix:      "cpu-high",
			description: fmt.Sprintf("%s: average CPU over %g%%: at MaxCapacity or unable to scale out. Look first at the running task count and the request rate.", b.name, a.CpuHighPercent),
			namespace:   "AWS/ECS", metric: "CPUUtilization", statistic: "Average", dimensions: svcDims,
			comparison: "GreaterThanThreshold", threshold: a.CpuHighPercent,
		},
		{
			suffix:      "memory-high",
			description: fmt.Sprintf("%s: average memory over %g%%: tasks will be killed out of memory. Look first at the service's logs for a leak since the last deploy.", b.name, a.MemoryHighPercent),
			namespace:   "AWS/ECS", metric: "MemoryUtilization", statistic: "Average", dimensions: svcDims,
			comparison: "GreaterThanThreshold", threshold: a.MemoryHighPercent,
		},
		b.orderRefusalAlarm(),
	}
	if !b.args.DisableWaf {
		specs = append(specs, b.wafAlarm(loc, webACLArn))
	}
	_, err := newAlarms(b.ctx, b.name, a.TopicArn, specs, b.parent)
	return err
}

func (b *apiBuild) wafAlarm(loc apiLocation, webACLArn pulumi.StringOutput) alarmSpec {
	a := b.args.Alarms
	return alarmSpec{
		suffix: "waf-blocked",
		description: fmt.Sprintf("%s: the WAF blocks over %g requests a minute: an attack, or a rule blocking "+
			"shoppers. Look first at the WAF log group's terminatingRuleId.", b.name, a.WafBlockedPerMinute),
		namespace: "AWS/WAFV2", metric: "BlockedRequests", statistic: "Sum",
		dimensions: pulumi.StringMap{"WebACL": webACLName(webACLArn), "Region": pulumi.String(loc.region), "Rule": pulumi.String("ALL")},
		comparison: "GreaterThanThreshold", threshold: a.WafBlockedPerMinute,
	}
}

func (b *apiBuild) orderRefusalAlarm() alarmSpec {
	a := b.args.Alarms
	dims := pulumi.StringMap{ServiceNameDimension: pulumi.String(b.serviceName())}
	return alarmSpec{
		suffix: "order-refusals",
		description: fmt.Sprintf("%s: over %g%% of orders refused (%s/%s). Look first at the service's logs by "+
			"refusal reason, then stock and payment.", b.name, a.OrderRefusalPercent, ServiceMetricsNamespace, OrdersRefusedMetric),
		queries: cloudwatch.MetricAlarmMetricQueryArray{
			metricQuery("refused", ServiceMetricsNamespace, OrdersRefusedMetric, "Sum", dims),
			metricQuery("placed", ServiceMetricsNamespace, OrdersPlacedMetric, "Sum", dims),
			expressionQuery(fmt.Sprintf("IF(FILL(refused, 0) + FILL(placed, 0) >= %g, 100 * FILL(refused, 0) / "+
				"(FILL(refused, 0) + FILL(placed, 0)), 0)", a.MinOrdersPerMinute), "order refusal %"),
		},
		comparison: "GreaterThanThreshold", threshold: a.OrderRefusalPercent,
	}
}

// webACLName is the name in a regional web ACL's ARN (…:regional/webacl/<name>/<id>), the WAF metrics'
// WebACL dimension.
func webACLName(arn pulumi.StringOutput) pulumi.StringOutput {
	return arn.ApplyT(func(s string) string {
		parts := strings.Split(s, "/")
		if len(parts) < 3 {
			return s
		}
		return parts[len(parts)-2]
	}).(pulumi.StringOutput)
}

// widgets are the Api's golden signals: traffic, errors, latency and saturation.
func (b *apiBuild) widgets(loc apiLocation, cluster *ecs.Cluster, svc *ecs.Service, front apiLoadBalancer) pulumi.StringOutput {
	const elb = "AWS/ApplicationELB"
	service := b.serviceName()
	return widgetsJSON([]any{front.alb.ArnSuffix, front.targetGroup.ArnSuffix, cluster.Name, svc.Name},
		func(v []any) []DashboardWidget {
			lb, tg, cl, sv := v[0].(string), v[1].(string), v[2].(string), v[3].(string)
			return []DashboardWidget{
				widget(b.name+": requests and errors", loc.region, "Sum",
					row(elb, "RequestCount", "LoadBalancer", lb, "TargetGroup", tg),
					row(elb, "HTTPCode_Target_5XX_Count", "LoadBalancer", lb, "TargetGroup", tg),
					row(elb, "HTTPCode_ELB_5XX_Count", "LoadBalancer", lb)),
				widget(b.name+": latency", loc.region, "p99",
					row(elb, "TargetResponseTime", "LoadBalancer", lb, "TargetGroup", tg),
					withStat(row(elb, "TargetResponseTime", "LoadBalancer", lb, "TargetGroup", tg), "p50")),
				widget(b.name+": saturation", loc.region, "Average",
					row("AWS/ECS", "CPUUtilization", "ClusterName", cl, "ServiceName", sv),
					row("AWS/ECS", "MemoryUtilization", "ClusterName", cl, "ServiceName", sv),
					withStat(row("ECS/ContainerInsights", "RunningTaskCount", "ClusterName", cl, "ServiceName", sv), "Minimum")),
				widget(b.name+": orders", loc.region, "Sum",
					row(ServiceMetricsNamespace, OrdersPlacedMetric, ServiceNameDimension, service),
					row(ServiceMetricsNamespace, OrdersRefusedMetric, ServiceNameDimension, service)),
			}
		})
}
