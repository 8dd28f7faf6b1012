package pulumimock

import (
	"maps"
	"slices"
	"strings"
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

// TestMadeUpIdsSayMock holds the placeholder rule of the package comment for every type the mock knows: an
// id that is more than the resource's name, and the ARN of a resource without a name, carry the marker.
func TestMadeUpIdsSayMock(t *testing.T) {
	t.Parallel()
	derived := map[string]string{
		awstype.Route53Record:               "<zone>_<name>_<type>, from its inputs",
		awstype.AcmCertificateValidation:    "its certificateArn input",
		awstype.SecretsmanagerSecretVersion: "<secretId input>|<version>",
		awstype.RandomPassword:              `"none", as the random provider answers`,
		awstype.RandomString:                `"none", as the random provider answers`,
		awstype.RandomId:                    "random's own b64Url result",
	}
	r := New()
	types := append(slices.Collect(maps.Keys(kinds)), awstype.S3BucketPolicy) // and one the mock does not list
	for _, typ := range types {
		k := kinds[typ]
		if _, ok := derived[typ]; ok {
			continue
		}
		res := Resource{Type: typ, Name: "x", URN: "urn:pulumi:test::shopstack::" + typ + "::x", Custom: true,
			Inputs: resource.PropertyMap{}}
		id, out := r.outputsFor(res, "")
		if name := out[resource.PropertyKey(k.name)]; k.name != "" && strings.HasSuffix(id, name.StringValue()) {
			continue // the id is the name, or an ARN that ends with it: nothing made up
		}
		assert.Contains(t, strings.ToLower(id), "mock", "%s: id %s", typ, id)
		if arn := out["arn"]; k.name == "" && arn.IsString() {
			assert.Contains(t, strings.ToLower(arn.StringValue()), "mock", "%s: arn", typ)
		}
	}
}
