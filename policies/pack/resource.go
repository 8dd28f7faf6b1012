package main

import (
	"github.com/pulumi/pulumi/sdk/v3/go/common/providers"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/policyx"

	"github.com/shopstack/shopstack/policies"
)

// fromAnalyzer is the neutral view of an analyzer resource. The engine names
// the stack as the parent of top-level resources and a default provider for
// resources without an explicit one; the neutral view has "" for both, so the
// tags rule reads a default provider's tags from the stack's aws:defaultTags.
// Resource-level Dependencies have no place in the view: no rule reads them.
func fromAnalyzer(r policyx.AnalyzerResource) policies.Resource {
	parent := r.Parent
	if u := resource.URN(parent); u.IsValid() && u.QualifiedType() == resource.RootStackType {
		parent = ""
	}
	provider := r.Provider.URN
	if u := resource.URN(provider); u.IsValid() && providers.IsDefaultProvider(u) {
		provider = ""
	}
	return policies.Resource{
		Type: r.Type, Name: r.Name, URN: r.URN, Parent: parent, Provider: provider, Protect: r.Options.Protect,
		Inputs:       resource.ToResourcePropertyMap(r.Properties),
		PropertyDeps: r.PropertyDependencies,
	}
}
