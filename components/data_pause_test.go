package components_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/shopstack/shopstack/components"
)

// TestDataPauseInProduction: a production-grade Aurora cluster pauses at 0 ACU only when asked to, and then
// keeps every other production setting.
func TestDataPauseInProduction(t *testing.T) {
	t.Parallel()
	rec, _ := runData(t, dataArgs(func(a *components.DataArgs) {
		a.ProductionGrade = true
		a.Cache.Mode = components.CacheNone
		a.Database = components.DatabaseArgs{Engine: components.DatabaseAuroraServerless, MultiAz: true, PauseInProduction: true}
	}))
	cluster := rec.Must(t, dtCluster, "data-db")
	assert.Equal(t, 0.0, cluster.Num("serverlessv2ScalingConfiguration.minCapacity"))
	assert.Equal(t, 300.0, cluster.Num("serverlessv2ScalingConfiguration.secondsUntilAutoPause"))
	assert.True(t, cluster.Bool("deletionProtection"))
	assert.Equal(t, []string{"data-db-reader", "data-db-writer"}, dtNames(rec, dtClusterInst), "the reader stays")
}
