package components

import (
	"cmp"
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudfront"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// cloudFrontMetricsRegion is where CloudFront publishes its metrics (with Region=Global), whatever the
// stack's region: the site's alarm lives there, and so must its topic.
const cloudFrontMetricsRegion = "us-east-1"

// StaticSiteAlarmArgs switches and tunes the StaticSite's alarm.
type StaticSiteAlarmArgs struct {
	// Disabled creates no alarm. Default false.
	Disabled bool
	// TopicArn is the SNS topic the alarm notifies, on ALARM and on OK. It must be a topic in us-east-1,
	// where CloudFront's metrics and therefore the alarm live. Without one no alarm is created. Default none.
	TopicArn pulumi.StringInput
	// ErrorRatePercent is the share of viewer requests answered 5xx (CloudFront's default 5xxErrorRate
	// metric, no additional metrics needed), for 3 of 5 minutes. Default 5.
	ErrorRatePercent float64
}

func (a *StaticSiteAlarmArgs) withDefaults() StaticSiteAlarmArgs {
	out := *a
	out.ErrorRatePercent = cmp.Or(out.ErrorRatePercent, 5)
	return out
}

func (a *StaticSiteAlarmArgs) on() bool { return !a.Disabled && a.TopicArn != nil }

func (a *StaticSiteAlarmArgs) validate(e *argErrors) {
	validateAlarmThresholds(e, "Alarms", map[string]float64{"ErrorRatePercent": a.ErrorRatePercent})
	if a.ErrorRatePercent > 100 {
		e.bad("Alarms.ErrorRatePercent", "%g is above 100 percent", a.ErrorRatePercent)
	}
}

// alarms registers the 5xx error rate alarm in us-east-1, and the site's dashboard widgets.
func (s *StaticSite) alarms(ctx *pulumi.Context, name string, a *StaticSiteArgs, dist *cloudfront.Distribution,
	useast1 *aws.Provider) error {
	dims := pulumi.StringMap{"DistributionId": dist.ID().ToStringOutput(), "Region": pulumi.String("Global")}
	s.DashboardWidgets = widgetsJSON([]any{dist.ID().ToStringOutput()}, func(v []any) []DashboardWidget {
		id := v[0].(string)
		return []DashboardWidget{
			widget(name+": CDN requests", cloudFrontMetricsRegion, "Sum",
				row("AWS/CloudFront", "Requests", "DistributionId", id, "Region", "Global")),
			widget(name+": CDN error rates", cloudFrontMetricsRegion, "Average",
				row("AWS/CloudFront", "5xxErrorRate", "DistributionId", id, "Region", "Global"),
				row("AWS/CloudFront", "4xxErrorRate", "DistributionId", id, "Region", "Global")),
		}
	})
	al := a.Alarms
	if !al.on() {
		return nil
	}
	_, err := newAlarm(ctx, name, al.TopicArn, alarmSpec{
		suffix: "cdn-5xx-rate",
		description: fmt.Sprintf("%s: over %g%% of viewer requests answered 5xx by CloudFront. Look first at the "+
			"Api's alarms (an /api/* origin failing), then the bucket origin.", name, al.ErrorRatePercent),
		namespace: "AWS/CloudFront", metric: "5xxErrorRate", statistic: "Average", dimensions: dims,
		comparison: "GreaterThanThreshold", threshold: al.ErrorRatePercent,
	}, pulumi.Parent(s), pulumi.Provider(useast1))
	return err
}
