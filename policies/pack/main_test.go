package main

import (
	"context"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/policyx"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shopstack/shopstack/internal/pulumimock"
	"github.com/shopstack/shopstack/plan"
	"github.com/shopstack/shopstack/policies"
)

type report struct{ message, urn string }

type recorder struct{ reports []report }

func (r *recorder) ReportViolation(message, urn string) {
	r.reports = append(r.reports, report{message, urn})
}

// pack is the policy pack split by kind, each policy by name.
type pack struct {
	resource map[string]policyx.ResourceValidationPolicy
	stack    map[string]policyx.StackValidationPolicy
}

func packFor(t *testing.T, stack string, config map[string]string) pack {
	t.Helper()
	ctx, err := pulumi.NewContext(context.Background(), pulumi.RunInfo{
		Project: "shopstack", Stack: stack, Config: config, Parallel: 1,
	})
	require.NoError(t, err)
	pp, err := newPack(ctx)
	require.NoError(t, err)
	assert.Equal(t, "shopstack", pp.Name())
	out := pack{resource: map[string]policyx.ResourceValidationPolicy{}, stack: map[string]policyx.StackValidationPolicy{}}
	for _, p := range pp.Policies() {
		switch p := p.(type) {
		case policyx.ResourceValidationPolicy:
			out.resource[p.Name()] = p
		case policyx.StackValidationPolicy:
			out.stack[p.Name()] = p
		default:
			t.Fatalf("%s is neither a resource nor a stack validation policy", p.Name())
		}
	}
	return out
}

// analyzerResource is what the engine sends for one resource.
func analyzerResource(typ, name string, in map[string]any) policyx.AnalyzerResource {
	return policyx.AnalyzerResource{
		Type: typ, Name: name, URN: "urn:pulumi:prod::shopstack::" + typ + "::" + name,
		Properties: resource.FromResourcePropertyMap(resource.NewPropertyMapFromMap(in)),
	}
}

func validate(t *testing.T, p policyx.ResourceValidationPolicy, r policyx.AnalyzerResource) []report {
	t.Helper()
	rec := &recorder{}
	require.NoError(t, p.Validate(context.Background(), policyx.ResourceValidationArgs{Manager: rec, Resource: r}))
	return rec.reports
}

func validateStack(t *testing.T, p policyx.StackValidationPolicy, rs []policyx.AnalyzerResource) []report {
	t.Helper()
	rec := &recorder{}
	require.NoError(t, p.Validate(context.Background(), policyx.StackValidationArgs{Manager: rec, Resources: rs}))
	return rec.reports
}

func TestPackHasEveryRule(t *testing.T) {
	t.Parallel()
	pack := packFor(t, "prod", map[string]string{"shopstack:protectStateful": "true"})
	prod := policies.Settings{ProductionGrade: true}
	perResource, perStack := 0, 0
	for _, r := range policies.All() {
		var p policyx.Policy
		if r.CheckStack != nil {
			perStack++
			require.Contains(t, pack.stack, r.ID, "a stack rule is a stack validation policy")
			p = pack.stack[r.ID]
		} else {
			perResource++
			require.Contains(t, pack.resource, r.ID, "a resource rule is a resource validation policy")
			p = pack.resource[r.ID]
		}
		assert.Equal(t, level(r.LevelIn(prod)), p.EnforcementLevel(), r.ID)
	}
	assert.NotZero(t, perStack)
	assert.Len(t, pack.resource, perResource+1, "one policy per resource rule plus the advisories policy")
	assert.Len(t, pack.stack, perStack+1, "one policy per stack rule plus the stack advisories policy")
	assert.Equal(t, policyx.EnforcementLevelAdvisory, pack.resource[advisoryPolicy].EnforcementLevel())
	assert.Equal(t, policyx.EnforcementLevelAdvisory, pack.stack[stackAdvisoryPolicy].EnforcementLevel())
	assert.Equal(t, policyx.EnforcementLevelAdvisory, pack.stack["cloudfront-logging"].EnforcementLevel(),
		"an advisory stack rule is an advisory policy")
}

func TestProductionGradeComesFromStackConfig(t *testing.T) {
	t.Parallel()
	prod := packFor(t, "prod", map[string]string{"shopstack:protectStateful": "true"})
	dev := packFor(t, "dev", map[string]string{"shopstack:protectStateful": "false"})
	assert.Equal(t, policyx.EnforcementLevelMandatory, prod.resource["rds-deletion-protection"].EnforcementLevel())
	assert.Equal(t, policyx.EnforcementLevelAdvisory, dev.resource["rds-deletion-protection"].EnforcementLevel())
	assert.Equal(t, policyx.EnforcementLevelMandatory, prod.stack["rds-multi-az"].EnforcementLevel())
	assert.Equal(t, policyx.EnforcementLevelAdvisory, dev.stack["rds-multi-az"].EnforcementLevel())
}

