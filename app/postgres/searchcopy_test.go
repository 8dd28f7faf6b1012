package postgres

import (
	"math"
	"sort"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestPageKeyNumbersKeepTheOrder: the numbers pageKey compares first order ints, floats (any
// cursor's, negative ones too; -0 as 0) and names as the values themselves.
func TestPageKeyNumbersKeepTheOrder(t *testing.T) {
	t.Parallel()
	ints := []int64{math.MinInt64, -5000, -1, 0, 1, 99, 4999, math.MaxInt64}
	for i := 1; i < len(ints); i++ {
		assert.Less(t, orderedInt(ints[i-1]), orderedInt(ints[i]), "%d < %d", ints[i-1], ints[i])
	}
	floats := []float64{math.Inf(-1), -1e300, -1, -1e-20, 0, 1e-20, 0.06079271, 0.1, 1, math.Inf(1)}
	for i := 1; i < len(floats); i++ {
		assert.Less(t, orderedFloat(floats[i-1]), orderedFloat(floats[i]), "%g < %g", floats[i-1], floats[i])
	}
	assert.Equal(t, orderedFloat(0), orderedFloat(math.Copysign(0, -1)), "-0 is 0")
	names := []string{"", "A", "Ab", "Abc Mug", "Abc Mug 2", "Abc Mugs", "Abc Muh", "B", "a", "ü"}
	assert.True(t, sort.StringsAreSorted(names))
	for i := 1; i < len(names); i++ {
		assert.LessOrEqual(t, namePrefix(names[i-1]), namePrefix(names[i]), "%q before %q", names[i-1], names[i])
		a, b := pageKey{k1: namePrefix(names[i-1]), name: names[i-1]}, pageKey{k1: namePrefix(names[i]), name: names[i]}
		assert.True(t, byNameThenID.before(&a, &b), "%q before %q", names[i-1], names[i])
		assert.False(t, byNameThenID.before(&b, &a), "%q not before %q", names[i], names[i-1])
	}
}
