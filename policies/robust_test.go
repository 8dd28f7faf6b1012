package policies_test

import (
	"fmt"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shopstack/shopstack/policies"
)

// TestRulesSurviveMalformedInputs replaces each input of every fixture resource
// with a value of the wrong shape (or an unknown one) and runs the whole pack:
// a rule may report, but never panic.
func TestRulesSurviveMalformedInputs(t *testing.T) {
	t.Parallel()
	odd := map[string]resource.PropertyValue{
		"unknown": resource.MakeComputed(resource.NewProperty("")),
		"secret":  resource.MakeSecret(resource.NewProperty("x")),
		"number":  resource.NewProperty(7.0),
		"string":  resource.NewProperty("{not json"),
		"array":   resource.NewProperty([]resource.PropertyValue{resource.NewProperty(1.0)}),
		"object":  resource.NewProperty(resource.PropertyMap{"x": resource.NewProperty(true)}),
		"null":    resource.NewNullProperty(),
	}
	cases := 0
	for _, tc := range ruleCases() {
		for i, r := range tc.rs {
			for path, replace := range nodes(resource.NewProperty(r.Inputs), "") {
				for kind, v := range odd {
					rs := append([]policies.Resource(nil), tc.rs...)
					bad := r
					bad.Inputs = replace(v).ObjectValue()
					rs[i] = bad
					require.NotPanics(t, func() {
						rep := policies.Evaluate(rs, prod, policies.All())
						for _, f := range rep.Findings {
							if f.Outcome == policies.CannotEvaluate {
								assert.Equal(t, policies.Advisory, f.Level)
							}
						}
					}, "%s/%s: %s%s = %s", tc.rule, tc.name, r.Name, path, kind)
					cases++
				}
			}
		}
	}
	assert.Greater(t, cases, 5000)
}

// nodes maps the path of every value nested in v (objects and arrays, below the
// root) to a function that returns a deep copy of v with that value replaced.
func nodes(v resource.PropertyValue, path string) map[string]func(resource.PropertyValue) resource.PropertyValue {
	out := map[string]func(resource.PropertyValue) resource.PropertyValue{}
	switch {
	case v.IsObject():
		obj := v.ObjectValue()
		for k, child := range obj {
			p := path + "." + string(k)
			rebuild := func(nv resource.PropertyValue) resource.PropertyValue {
				cp := obj.Copy()
				cp[k] = nv
				return resource.NewProperty(cp)
			}
			out[p] = rebuild
			for sub, replace := range nodes(child, p) {
				out[sub] = func(nv resource.PropertyValue) resource.PropertyValue { return rebuild(replace(nv)) }
			}
		}
	case v.IsArray():
		arr := v.ArrayValue()
		for i, child := range arr {
			p := fmt.Sprintf("%s[%d]", path, i)
			rebuild := func(nv resource.PropertyValue) resource.PropertyValue {
				cp := append([]resource.PropertyValue(nil), arr...)
				cp[i] = nv
				return resource.NewProperty(cp)
			}
			out[p] = rebuild
			for sub, replace := range nodes(child, p) {
				out[sub] = func(nv resource.PropertyValue) resource.PropertyValue { return rebuild(replace(nv)) }
			}
		}
	}
	return out
}
