// Command pack serves the shopstack rules (package policies) to the Pulumi CLI
// as a policy pack: `pulumi preview --policy-pack policies/pack`.
//
// policyx is experimental; everything that touches it is in this package. With
// SDK v3.274.1 every rule runs in the CLI: a per-resource rule as a resource
// validation policy (Analyze: one resource's inputs, as it is registered), a
// stack rule as a stack validation policy (AnalyzeStack: once per preview or
// update, every registered resource's outputs with its parent, property
// dependencies and provider). policyx ignores the pack-level enforcement level,
// so each policy carries its rule's level for this stack (Rule.LevelIn); and a
// policy has one level, so what a mandatory rule only advises and every value
// unknown before the update go to two advisory policies, one per kind.
//
// What the policies cannot get in v3.274.1: StackValidationArgs carries only the
// resources (no config, no stack tags), and the engine sends the stack's config
// once, in ConfigureStack, where policyx builds the pack; so the settings are
// read there and kept by every policy. The CLI has no idle cost estimate, so
// cost-idle-budget is cannot-evaluate here and `make plan` enforces it. Before
// ConfigureStack there is no pack: GetAnalyzerInfo then (`pulumi policy publish`
// configures no stack) crashes the plugin.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/blang/semver"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/config"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/policyx"

	"github.com/shopstack/shopstack/policies"
)

const (
	packName = "shopstack"
	// advisoryPolicy reports the resource rules' advisories and cannot-evaluate findings.
	advisoryPolicy = "shopstack-advisories"
	// stackAdvisoryPolicy reports the stack rules' advisories and cannot-evaluate findings.
	stackAdvisoryPolicy = "shopstack-stack-advisories"
)

var version = semver.MustParse("0.2.0")

func main() {
	if err := policyx.Main(newPack); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// newPack builds the pack for one stack, reading the rule settings from its config.
func newPack(ctx *pulumi.Context) (policyx.PolicyPack, error) {
	settings, err := settingsOf(ctx)
	if err != nil {
		return nil, err
	}
	var perResource, perStack []*policies.Rule
	var pack []policyx.Policy
	for _, rule := range policies.All() {
		if rule.CheckStack != nil {
			perStack = append(perStack, rule)
			pack = append(pack, stackPolicy(rule, settings))
		} else {
			perResource = append(perResource, rule)
			pack = append(pack, resourcePolicy(rule, settings))
		}
	}
	pack = append(pack,
		policyx.NewResourceValidationPolicy(advisoryPolicy, policyx.ResourceValidationPolicyArgs{
			Description:      "Advisories of the resource rules and values that cannot be evaluated before the update",
			EnforcementLevel: policyx.EnforcementLevelAdvisory,
			ValidateResource: func(_ context.Context, args policyx.ResourceValidationArgs) error {
				reportAdvisories(args.Manager, perResource, settings, []policyx.AnalyzerResource{args.Resource})
				return nil
			},
		}),
		policyx.NewStackValidationPolicy(stackAdvisoryPolicy, policyx.StackValidationPolicyArgs{
			Description:      "Advisories of the stack rules and values that cannot be evaluated before the update",
			EnforcementLevel: policyx.EnforcementLevelAdvisory,
			ValidateStack: func(_ context.Context, args policyx.StackValidationArgs) error {
				reportAdvisories(args.Manager, perStack, settings, args.Resources)
				return nil
			},
		}),
	)
	return policyx.NewPolicyPack(packName, version, policyx.EnforcementLevelMandatory, pack)
}

func settingsOf(ctx *pulumi.Context) (policies.Settings, error) {
	cfg := map[string]string{}
	for _, k := range []string{policies.KeyProductionGrade, policies.KeyProtectStateful, policies.KeyBudgetUSD,
		policies.KeyMaxInstanceSize, policies.KeyRequiredTags, policies.KeyDefaultTags} {
		if v := config.Get(ctx, k); v != "" {
			cfg[k] = v
		}
	}
	// The CLI has no idle cost estimate: IdleCostUSD stays nil and the budget rule says it cannot evaluate.
	return policies.SettingsFromConfig(ctx.Stack(), cfg)
}

func resourcePolicy(rule *policies.Rule, s policies.Settings) policyx.Policy {
	return policyx.NewResourceValidationPolicy(rule.ID, policyx.ResourceValidationPolicyArgs{
		Description:      describe(rule),
		EnforcementLevel: level(rule.LevelIn(s)),
		ValidateResource: func(_ context.Context, args policyx.ResourceValidationArgs) error {
			reportOwn(args.Manager, rule, s, []policyx.AnalyzerResource{args.Resource})
			return nil
		},
	})
}

func stackPolicy(rule *policies.Rule, s policies.Settings) policyx.Policy {
	return policyx.NewStackValidationPolicy(rule.ID, policyx.StackValidationPolicyArgs{
		Description:      describe(rule),
		EnforcementLevel: level(rule.LevelIn(s)),
		ValidateStack: func(_ context.Context, args policyx.StackValidationArgs) error {
			reportOwn(args.Manager, rule, s, args.Resources)
			return nil
		},
	})
}

// reportOwn reports the violations at the rule's level, the level of its policy.
func reportOwn(m policyx.PolicyManager, rule *policies.Rule, s policies.Settings, rs []policyx.AnalyzerResource) {
	for _, f := range evaluate(rs, s, rule) {
		if own(f, rule, s) {
			m.ReportViolation(f.Message, f.URN)
		}
	}
}

// reportAdvisories reports every other finding of rules, named by rule.
func reportAdvisories(m policyx.PolicyManager, rules []*policies.Rule, s policies.Settings,
	rs []policyx.AnalyzerResource,
) {
	for _, rule := range rules {
		for _, f := range evaluate(rs, s, rule) {
			if !own(f, rule, s) {
				m.ReportViolation(f.Rule+": "+f.Message, f.URN)
			}
		}
	}
}

func own(f policies.Finding, rule *policies.Rule, s policies.Settings) bool {
	return f.Outcome == policies.Violation && f.Level == rule.LevelIn(s)
}

func evaluate(rs []policyx.AnalyzerResource, s policies.Settings, rule *policies.Rule) []policies.Finding {
	neutral := make([]policies.Resource, len(rs))
	for i, r := range rs {
		neutral[i] = fromAnalyzer(r)
	}
	return policies.Evaluate(neutral, s, []*policies.Rule{rule}).Findings
}

func describe(r *policies.Rule) string {
	if r.Control != "" {
		return r.Title + " (AWS FSBP " + r.Control + ")"
	}
	return r.Title
}

func level(l policies.Level) policyx.EnforcementLevel {
	if l == policies.Mandatory {
		return policyx.EnforcementLevelMandatory
	}
	return policyx.EnforcementLevelAdvisory
}
