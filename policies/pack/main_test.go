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

	"github.com/shopstack/shopstack/plan"
	"github.com/shopstack/shopstack/policies"
)

type report struct{ message, urn string }

type recorder struct{ reports []report }

func (r *recorder) ReportViolation(message, urn string) {
	r.reports = append(r.reports, report{message, urn})
}

func packFor(t *testing.T, stack string, config map[string]string) map[string]policyx.ResourceValidationPolicy {
	t.Helper()
	ctx, err := pulumi.NewContext(context.Background(), pulumi.RunInfo{
		Project: "shopstack", Stack: stack, Config: config, Parallel: 1,
	})
	require.NoError(t, err)
	pack, err := newPack(ctx)
	require.NoError(t, err)
	assert.Equal(t, "shopstack", pack.Name())
	out := map[string]policyx.ResourceValidationPolicy{}
	for _, p := range pack.Policies() {
		rv, ok := p.(policyx.ResourceValidationPolicy)
		require.True(t, ok, "%s is not a resource validation policy", p.Name())
		out[p.Name()] = rv
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

func TestPackHasEveryResourceRule(t *testing.T) {
	t.Parallel()
	pack := packFor(t, "prod", map[string]string{"shopstack:protectStateful": "true"})
	n := 0
	for _, r := range policies.All() {
		if r.CheckStack != nil {
			assert.NotContains(t, pack, r.ID, "stack rules cannot run through policyx v3.230.0")
			continue
		}
		n++
		require.Contains(t, pack, r.ID)
		assert.Equal(t, level(r.LevelIn(policies.Settings{ProductionGrade: true})), pack[r.ID].EnforcementLevel(), r.ID)
	}
	assert.Len(t, pack, n+1, "one policy per resource rule plus the advisories policy")
	assert.Equal(t, policyx.EnforcementLevelAdvisory, pack[advisoryPolicy].EnforcementLevel())
}

func TestProductionGradeComesFromStackConfig(t *testing.T) {
	t.Parallel()
	prod := packFor(t, "prod", map[string]string{"shopstack:protectStateful": "true"})
	dev := packFor(t, "dev", map[string]string{"shopstack:protectStateful": "false"})
	assert.Equal(t, policyx.EnforcementLevelMandatory, prod["rds-deletion-protection"].EnforcementLevel())
	assert.Equal(t, policyx.EnforcementLevelAdvisory, dev["rds-deletion-protection"].EnforcementLevel())
}

func TestPackValidatesAnalyzerResources(t *testing.T) {
	t.Parallel()
	pack := packFor(t, "prod", map[string]string{"shopstack:protectStateful": "true"})
	const lb = "aws:lb/loadBalancer:LoadBalancer"

	bad := analyzerResource(lb, "api", map[string]any{})
	got := validate(t, pack["elb-drop-invalid-headers"], bad)
	require.Len(t, got, 1)
	assert.Equal(t, bad.URN, got[0].urn)
	assert.Contains(t, got[0].message, "dropInvalidHeaderFields")

	good := analyzerResource(lb, "api", map[string]any{"dropInvalidHeaderFields": true})
	assert.Empty(t, validate(t, pack["elb-drop-invalid-headers"], good))
	assert.Empty(t, validate(t, pack["elb-drop-invalid-headers"], analyzerResource("aws:s3/bucketV2:BucketV2", "b", nil)),
		"a rule ignores other types")
}

func TestPackKeepsSecretsMarked(t *testing.T) {
	t.Parallel()
	pack := packFor(t, "prod", nil)
	const db = "aws:rds/cluster:Cluster"
	plain := analyzerResource(db, "db", map[string]any{"masterPassword": "hunter2hunter2"})
	assert.Len(t, validate(t, pack["rds-no-plain-password"], plain), 1)
	secret := analyzerResource(db, "db", map[string]any{
		"masterPassword": resource.MakeSecret(resource.NewProperty("hunter2hunter2")),
	})
	assert.Empty(t, validate(t, pack["rds-no-plain-password"], secret))
}

func TestUnknownValuesAreAdvisoryNeverMandatory(t *testing.T) {
	t.Parallel()
	pack := packFor(t, "prod", nil)
	dist := analyzerResource("aws:cloudfront/distribution:Distribution", "cdn", map[string]any{
		"defaultRootObject": resource.MakeComputed(resource.NewProperty("")),
	})
	assert.Empty(t, validate(t, pack["cloudfront-default-root-object"], dist))
	adv := validate(t, pack[advisoryPolicy], dist)
	require.NotEmpty(t, adv)
	found := false
	for _, r := range adv {
		found = found || r.message == "cloudfront-default-root-object: cannot evaluate: defaultRootObject is unknown until the update"
	}
	assert.True(t, found, "%+v", adv)
}

// TestPackAgreesWithTheStackTests feeds every resource of every stack, as the
// engine would send it, through the pack: no mandatory policy reports, and the
// pack finds exactly the per-resource findings that plan.RunPolicies finds.
func TestPackAgreesWithTheStackTests(t *testing.T) {
	const root = "../.."
	for _, stack := range []string{"dev", "prod"} {
		t.Run(stack, func(t *testing.T) {
			rec, err := plan.RecordStack(root, stack, plan.GoldenOptions)
			require.NoError(t, err)
			pack := packFor(t, stack, rec.Config.Values)
			want, err := plan.RunPolicies(stack, rec.Config.Values, rec.Recorder.Resources(), nil)
			require.NoError(t, err)
			expected := map[string]int{} // policy -> findings of per-resource rules
			for _, f := range want.Findings {
				for _, r := range policies.All() {
					if r.ID == f.Rule && r.CheckStack == nil {
						expected[f.Rule]++
					}
				}
			}

			got := map[string]int{}
			for _, r := range rec.Recorder.Resources() {
				ar := policyx.AnalyzerResource{
					Type: r.Type, Name: r.Name, URN: r.URN,
					Properties: resource.FromResourcePropertyMap(r.Inputs),
				}
				for name, p := range pack {
					reports := validate(t, p, ar)
					if p.EnforcementLevel() == policyx.EnforcementLevelMandatory {
						assert.Empty(t, reports, "%s on %s", name, r.URN)
					}
					if name == advisoryPolicy {
						for _, rep := range reports {
							rule, _, _ := strings.Cut(rep.message, ": ")
							got[rule]++
						}
						continue
					}
					if len(reports) > 0 {
						got[name] += len(reports)
					}
				}
			}
			assert.NotEmpty(t, expected, "each stack has per-resource advisories to compare")
			assert.Equal(t, expected, got)
		})
	}
}
