package components

import (
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/wafv2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// StaticSiteWafArgs configures the distribution's web ACL (CLOUDFRONT scope,
// in us-east-1). At the edge the source address is the viewer's own, so its
// IP-reputation and rate rules judge the real client, which a regional ACL
// behind CloudFront cannot.
type StaticSiteWafArgs struct {
	// Disabled removes the web ACL and its logs (a cost-minimal dev stack).
	// Default false: WAF on.
	Disabled bool
	// RateLimit is the number of requests (pages, assets and API calls) one
	// viewer IP may send in 5 minutes before it is blocked. Default 1000;
	// 10 to 2000000000.
	RateLimit int
	// LogRetentionDays is the retention of the WAF log group. Default 30; a
	// CloudWatch Logs retention.
	LogRetentionDays int
	// RateRuleOnly leaves out the AWS managed rule groups (managedRuleGroups,
	// $1 a month each on top of the ACL's $5) and keeps the per-viewer rate
	// rule: the cheapest edge protection that still stops a flood. Default
	// false: the managed groups run too.
	RateRuleOnly bool
}

// Defaults of StaticSiteWafArgs.
const (
	DefaultSiteWafRateLimit        = 1000
	DefaultSiteWafLogRetentionDays = 30
)

func (w StaticSiteWafArgs) withDefaults() StaticSiteWafArgs {
	if w.RateLimit == 0 {
		w.RateLimit = DefaultSiteWafRateLimit
	}
	if w.LogRetentionDays == 0 {
		w.LogRetentionDays = DefaultSiteWafLogRetentionDays
	}
	return w
}

func (w StaticSiteWafArgs) validate(e *argErrors) {
	if w.Disabled {
		return
	}
	if w.RateLimit < 10 || w.RateLimit > 2000000000 {
		e.bad("Waf.RateLimit", "%d must be between 10 and 2000000000", w.RateLimit)
	}
	e.retention("Waf.LogRetentionDays", w.LogRetentionDays)
}

// webACL registers `name-waf` (CLOUDFRONT scope, so in us-east-1): a
// per-viewer rate rule, then the AWS managed groups every web ACL of the
// stack runs (managedRuleGroups), with metrics; and its logs (`name-waf-logs`,
// `name-waf-logging`). It returns the ACL's ARN, the distribution's webAclId,
// or nil with Waf.Disabled.
func (s *StaticSite) webACL(ctx *pulumi.Context, name string, a *StaticSiteArgs, useast1 *aws.Provider,
) (pulumi.StringInput, error) {
	if a.Waf.Disabled {
		return nil, nil
	}
	opts := []pulumi.ResourceOption{pulumi.Parent(s), pulumi.Provider(useast1)}
	visibility := func(metric string) wafv2.WebAclRuleVisibilityConfigArgs {
		return wafv2.WebAclRuleVisibilityConfigArgs{
			CloudwatchMetricsEnabled: pulumi.Bool(true),
			SampledRequestsEnabled:   pulumi.Bool(true),
			MetricName:               pulumi.String(name + "-" + metric),
		}
	}
	rules := wafv2.WebAclRuleArray{
		wafv2.WebAclRuleArgs{
			Name:     pulumi.String("rate-limit-per-ip"),
			Priority: pulumi.Int(0),
			Action:   wafv2.WebAclRuleActionArgs{Block: wafv2.WebAclRuleActionBlockArgs{}},
			Statement: wafv2.WebAclRuleStatementArgs{RateBasedStatement: wafv2.WebAclRuleStatementRateBasedStatementArgs{
				Limit:               pulumi.Int(a.Waf.RateLimit),
				EvaluationWindowSec: pulumi.Int(300),
				AggregateKeyType:    pulumi.String("IP"),
			}},
			VisibilityConfig: visibility("rate-limit"),
		},
	}
	if !a.Waf.RateRuleOnly {
		rules = append(rules, withWebhookScopeDown(managedGroupRules(visibility), a.Webhooks, visibility)...)
	}
	acl, err := wafv2.NewWebAcl(ctx, name+"-waf", &wafv2.WebAclArgs{
		Scope:         pulumi.String("CLOUDFRONT"),
		Description:   pulumi.String("Web ACL of the " + name + " distribution"),
		DefaultAction: wafv2.WebAclDefaultActionArgs{Allow: wafv2.WebAclDefaultActionAllowArgs{}},
		Rules:         rules,
		VisibilityConfig: wafv2.WebAclVisibilityConfigArgs{
			CloudwatchMetricsEnabled: pulumi.Bool(true),
			SampledRequestsEnabled:   pulumi.Bool(true),
			MetricName:               pulumi.String(name + "-waf"),
		},
	}, opts...)
	if err != nil {
		return nil, err
	}
	if err := wafLogging(ctx, name, a.Waf.LogRetentionDays, acl, opts); err != nil {
		return nil, err
	}
	return acl.Arn, nil
}

// wafLogging sends the ACL's logs to `name-waf-logs`, in the ACL's region
// (us-east-1 for CLOUDFRONT scope), with credentials redacted.
func wafLogging(ctx *pulumi.Context, name string, retentionDays int, acl *wafv2.WebAcl, opts []pulumi.ResourceOption) error {
	logs, err := cloudwatch.NewLogGroup(ctx, name+"-waf-logs", &cloudwatch.LogGroupArgs{
		// WAF only delivers to log groups whose name starts with aws-waf-logs-.
		NamePrefix:      pulumi.String("aws-waf-logs-" + name + "-"),
		RetentionInDays: pulumi.Int(retentionDays),
	}, opts...)
	if err != nil {
		return err
	}
	redact := func(header string) wafv2.WebAclLoggingConfigurationRedactedFieldArgs {
		return wafv2.WebAclLoggingConfigurationRedactedFieldArgs{
			SingleHeader: wafv2.WebAclLoggingConfigurationRedactedFieldSingleHeaderArgs{Name: pulumi.String(header)},
		}
	}
	_, err = wafv2.NewWebAclLoggingConfiguration(ctx, name+"-waf-logging", &wafv2.WebAclLoggingConfigurationArgs{
		ResourceArn:           acl.Arn,
		LogDestinationConfigs: pulumi.StringArray{logs.Arn},
		RedactedFields: wafv2.WebAclLoggingConfigurationRedactedFieldArray{
			redact("authorization"), redact("cookie"),
		},
	}, opts...)
	return err
}
