package plan

import (
	"strings"

	"github.com/shopstack/shopstack/internal/pulumimock"
	"github.com/shopstack/shopstack/policies"
)

// PolicyResources adapts resources recorded by the recording mock. It lives here, not in package policies, so
// the policy pack binary links neither the mock nor package testing.
func PolicyResources(recorded []pulumimock.Resource) []policies.Resource {
	out := make([]policies.Resource, 0, len(recorded))
	for _, r := range recorded {
		provider := r.Provider
		// A provider reference is "<provider urn>::<provider id>".
		if i := strings.LastIndex(provider, "::"); i > 0 {
			provider = provider[:i]
		}
		out = append(out, policies.Resource{
			Type: r.Type, Name: r.Name, URN: r.URN, Parent: r.Parent, Provider: provider, Protect: r.Protect,
			Inputs: r.Inputs, PropertyDeps: r.PropertyDeps,
		})
	}
	return out
}

// RunPolicies evaluates every rule over a stack recorded by the mock, with the stack's
// effective configuration (namespaced keys, schema defaults applied) and its
// estimated idle monthly cost (nil when not estimated). It is what `make plan`
// and the plan-diff comment call.
func RunPolicies(stack string, config map[string]string, recorded []pulumimock.Resource, idleCostUSD *float64) (policies.Report, error) {
	s, err := policies.SettingsFromConfig(stack, config)
	if err != nil {
		return policies.Report{}, err
	}
	s.IdleCostUSD = idleCostUSD
	return policies.Evaluate(PolicyResources(recorded), s, policies.All()), nil
}
