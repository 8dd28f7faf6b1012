package components_test

import (
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shopstack/shopstack/components"
	"github.com/shopstack/shopstack/internal/pulumimock"
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
	params := rec.Must(t, dtClusterParams, "data-db-params")
	for _, p := range params.Plain("parameters").([]any) {
		assert.NotEqual(t, "idle_session_timeout", p.(map[string]any)["name"], "sessions stay open by default")
	}
}

// TestDataIdleSessionTimeout: the cluster ends idle sessions (in milliseconds), so idle pools let it pause.
func TestDataIdleSessionTimeout(t *testing.T) {
	t.Parallel()
	rec, _ := runData(t, dataArgs(func(a *components.DataArgs) {
		a.Cache.Mode = components.CacheNone
		a.Database = components.DatabaseArgs{Engine: components.DatabaseAuroraServerless, IdleSessionTimeoutSeconds: 60}
	}))
	params := rec.Must(t, dtClusterParams, "data-db-params")
	assert.Contains(t, params.Plain("parameters"), map[string]any{"name": "idle_session_timeout", "value": "60000", "applyMethod": "immediate"})
	_, err := pulumimock.RunErr(func(ctx *pulumi.Context) error {
		_, err := components.NewData(ctx, "data", dataArgs(func(a *components.DataArgs) {
			a.Database = components.DatabaseArgs{Engine: components.DatabaseAuroraServerless, IdleSessionTimeoutSeconds: 5}
		}))
		return err
	})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "DataArgs.Database.IdleSessionTimeoutSeconds: 5 is out of range [10, 86400]")
}
