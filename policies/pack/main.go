// Command pack serves the shopstack rules (package policies) to the Pulumi CLI
// as a policy pack: `pulumi preview --policy-pack policies/pack`.
//
// policyx is experimental; everything that touches it is in this file. With
// SDK v3.230.0 the engine only runs resource policies (policyx has no stack
// validation policy constructor and its AnalyzeStack is not implemented), so the
// stack rules (joins between resources) are enforced by `go test ./policies/...`
// and `make plan`, and listed here as skipped.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/blang/semver"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/config"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/policyx"

	"github.com/shopstack/shopstack/policies"
)

const (
	packName = "shopstack"
	// advisoryPolicy reports what a mandatory rule only advises (a weaker case, or
	// a value unknown at preview): policyx has one enforcement level per policy.
	advisoryPolicy = "shopstack-advisories"
)

var version = semver.MustParse("0.1.0")

func main() {
	if err := policyx.Main(newPack); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// newPack builds the pack for one stack, reading the rule settings from its config.
func newPack(ctx *pulumi.Context) (policyx.PolicyPack, error) {
	cfg := map[string]string{}
	for _, k := range []string{policies.KeyProductionGrade, policies.KeyProtectStateful, policies.KeyBudgetUSD,
		policies.KeyMaxInstanceSize, policies.KeyRequiredTags, policies.KeyDefaultTags} {
		if v := config.Get(ctx, k); v != "" {
			cfg[k] = v
		}
	}
	settings, err := policies.SettingsFromConfig(ctx.Stack(), cfg)
	if err != nil {
		return nil, err
	}
	var perResource []*policies.Rule
	var pack []policyx.Policy
	for _, rule := range policies.All() {
		if rule.CheckStack != nil {
			continue
		}
		perResource = append(perResource, rule)
		level := level(rule.LevelIn(settings))
		pack = append(pack, policyx.NewResourceValidationPolicy(rule.ID, policyx.ResourceValidationPolicyArgs{
			Description:      describe(rule),
			EnforcementLevel: level,
			ValidateResource: func(_ context.Context, args policyx.ResourceValidationArgs) error {
				for _, f := range evaluate(args.Resource, settings, rule) {
					if f.Outcome == policies.Violation && f.Level == rule.LevelIn(settings) {
						args.Manager.ReportViolation(f.Message, f.URN)
					}
				}
				return nil
			},
		}))
	}
	pack = append(pack, policyx.NewResourceValidationPolicy(advisoryPolicy, policyx.ResourceValidationPolicyArgs{
		Description:      "Advisories of mandatory rules and values that cannot be evaluated before the update",
		EnforcementLevel: policyx.EnforcementLevelAdvisory,
		ValidateResource: func(_ context.Context, args policyx.ResourceValidationArgs) error {
			for _, rule := range perResource {
				for _, f := range evaluate(args.Resource, settings, rule) {
					if f.Outcome == policies.CannotEvaluate || f.Level != rule.LevelIn(settings) {
						args.Manager.ReportViolation(f.Rule+": "+f.Message, f.URN)
					}
				}
			}
			return nil
		},
	}))
	return policyx.NewPolicyPack(packName, version, policyx.EnforcementLevelMandatory, pack)
}

// fromAnalyzer is the neutral view of an analyzer resource.
func fromAnalyzer(r policyx.AnalyzerResource) policies.Resource {
	return policies.Resource{
		Type: r.Type, Name: r.Name, URN: r.URN, Parent: r.Parent, Provider: r.Provider.URN,
		Inputs:       resource.ToResourcePropertyMap(r.Properties),
		PropertyDeps: r.PropertyDependencies,
	}
}

func evaluate(r policyx.AnalyzerResource, s policies.Settings, rule *policies.Rule) []policies.Finding {
	return policies.Evaluate([]policies.Resource{fromAnalyzer(r)}, s, []*policies.Rule{rule}).Findings
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
