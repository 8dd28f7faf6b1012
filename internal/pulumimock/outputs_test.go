package pulumimock

import (
	"maps"
	"slices"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/stretchr/testify/assert"

	"github.com/shopstack/shopstack/internal/awstype"
)

// TestKindsAreKeyedByCanonicalTypes: outputsFor looks a type up by its canonical spelling, so an entry under
// another spelling would never be found.
func TestKindsAreKeyedByCanonicalTypes(t *testing.T) {
	t.Parallel()
	for typ := range kinds {
		assert.Equal(t, awstype.Canonical(typ), typ)
	}
	for typ := range remoteOutputs {
		assert.Equal(t, awstype.Canonical(typ), typ)
	}
}

func TestAliasSpellingsGetTheSameOutputs(t *testing.T) {
	t.Parallel()
	r := New()
	for _, set := range awstype.AliasSets {
		var want []resource.PropertyKey
		for i, typ := range set {
			res := Resource{Type: typ, Name: "x", URN: "urn:pulumi:test::shopstack::x::x", Custom: true,
				Inputs: resource.PropertyMap{}}
			_, out := r.outputsFor(res, "")
			got := slices.Sorted(maps.Keys(out))
			if i == 0 {
				want = got
				continue
			}
			assert.Equal(t, want, got, "%s answers like %s", typ, set[0])
		}
	}
}
