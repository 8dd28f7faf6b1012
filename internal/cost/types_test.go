package cost

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/shopstack/shopstack/internal/awstype"
)

// TestTablesAreKeyedByCanonicalTypes: item looks types up by their canonical spelling, so an entry under
// another spelling would never be found, and a type in two tables would be priced by the first only.
func TestTablesAreKeyedByCanonicalTypes(t *testing.T) {
	t.Parallel()
	seen := map[string]string{}
	check := func(table, typ string) {
		assert.Equal(t, awstype.Canonical(typ), typ, "%s: key %s", table, typ)
		assert.NotContains(t, seen, typ, "%s is in %s and %s", typ, seen[typ], table)
		seen[typ] = table
	}
	for typ := range pricedTypes {
		check("pricedTypes", typ)
	}
	for typ := range usageTypes {
		check("usageTypes", typ)
	}
	for typ := range freeTypes {
		check("freeTypes", typ)
	}
}
