package components

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/lambda"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// lambdaDurationAlarmShare is the share of the timeout the p99 duration may reach before the duration alarm
// goes off: invocations near their timeout are about to be killed mid-request.
const lambdaDurationAlarmShare = 0.8

// functionAlarms are the function's: errors (invocations that crashed or timed out: the shop answers its own
// failures with a status code, so Errors counts only what it could not answer), throttles (the reserved
// concurrency is exhausted and shoppers are turned away), the p99 duration near the timeout, and the shop's
// order refusal rate from its embedded-metric-format lines.
func (b *apiBuild) functionAlarms(fn *lambda.Function) error {
	if !b.alarmsOn() {
		return nil
	}
	dims := pulumi.StringMap{"FunctionName": fn.Name}
	const ns = "AWS/Lambda"
	limit := float64(b.args.Lambda.TimeoutSeconds) * lambdaDurationAlarmShare * 1000
	specs := []alarmSpec{
		{
			suffix: "function-errors",
			description: b.name + ": invocations crash or time out. Look first at the function's log group for " +
				"\"Task timed out\" and panics since the last deploy, then the database alarms.",
			namespace: ns, metric: "Errors", statistic: "Sum", dimensions: dims,
			comparison: "GreaterThanThreshold", threshold: 0,
		},
		{
			suffix: "function-throttles",
			description: fmt.Sprintf("%s: invocations throttled: all %d reserved instances are busy and shoppers "+
				"are turned away. Look first at the request rate (a flood the WAF let through?), then raise "+
				"the reserved concurrency with the database's connection limit in mind.", b.name, b.args.Lambda.ReservedConcurrency),
			namespace: ns, metric: "Throttles", statistic: "Sum", dimensions: dims,
			comparison: "GreaterThanThreshold", threshold: 0,
		},
		{
			suffix: "function-duration-p99",
			description: fmt.Sprintf("%s: p99 duration over %.0f ms, %.0f%% of the %d s timeout: invocations are "+
				"about to be killed. Look first at the database (resuming from 0 ACU, CPU, connections).",
				b.name, limit, lambdaDurationAlarmShare*100, b.args.Lambda.TimeoutSeconds),
			namespace: ns, metric: "Duration", statistic: "p99", dimensions: dims,
			comparison: "GreaterThanThreshold", threshold: limit,
		},
		b.orderRefusalAlarm(),
	}
	_, err := newAlarms(b.ctx, b.name, b.args.Alarms.TopicArn, specs, b.parent)
	return err
}