func TestPackValidatesAnalyzerResources(t *testing.T) {
	t.Parallel()
	pack := packFor(t, "prod", map[string]string{"shopstack:protectStateful": "true"})
	const lb = "aws:lb/loadBalancer:LoadBalancer"

	bad := analyzerResource(lb, "api", map[string]any{})
	got := validate(t, pack.resource["elb-drop-invalid-headers"], bad)
	require.Len(t, got, 1)
	assert.Equal(t, bad.URN, got[0].urn)
	assert.Contains(t, got[0].message, "dropInvalidHeaderFields")

	good := analyzerResource(lb, "api", map[string]any{"dropInvalidHeaderFields": true})
	assert.Empty(t, validate(t, pack.resource["elb-drop-invalid-headers"], good))
	assert.Empty(t, validate(t, pack.resource["elb-drop-invalid-headers"], analyzerResource("aws:s3/bucketV2:BucketV2", "b", nil)),
		"a rule ignores other types")
}

func TestPackValidatesAnalyzerStacks(t *testing.T) {
	t.Parallel()
	pack := packFor(t, "prod", map[string]string{"shopstack:protectStateful": "true"})
	vpc := analyzerResource("aws:ec2/vpc:Vpc", "net", map[string]any{"cidrBlock": "10.0.0.0/16"})
	got := validateStack(t, pack.stack["vpc-flow-logs"], []policyx.AnalyzerResource{vpc})
	require.Len(t, got, 1)
	assert.Equal(t, report{"no FlowLog refers to this VPC", vpc.URN}, got[0])

	flowLog := analyzerResource("aws:ec2/flowLog:FlowLog", "net", map[string]any{"vpcId": "vpc-123"})
	flowLog.PropertyDependencies = map[string][]string{"vpcId": {vpc.URN}}
	assert.Empty(t, validateStack(t, pack.stack["vpc-flow-logs"], []policyx.AnalyzerResource{vpc, flowLog}),
		"the join goes through the property dependencies the engine sends")
	flowLog.PropertyDependencies = nil
	assert.Len(t, validateStack(t, pack.stack["vpc-flow-logs"], []policyx.AnalyzerResource{vpc, flowLog}), 1,
		"an id string that happens to match is no join")
}

func TestStackAdvisoriesAreAdvisoryNeverMandatory(t *testing.T) {
	t.Parallel()
	pack := packFor(t, "prod", map[string]string{"shopstack:protectStateful": "true", policies.KeyBudgetUSD: "250"})
	stack := analyzerResource("pulumi:pulumi:Stack", "shopstack-prod", nil)
	assert.Empty(t, validateStack(t, pack.stack["cost-idle-budget"], []policyx.AnalyzerResource{stack}),
		"the CLI has no idle cost estimate: the budget never blocks here")
	adv := validateStack(t, pack.stack[stackAdvisoryPolicy], []policyx.AnalyzerResource{stack})
	assert.Contains(t, adv, report{"cost-idle-budget: cannot evaluate: no idle cost estimate was supplied", stack.URN})
}

func TestFromAnalyzer(t *testing.T) {
	t.Parallel()
	const stackURN = "urn:pulumi:prod::shopstack::pulumi:pulumi:Stack::shopstack-prod"
	const component = "urn:pulumi:prod::shopstack::shopstack:index:Data::data"
	r := analyzerResource("aws:rds/instance:Instance", "db", map[string]any{"engine": "postgres"})
	r.Options.Protect = true
	r.PropertyDependencies = map[string][]string{"dbSubnetGroupName": {"urn:sg"}}

	r.Parent, r.Provider.URN = stackURN, "urn:pulumi:prod::shopstack::pulumi:providers:aws::default_6_83_4"
	got := fromAnalyzer(r)
	assert.Empty(t, got.Parent, "a top-level resource has no parent in the neutral view")
	assert.Empty(t, got.Provider, "a default provider is the neutral view's default provider")
	assert.True(t, got.Protect)
	assert.Equal(t, r.PropertyDependencies, got.PropertyDeps)
	assert.Equal(t, "postgres", got.Inputs["engine"].StringValue())

	r.Parent, r.Provider.URN = component, "urn:pulumi:prod::shopstack::pulumi:providers:aws::useast1"
	got = fromAnalyzer(r)
	assert.Equal(t, component, got.Parent)
	assert.Equal(t, r.Provider.URN, got.Provider, "an explicit provider is kept, so its defaultTags are read")

	r.Parent, r.Provider.URN = "not a urn", "not a urn"
	assert.NotPanics(t, func() { got = fromAnalyzer(r) })
	assert.Equal(t, "not a urn", got.Parent)
}

