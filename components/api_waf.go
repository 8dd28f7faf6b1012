package components

import (
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/lb"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/wafv2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// waf puts a web ACL in front of the load balancer and logs it; it returns the ACL's ARN, "" with DisableWaf.
func (b *apiBuild) waf(alb *lb.LoadBalancer) (pulumi.StringOutput, error) {
	if b.args.DisableWaf {
		return pulumi.String("").ToStringOutput(), nil
	}
	acl, err := b.webACL()
	if err != nil {
		return pulumi.StringOutput{}, err
	}
	if _, err := wafv2.NewWebAclAssociation(b.ctx, b.name+"-waf-association", &wafv2.WebAclAssociationArgs{
		ResourceArn: alb.Arn,
		WebAclArn:   acl.Arn,
	}, b.parent); err != nil {
		return pulumi.StringOutput{}, err
	}
	if err := b.wafLogging(acl); err != nil {
		return pulumi.StringOutput{}, err
	}
	return acl.Arn, nil
}

func (b *apiBuild) wafLogging(acl *wafv2.WebAcl) error {
	logs, err := cloudwatch.NewLogGroup(b.ctx, b.name+"-waf-logs", &cloudwatch.LogGroupArgs{
		// WAF only delivers to log groups whose name starts with aws-waf-logs-.
		NamePrefix:      pulumi.String("aws-waf-logs-" + b.name + "-"),
		RetentionInDays: pulumi.Int(b.args.LogRetentionDays),
	}, b.parent)
	if err != nil {
		return err
	}
	_, err = wafv2.NewWebAclLoggingConfiguration(b.ctx, b.name+"-waf-logging", &wafv2.WebAclLoggingConfigurationArgs{
		ResourceArn:           acl.Arn,
		LogDestinationConfigs: pulumi.StringArray{logs.Arn},
		// Credentials never reach the logs.
		RedactedFields: wafv2.WebAclLoggingConfigurationRedactedFieldArray{
			wafv2.WebAclLoggingConfigurationRedactedFieldArgs{
				SingleHeader: wafv2.WebAclLoggingConfigurationRedactedFieldSingleHeaderArgs{Name: pulumi.String("authorization")},
			},
			wafv2.WebAclLoggingConfigurationRedactedFieldArgs{
				SingleHeader: wafv2.WebAclLoggingConfigurationRedactedFieldSingleHeaderArgs{Name: pulumi.String("cookie")},
			},
		},
	}, b.parent)
	return err
}

// managedRuleGroups are the AWS managed rule groups every web ACL runs.
var managedRuleGroups = []struct{ name, metric string }{
	{"AWSManagedRulesAmazonIpReputationList", "ip-reputation"},
	{"AWSManagedRulesCommonRuleSet", "common"},
	{"AWSManagedRulesKnownBadInputsRuleSet", "known-bad-inputs"},
	{"AWSManagedRulesSQLiRuleSet", "sqli"},
}

// webACL rate-limits each client, then runs the managed rule groups.
func (b *apiBuild) webACL() (*wafv2.WebAcl, error) {
	rules := wafv2.WebAclRuleArray{
		wafv2.WebAclRuleArgs{
			Name:             pulumi.String("rate-limit-per-ip"),
			Priority:         pulumi.Int(0),
			Action:           wafv2.WebAclRuleActionArgs{Block: wafv2.WebAclRuleActionBlockArgs{}},
			Statement:        wafv2.WebAclRuleStatementArgs{RateBasedStatement: b.rateLimit()},
			VisibilityConfig: b.ruleVisibility("rate-limit"),
		},
	}
	rules = append(rules, withWebhookScopeDown(managedGroupRules(b.ruleVisibility), b.args.WafWebhooks, b.ruleVisibility)...)
	return wafv2.NewWebAcl(b.ctx, b.name+"-waf", &wafv2.WebAclArgs{
		Scope:         pulumi.String("REGIONAL"),
		Description:   pulumi.String("Web ACL of " + b.name),
		DefaultAction: wafv2.WebAclDefaultActionArgs{Allow: wafv2.WebAclDefaultActionAllowArgs{}},
		Rules:         rules,
		VisibilityConfig: wafv2.WebAclVisibilityConfigArgs{
			CloudwatchMetricsEnabled: pulumi.Bool(true),
			SampledRequestsEnabled:   pulumi.Bool(true),
			MetricName:               pulumi.String(b.name + "-waf"),
		},
	}, b.parent)
}

func (b *apiBuild) rateLimit() wafv2.WebAclRuleStatementRateBasedStatementArgs {
	rate := wafv2.WebAclRuleStatementRateBasedStatementArgs{
		Limit:               pulumi.Int(b.args.WafRateLimit),
		EvaluationWindowSec: pulumi.Int(300),
		AggregateKeyType:    pulumi.String("IP"),
	}
	if b.internal {
		// Behind CloudFront the source address is CloudFront's. The first
		// X-Forwarded-For entry is the client's to choose, so the rule keys on
		// the header the StaticSite's function sets (see ViewerIpHeader). A
		// value that is not an address gets the rule's action: fail closed.
		rate.AggregateKeyType = pulumi.String("FORWARDED_IP")
		rate.ForwardedIpConfig = wafv2.WebAclRuleStatementRateBasedStatementForwardedIpConfigArgs{
			HeaderName:       pulumi.String(ViewerIpHeader),
			FallbackBehavior: pulumi.String("MATCH"),
		}
	}
	return rate
}

// managedGroupRules are the rules running managedRuleGroups, at priorities 10, 20, ... after the rate rule,
// in both the regional (Api) and the CloudFront (StaticSite) web ACL.
func managedGroupRules(visibility func(metric string) wafv2.WebAclRuleVisibilityConfigArgs) wafv2.WebAclRuleArray {
	var rules wafv2.WebAclRuleArray
	for i, g := range managedRuleGroups {
		rules = append(rules, wafv2.WebAclRuleArgs{
			Name:           pulumi.String(g.name),
			Priority:       pulumi.Int(10 * (i + 1)),
			OverrideAction: wafv2.WebAclRuleOverrideActionArgs{None: wafv2.WebAclRuleOverrideActionNoneArgs{}},
			Statement: wafv2.WebAclRuleStatementArgs{
				ManagedRuleGroupStatement: wafv2.WebAclRuleStatementManagedRuleGroupStatementArgs{
					VendorName: pulumi.String("AWS"),
					Name:       pulumi.String(g.name),
				},
			},
			VisibilityConfig: visibility(g.metric),
		})
	}
	return rules
}

func (b *apiBuild) ruleVisibility(metric string) wafv2.WebAclRuleVisibilityConfigArgs {
	return wafv2.WebAclRuleVisibilityConfigArgs{
		CloudwatchMetricsEnabled: pulumi.Bool(true),
		SampledRequestsEnabled:   pulumi.Bool(true),
		MetricName:               pulumi.String(b.name + "-" + metric),
	}
}
