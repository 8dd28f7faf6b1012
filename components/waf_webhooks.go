package components

import (
	"slices"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/wafv2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// webhookBodyRules are the managed rules that inspect the request body, by rule group, with the label each
// adds to a request it matches. On a webhook they only judge a body the service verifies by its signature
// anyway, and they misfire on it: SizeRestrictions_BODY blocks any body over 8 KB (a payment event with its
// charges is often larger), the XSS, RFI/LFI and SSRF patterns match URLs and markup in event payloads.
var webhookBodyRules = []struct{ group, rule, label string }{
	{"AWSManagedRulesCommonRuleSet", "SizeRestrictions_BODY", "awswaf:managed:aws:core-rule-set:SizeRestrictions_Body"},
	{"AWSManagedRulesCommonRuleSet", "CrossSiteScripting_BODY", "awswaf:managed:aws:core-rule-set:CrossSiteScripting_Body"},
	{"AWSManagedRulesCommonRuleSet", "GenericRFI_BODY", "awswaf:managed:aws:core-rule-set:GenericRFI_Body"},
	{"AWSManagedRulesCommonRuleSet", "GenericLFI_BODY", "awswaf:managed:aws:core-rule-set:GenericLFI_Body"},
	{"AWSManagedRulesCommonRuleSet", "EC2MetaDataSSRF_BODY", "awswaf:managed:aws:core-rule-set:EC2MetaDataSSRF_Body"},
	{"AWSManagedRulesSQLiRuleSet", "SQLi_BODY", "awswaf:managed:aws:sql-database:SQLi_Body"},
	{"AWSManagedRulesSQLiRuleSet", "SQLiExtendedPatterns_BODY", "awswaf:managed:aws:sql-database:SQLiExtendedPatterns_Body"},
}

// Priorities of the two webhook rules: after every managed group (10, 20, ... in managedGroupRules).
const (
	webhookLabelPriority    = 90
	webhookBodyRulePriority = 100
)

// WebhookLabel marks a POST to a webhook path, for the body rule to spare it.
const WebhookLabel = "shopstack:webhook"

// withWebhookScopeDown turns the body rules of the managed groups into Count (they still label what they
// match), labels a POST to a webhook path (`label-webhooks`, Count), and adds `body-rules-except-webhooks`,
// which blocks a request carrying one of the body rules' labels but not the webhook label. Every other
// request is judged exactly as before; a webhook POST still meets the rate rule, the IP reputation list and
// every header, URI and query rule. Without webhooks the rules are returned unchanged.
func withWebhookScopeDown(rules wafv2.WebAclRuleArray, webhooks []Webhook,
	visibility func(metric string) wafv2.WebAclRuleVisibilityConfigArgs,
) wafv2.WebAclRuleArray {
	if len(webhooks) == 0 {
		return rules
	}
	out := slices.Clone(rules)
	for i, r := range out {
		if rule, ok := countBodyRules(r); ok {
			out[i] = rule
		}
	}
	return append(out,
		wafv2.WebAclRuleArgs{
			Name:             pulumi.String("label-webhooks"),
			Priority:         pulumi.Int(webhookLabelPriority),
			Action:           wafv2.WebAclRuleActionArgs{Count: wafv2.WebAclRuleActionCountArgs{}},
			RuleLabels:       wafv2.WebAclRuleRuleLabelArray{wafv2.WebAclRuleRuleLabelArgs{Name: pulumi.String(WebhookLabel)}},
			Statement:        webhookPost(webhooks),
			VisibilityConfig: visibility("webhooks"),
		},
		wafv2.WebAclRuleArgs{
			Name:     pulumi.String("body-rules-except-webhooks"),
			Priority: pulumi.Int(webhookBodyRulePriority),
			Action:   wafv2.WebAclRuleActionArgs{Block: wafv2.WebAclRuleActionBlockArgs{}},
			Statement: wafv2.WebAclRuleStatementArgs{AndStatement: wafv2.WebAclRuleStatementAndStatementArgs{
				Statements: wafv2.WebAclRuleStatementArray{
					bodyRuleLabels(),
					wafv2.WebAclRuleStatementArgs{NotStatement: wafv2.WebAclRuleStatementNotStatementArgs{
						Statements: wafv2.WebAclRuleStatementArray{labelMatch(WebhookLabel)},
					}},
				},
			}},
			VisibilityConfig: visibility("body-rules"),
		},
	)
}

// countBodyRules overrides webhookBodyRules to Count in a managed group rule (managedGroupRules' shape);
// false for any other rule.
func countBodyRules(r wafv2.WebAclRuleInput) (wafv2.WebAclRuleArgs, bool) {
	rule, ok := r.(wafv2.WebAclRuleArgs)
	if !ok {
		return rule, false
	}
	stmt, ok := rule.Statement.(wafv2.WebAclRuleStatementArgs)
	if !ok {
		return rule, false
	}
	group, ok := stmt.ManagedRuleGroupStatement.(wafv2.WebAclRuleStatementManagedRuleGroupStatementArgs)
	if !ok {
		return rule, false
	}
	name, _ := group.Name.(pulumi.String)
	var overrides wafv2.WebAclRuleStatementManagedRuleGroupStatementRuleActionOverrideArray
	for _, b := range webhookBodyRules {
		if string(name) == b.group {
			overrides = append(overrides, wafv2.WebAclRuleStatementManagedRuleGroupStatementRuleActionOverrideArgs{
				Name: pulumi.String(b.rule),
				ActionToUse: wafv2.WebAclRuleStatementManagedRuleGroupStatementRuleActionOverrideActionToUseArgs{
					Count: wafv2.WebAclRuleStatementManagedRuleGroupStatementRuleActionOverrideActionToUseCountArgs{},
				},
			})
		}
	}
	if len(overrides) == 0 {
		return rule, false
	}
	group.RuleActionOverrides = overrides
	stmt.ManagedRuleGroupStatement = group
	rule.Statement = stmt
	return rule, true
}

// bodyRuleLabels matches a request one of webhookBodyRules matched.
func bodyRuleLabels() wafv2.WebAclRuleStatementArgs {
	var labels wafv2.WebAclRuleStatementArray
	for _, b := range webhookBodyRules {
		labels = append(labels, labelMatch(b.label))
	}
	return wafv2.WebAclRuleStatementArgs{OrStatement: wafv2.WebAclRuleStatementOrStatementArgs{Statements: labels}}
}

func labelMatch(key string) wafv2.WebAclRuleStatementArgs {
	return wafv2.WebAclRuleStatementArgs{LabelMatchStatement: wafv2.WebAclRuleStatementLabelMatchStatementArgs{
		Scope: pulumi.String("LABEL"), Key: pulumi.String(key),
	}}
}

// webhookPost matches a POST whose path is exactly one of the webhooks'.
func webhookPost(webhooks []Webhook) wafv2.WebAclRuleStatementArgs {
	exact := func(field wafv2.WebAclRuleStatementByteMatchStatementFieldToMatchArgs, value string) wafv2.WebAclRuleStatementArgs {
		return wafv2.WebAclRuleStatementArgs{ByteMatchStatement: wafv2.WebAclRuleStatementByteMatchStatementArgs{
			FieldToMatch:         field,
			PositionalConstraint: pulumi.String("EXACTLY"),
			SearchString:         pulumi.String(value),
			TextTransformations: wafv2.WebAclRuleStatementByteMatchStatementTextTransformationArray{
				wafv2.WebAclRuleStatementByteMatchStatementTextTransformationArgs{Priority: pulumi.Int(0), Type: pulumi.String("NONE")},
			},
		}}
	}
	var paths wafv2.WebAclRuleStatementArray
	for _, w := range webhooks {
		paths = append(paths, exact(wafv2.WebAclRuleStatementByteMatchStatementFieldToMatchArgs{
			UriPath: wafv2.WebAclRuleStatementByteMatchStatementFieldToMatchUriPathArgs{},
		}, w.Path))
	}
	path := paths[0]
	if len(paths) > 1 {
		path = wafv2.WebAclRuleStatementArgs{OrStatement: wafv2.WebAclRuleStatementOrStatementArgs{Statements: paths}}
	}
	method := exact(wafv2.WebAclRuleStatementByteMatchStatementFieldToMatchArgs{
		Method: wafv2.WebAclRuleStatementByteMatchStatementFieldToMatchMethodArgs{},
	}, "POST")
	return wafv2.WebAclRuleStatementArgs{AndStatement: wafv2.WebAclRuleStatementAndStatementArgs{
		Statements: wafv2.WebAclRuleStatementArray{method, path},
	}}
}