func TestPackKeepsSecretsMarked(t *testing.T) {
	t.Parallel()
	pack := packFor(t, "prod", nil)
	const db = "aws:rds/cluster:Cluster"
	plain := analyzerResource(db, "db", map[string]any{"masterPassword": "hunter2hunter2"})
	assert.Len(t, validate(t, pack.resource["rds-no-plain-password"], plain), 1)
	secret := analyzerResource(db, "db", map[string]any{
		"masterPassword": resource.MakeSecret(resource.NewProperty("hunter2hunter2")),
	})
	assert.Empty(t, validate(t, pack.resource["rds-no-plain-password"], secret))
}

func TestUnknownValuesAreAdvisoryNeverMandatory(t *testing.T) {
	t.Parallel()
	pack := packFor(t, "prod", nil)
	dist := analyzerResource("aws:cloudfront/distribution:Distribution", "cdn", map[string]any{
		"defaultRootObject": resource.MakeComputed(resource.NewProperty("")),
	})
	assert.Empty(t, validate(t, pack.resource["cloudfront-default-root-object"], dist))
	adv := validate(t, pack.resource[advisoryPolicy], dist)
	require.NotEmpty(t, adv)
	found := false
	for _, r := range adv {
		found = found || r.message == "cloudfront-default-root-object: cannot evaluate: defaultRootObject is unknown until the update"
	}
	assert.True(t, found, "%+v", adv)
}

// engineView is a recorded resource as the engine sends it: Analyze gets its
// inputs, AnalyzeStack its outputs; top-level resources have the stack as
// parent and every custom resource has a provider, the default one unless the
// program named another.
func engineView(stack string, r pulumimock.Resource, props resource.PropertyMap) policyx.AnalyzerResource {
	ar := policyx.AnalyzerResource{
		Type: r.Type, Name: r.Name, URN: r.URN, Parent: r.Parent,
		Properties:           resource.FromResourcePropertyMap(props),
		Options:              pulumi.ResourceOptions{Protect: r.Protect},
		Dependencies:         r.Dependencies,
		PropertyDependencies: r.PropertyDeps,
	}
	stackURN := "urn:pulumi:" + stack + "::shopstack::pulumi:pulumi:Stack::shopstack-" + stack
	if ar.Parent == "" && r.URN != stackURN {
		ar.Parent = stackURN
	}
	// A provider reference is "<provider urn>::<provider id>".
	if i := strings.LastIndex(r.Provider, "::"); i > 0 {
		ar.Provider.URN = r.Provider[:i]
	} else if pkg, _, _ := strings.Cut(r.Type, ":"); r.Custom && pkg != "pulumi" {
		ar.Provider.URN = "urn:pulumi:" + stack + "::shopstack::pulumi:providers:" + pkg + "::default"
	}
	return ar
}

// TestPackAgreesWithTheStackTests feeds every resource of every stack, as the
// engine would send it, through the pack: no mandatory policy reports, and the
// pack finds exactly the findings that plan.RunPolicies finds over the inputs,
// per-resource rules through Analyze and stack rules through AnalyzeStack
// (over the outputs, which hold the inputs and what the provider computed).
func TestPackAgreesWithTheStackTests(t *testing.T) {
	const root = "../.."
	for _, stack := range []string{"dev", "prod"} {
		t.Run(stack, func(t *testing.T) {
			rec, err := plan.RecordStack(root, stack, plan.GoldenOptions)
			require.NoError(t, err)
			pack := packFor(t, stack, rec.Config.Values)
			want, err := plan.RunPolicies(stack, rec.Config.Values, rec.Recorder.Resources(), nil)
			require.NoError(t, err)
			expected := map[string]int{} // rule -> findings
			for _, f := range want.Findings {
				expected[f.Rule]++
			}

			got := map[string]int{}
			count := func(name string, reports []report, advisories bool) {
				if advisories {
					for _, rep := range reports {
						rule, _, _ := strings.Cut(rep.message, ": ")
						got[rule]++
					}
				} else if len(reports) > 0 {
					got[name] += len(reports)
				}
			}
			var all []policyx.AnalyzerResource
			for _, r := range rec.Recorder.Resources() {
				ar := engineView(stack, r, r.Inputs)
				all = append(all, engineView(stack, r, r.Outputs))
				for name, p := range pack.resource {
					reports := validate(t, p, ar)
					if p.EnforcementLevel() == policyx.EnforcementLevelMandatory {
						assert.Empty(t, reports, "%s on %s", name, r.URN)
					}
					count(name, reports, name == advisoryPolicy)
				}
			}
			for name, p := range pack.stack {
				reports := validateStack(t, p, all)
				if p.EnforcementLevel() == policyx.EnforcementLevelMandatory {
					assert.Empty(t, reports, "%s", name)
				}
				count(name, reports, name == stackAdvisoryPolicy)
			}
			assert.NotZero(t, expected["cost-idle-budget"], "a stack rule's finding to compare")
			assert.Equal(t, expected, got)
		})
	}
}
