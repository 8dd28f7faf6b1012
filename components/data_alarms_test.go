package components_test

import (
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shopstack/shopstack/components"
	"github.com/shopstack/shopstack/internal/pulumimock"
)

func alarmedData(mod func(a *components.DataArgs)) *components.DataArgs {
	return dataArgs(func(a *components.DataArgs) {
		a.Alarms.TopicArn = pulumi.String(testTopic)
		if mod != nil {
			mod(a)
		}
	})
}

func TestDataAlarms(t *testing.T) {
	t.Parallel()
	t.Run("rds and serverless cache: these alarms, each notifying the topic on ALARM and OK", func(t *testing.T) {
		t.Parallel()
		rec, data := runData(t, alarmedData(nil))
		assert.Equal(t, []string{"cache-cpu", "cache-evictions", "cache-memory", "db-connections", "db-cpu",
			"db-free-storage", "db-freeable-memory"}, alarmsOf(rec, "data"))
		assertNotifies(t, rec, pulumimock.Await[string](t, data.URN()))
		db := rec.Must(t, rtAlarm, "data-alarm-db-cpu")
		assert.True(t, db.DependsOn("dimensions", rec.Must(t, "aws:rds/instance:Instance", "data-db").URN),
			"the alarm names the instance through its output, so the policy pack can join them")
		storage := rec.Must(t, rtAlarm, "data-alarm-db-free-storage")
		assert.Equal(t, 0.1*20*(1<<30), storage.Num("threshold"), "10% of the allocated 20 GiB")
		assert.Equal(t, "LessThanThreshold", storage.Str("comparisonOperator"))
		cache := rec.Must(t, rtAlarm, "data-alarm-cache-memory")
		assert.Equal(t, 0.8*1e9, cache.Num("threshold"), "80% of the 1 GB usage limit")
		assert.Equal(t, rec.Must(t, "aws:elasticache/serverlessCache:ServerlessCache", "data-cache").Out("name").StringValue(),
			cache.Str("dimensions.clusterId"))
	})

	t.Run("Aurora with a reader: volume, ACU ceiling and replica lag instead of free storage", func(t *testing.T) {
		t.Parallel()
		rec, _ := runData(t, alarmedData(func(a *components.DataArgs) {
			a.Database = components.DatabaseArgs{Engine: components.DatabaseAuroraServerless, MaxCapacity: 8, MultiAz: true}
			a.Cache.Mode = components.CacheNone
		}))
		assert.Equal(t, []string{"db-acu-ceiling", "db-connections", "db-cpu", "db-freeable-memory", "db-replica-lag",
			"db-volume"}, alarmsOf(rec, "data"))
		acu := rec.Must(t, rtAlarm, "data-alarm-db-acu-ceiling")
		assert.Equal(t, 8.0, acu.Num("threshold"))
		assert.Equal(t, "GreaterThanOrEqualToThreshold", acu.Str("comparisonOperator"))
		cluster := rec.Must(t, "aws:rds/cluster:Cluster", "data-db")
		assert.Equal(t, cluster.Out("clusterIdentifier").StringValue(), acu.Str("dimensions.DBClusterIdentifier"))
		assert.Equal(t, 30000.0, rec.Must(t, rtAlarm, "data-alarm-db-replica-lag").Num("threshold"), "milliseconds")
	})

	t.Run("replication group: the worst node; search: health, storage, JVM, blocked writes", func(t *testing.T) {
		t.Parallel()
		rec, _ := runData(t, alarmedData(func(a *components.DataArgs) {
			a.Cache = components.CacheArgs{Mode: components.CacheReplicationGroup, Nodes: 2}
			a.Search = components.SearchArgs{Mode: components.SearchDomain, Instances: 2, ZoneAwareness: true, VolumeGb: 20}
		}))
		cpu := rec.Must(t, rtAlarm, "data-alarm-cache-cpu")
		group := rec.Must(t, "aws:elasticache/replicationGroup:ReplicationGroup", "data-cache").Out("id").StringValue()
		assert.Equal(t, group+"-001", cpu.Str("metricQueries[0].metric.dimensions.CacheClusterId"))
		assert.Equal(t, group+"-002", cpu.Str("metricQueries[1].metric.dimensions.CacheClusterId"))
		assert.Equal(t, "MAX([n1,n2])", cpu.Str("metricQueries[2].expression"))
		assert.Equal(t, "SUM([n1,n2])", rec.Must(t, rtAlarm, "data-alarm-cache-evictions").Str("metricQueries[2].expression"))
		for _, n := range []string{"search-red", "search-yellow", "search-free-storage", "search-jvm-pressure", "search-writes-blocked"} {
			a := rec.Must(t, rtAlarm, "data-alarm-"+n)
			assert.Equal(t, "AWS/ES", a.Str("namespace"), n)
			assert.Equal(t, rec.AccountID(), a.Str("dimensions.ClientId"), n)
		}
		red := rec.Must(t, rtAlarm, "data-alarm-search-red")
		assert.Equal(t, 1.0, red.Num("evaluationPeriods"), "red pages at once")
		assert.Equal(t, 0.25*20*1024, rec.Must(t, rtAlarm, "data-alarm-search-free-storage").Num("threshold"), "MB")
	})

	t.Run("a single search node is always yellow, so it gets no yellow alarm", func(t *testing.T) {
		t.Parallel()
		rec, _ := runData(t, alarmedData(func(a *components.DataArgs) { a.Search.Mode = components.SearchDomain }))
		assert.NotContains(t, alarmsOf(rec, "data"), "search-yellow")
		assert.Contains(t, alarmsOf(rec, "data"), "search-red")
	})

	t.Run("without a topic or Disabled: no alarms, still the dashboard widgets", func(t *testing.T) {
		t.Parallel()
		off := alarmedData(func(a *components.DataArgs) { a.Alarms.Disabled = true })
		for _, args := range []*components.DataArgs{dataArgs(nil), off} {
			rec, data := runData(t, args)
			assert.Empty(t, rec.ByType(rtAlarm))
			assert.Equal(t, []string{"data: database load", "data: database latency", "data: cache"},
				widgetTitles(t, data.DashboardWidgets))
		}
	})

	t.Run("thresholds are validated", func(t *testing.T) {
		t.Parallel()
		_, err := pulumimock.RunErr(func(ctx *pulumi.Context) error {
			_, err := components.NewData(ctx, "data", dataArgs(func(a *components.DataArgs) { a.Alarms.CacheCpuPercent = -5 }))
			return err
		})
		require.Error(t, err)
		assert.Contains(t, err.Error(), "DataArgs.Alarms.CacheCpuPercent: -5; a threshold must be positive")
	})
}
