package policies

import (
	"strings"

	"github.com/shopstack/shopstack/internal/pulumimock"
)

// FromMock adapts resources recorded by the recording mock.
func FromMock(recorded []pulumimock.Resource) []Resource {
	out := make([]Resource, 0, len(recorded))
	for _, r := range recorded {
		provider := r.Provider
		// A provider reference is "<provider urn>::<provider id>".
		if i := strings.LastIndex(provider, "::"); i > 0 {
			provider = provider[:i]
		}
		out = append(out, Resource{
			Type: r.Type, Name: r.Name, URN: r.URN, Parent: r.Parent, Provider: provider, Protect: r.Protect,
			Inputs: r.Inputs, PropertyDeps: r.PropertyDeps,
		})
	}
	return out
}

// Run evaluates every rule over a stack recorded by the mock, with the stack's
// effective configuration (namespaced keys, schema defaults applied) and its
// estimated idle monthly cost (nil when not estimated). It is what `make plan`
// and the plan-diff comment call.
func Run(stack string, config map[string]string, recorded []pulumimock.Resource, idleCostUSD *float64) (Report, error) {
	s, err := SettingsFromConfig(stack, config)
	if err != nil {
		return Report{}, err
	}
	s.IdleCostUSD = idleCostUSD
	return Evaluate(FromMock(recorded), s, All()), nil
}
