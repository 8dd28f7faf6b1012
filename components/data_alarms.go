package components

import (
	"cmp"
	"fmt"
	"math"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// DataAlarmArgs switches and tunes the Data component's alarms. Database and search thresholds hold for 3 of
// 5 minutes; a red search cluster or blocked writes page at once.
type DataAlarmArgs struct {
	// Disabled creates no alarms. Default false.
	Disabled bool
	// TopicArn is the SNS topic every alarm notifies, on ALARM and on OK. Without one no alarm is created.
	// Default none.
	TopicArn pulumi.StringInput

	// DatabaseCpuPercent is the database's average CPU. Default 80.
	DatabaseCpuPercent float64
	// DatabaseFreeStoragePercent is the free share of an rds instance's AllocatedStorageGb. Default 10.
	DatabaseFreeStoragePercent float64
	// AuroraVolumeGb is the Aurora cluster volume that pages (it grows on its own; this is the bill and
	// the runaway-table signal). Default 100.
	AuroraVolumeGb float64
	// DatabaseConnections is the open connection count. Default 80: about 70% of a db.t4g.micro's
	// max_connections; raise it with the instance class.
	DatabaseConnections float64
	// DatabaseFreeableMemoryMb is the freeable memory below which the database swaps. Default 64.
	DatabaseFreeableMemoryMb float64
	// ReplicaLagSeconds is the Aurora reader's lag behind the writer (MultiAz only). Default 30.
	ReplicaLagSeconds float64

	// CacheCpuPercent is the cache engine's CPU (replication group) or its ECPU rate as a share of
	// MaxEcpuPerSecond (serverless). Default 80.
	CacheCpuPercent float64
	// CacheMemoryPercent is the cache's memory use (replication group) or its data as a share of
	// MaxDataStorageGb (serverless). Default 80.
	CacheMemoryPercent float64
	// CacheEvictionsPerMinute counts keys evicted for lack of memory. Default 100.
	CacheEvictionsPerMinute float64

	// SearchFreeStoragePercent is the free share of a search node's volume. Default 25 (OpenSearch blocks
	// writes at 5%).
	SearchFreeStoragePercent float64
	// SearchJvmPressurePercent is the data nodes' JVM memory pressure. Default 85.
	SearchJvmPressurePercent float64
}

func (a *DataAlarmArgs) withDefaults() DataAlarmArgs {
	out := *a
	out.DatabaseCpuPercent = cmp.Or(out.DatabaseCpuPercent, 80)
	out.DatabaseFreeStoragePercent = cmp.Or(out.DatabaseFreeStoragePercent, 10)
	out.AuroraVolumeGb = cmp.Or(out.AuroraVolumeGb, 100)
	out.DatabaseConnections = cmp.Or(out.DatabaseConnections, 80)
	out.DatabaseFreeableMemoryMb = cmp.Or(out.DatabaseFreeableMemoryMb, 64)
	out.ReplicaLagSeconds = cmp.Or(out.ReplicaLagSeconds, 30)
	out.CacheCpuPercent = cmp.Or(out.CacheCpuPercent, 80)
	out.CacheMemoryPercent = cmp.Or(out.CacheMemoryPercent, 80)
	out.CacheEvictionsPerMinute = cmp.Or(out.CacheEvictionsPerMinute, 100)
	out.SearchFreeStoragePercent = cmp.Or(out.SearchFreeStoragePercent, 25)
	out.SearchJvmPressurePercent = cmp.Or(out.SearchJvmPressurePercent, 85)
	return out
}

func (a *DataArgs) validateAlarms(e *argErrors) {
	al := a.Alarms
	validateAlarmThresholds(e, "Alarms", map[string]float64{
		"DatabaseCpuPercent": al.DatabaseCpuPercent, "DatabaseFreeStoragePercent": al.DatabaseFreeStoragePercent,
		"AuroraVolumeGb": al.AuroraVolumeGb, "DatabaseConnections": al.DatabaseConnections,
		"DatabaseFreeableMemoryMb": al.DatabaseFreeableMemoryMb, "ReplicaLagSeconds": al.ReplicaLagSeconds,
		"CacheCpuPercent": al.CacheCpuPercent, "CacheMemoryPercent": al.CacheMemoryPercent,
		"CacheEvictionsPerMinute": al.CacheEvictionsPerMinute, "SearchFreeStoragePercent": al.SearchFreeStoragePercent,
		"SearchJvmPressurePercent": al.SearchJvmPressurePercent,
	})
}

// dataWatched are the identifiers the alarms' dimensions name, recorded by the concern that creates each
// service; a service that is not created leaves its field unset.
type dataWatched struct {
	// db is the rds instance's or the Aurora cluster's identifier.
	db pulumi.StringOutput
	// cache is the replication group's id or the serverless cache's name; "" without a cache.
	cache pulumi.StringOutput
	// search is the domain name; account is its ClientId dimension. "" without a domain.
	search, account pulumi.StringOutput
}

// alarms watches every service the component created, then builds its dashboard widgets.
func (d *Data) alarms(ctx *pulumi.Context, name string, a DataArgs) error {
	region, err := aws.GetRegion(ctx, nil, pulumi.Parent(d))
	if err != nil {
		return fmt.Errorf("region: %w", err)
	}
	d.DashboardWidgets = d.widgets(name, region.Name, a)
	al := a.Alarms
	if al.Disabled || al.TopicArn == nil {
		return nil
	}
	specs := d.databaseAlarms(name, a)
	switch a.Cache.Mode {
	case CacheReplicationGroup:
		specs = append(specs, d.replicationGroupAlarms(name, a)...)
	case CacheServerless:
		specs = append(specs, d.serverlessCacheAlarms(name, a)...)
	}
	if a.Search.Mode == SearchDomain {
		specs = append(specs, d.searchAlarms(name, a)...)
	}
	_, err = newAlarms(ctx, name, al.TopicArn, specs, pulumi.Parent(d))
	return err
}

const gib = 1 << 30

func (d *Data) databaseAlarms(name string, a DataArgs) []alarmSpec {
	al, db := a.Alarms, a.Database
	dimName := "DBInstanceIdentifier"
	if db.Engine == DatabaseAuroraServerless {
		dimName = "DBClusterIdentifier"
	}
	dims := pulumi.StringMap{dimName: d.watched.db}
	rds := func(suffix, metric, stat, cmpOp string, threshold float64, what string) alarmSpec {
		return alarmSpec{
			suffix: "db-" + suffix, description: name + " database: " + what,
			namespace: "AWS/RDS", metric: metric, statistic: stat, dimensions: dims,
			comparison: cmpOp, threshold: threshold,
		}
	}
	specs := []alarmSpec{
		rds("cpu", "CPUUtilization", "Average", "GreaterThanThreshold", al.DatabaseCpuPercent,
			fmt.Sprintf("CPU over %g%%. Look first at Performance Insights' top SQL.", al.DatabaseCpuPercent)),
		rds("connections", "DatabaseConnections", "Maximum", "GreaterThanThreshold", al.DatabaseConnections,
			fmt.Sprintf("over %g connections: the pool leaks or the service scaled out past what the database "+
				"takes. Look first at the running task count.", al.DatabaseConnections)),
		rds("freeable-memory", "FreeableMemory", "Minimum", "LessThanThreshold", al.DatabaseFreeableMemoryMb*(1<<20),
			fmt.Sprintf("freeable memory under %g MiB: it swaps and slows down. Look first at connections.", al.DatabaseFreeableMemoryMb)),
	}
	if db.Engine == DatabaseRds {
		free := float64(db.AllocatedStorageGb) * gib * al.DatabaseFreeStoragePercent / 100
		return append(specs, rds("free-storage", "FreeStorageSpace", "Minimum", "LessThanThreshold", free,
			fmt.Sprintf("under %g%% of its storage free; at 0 it stops accepting writes. Look first at the largest "+
				"tables, then raise AllocatedStorageGb or MaxAllocatedStorageGb.", al.DatabaseFreeStoragePercent)))
	}
	volume := rds("volume", "VolumeBytesUsed", "Maximum", "GreaterThanThreshold", al.AuroraVolumeGb*gib,
		fmt.Sprintf("the cluster volume is over %g GiB. Look first at the largest tables.", al.AuroraVolumeGb))
	// The volume is measured every few minutes and only grows: one 5-minute reading over is enough.
	volume.period, volume.window, volume.breaches = 300, 1, 1
	specs = append(specs, volume,
		rds("acu-ceiling", "ServerlessDatabaseCapacity", "Maximum", "GreaterThanOrEqualToThreshold", db.MaxCapacity,
			fmt.Sprintf("at its ceiling of %g ACUs: queries queue. Look first at the top SQL, then raise MaxCapacity.", db.MaxCapacity)))
	if db.MultiAz {
		specs = append(specs, rds("replica-lag", "AuroraReplicaLagMaximum", "Maximum", "GreaterThanThreshold",
			al.ReplicaLagSeconds*1000, fmt.Sprintf("the reader lags over %gs behind the writer: reads are stale. Look first at the writer's write load.", al.ReplicaLagSeconds)))
	}
	return specs
}

// replicationGroupAlarms take the worst of the group's nodes (<group id>-001, -002, ...), so a failover
// does not need a new alarm.
func (d *Data) replicationGroupAlarms(name string, a DataArgs) []alarmSpec {
	al := a.Alarms
	nodes := func(metric, stat, combine string) cloudwatch.MetricAlarmMetricQueryArray {
		var q cloudwatch.MetricAlarmMetricQueryArray
		ids := ""
		for i := 1; i <= a.Cache.Nodes; i++ {
			id := fmt.Sprintf("n%d", i)
			q = append(q, metricQuery(id, "AWS/ElastiCache", metric, stat,
				pulumi.StringMap{"CacheClusterId": pulumi.Sprintf("%s-%03d", d.watched.cache, i)}))
			ids += "," + id
		}
		return append(q, expressionQuery(fmt.Sprintf("%s([%s])", combine, ids[1:]), metric))
	}
	return []alarmSpec{
		{
			suffix: "cache-cpu", description: fmt.Sprintf("%s cache: engine CPU over %g%% on a node. Look first at "+
				"slow commands (SLOWLOG) and the hit rate.", name, al.CacheCpuPercent),
			queries:    nodes("EngineCPUUtilization", "Maximum", "MAX"),
			comparison: "GreaterThanThreshold", threshold: al.CacheCpuPercent,
		},
		{
			suffix: "cache-memory", description: fmt.Sprintf("%s cache: memory over %g%% on a node; evictions follow. "+
				"Look first at the largest keys, then raise the node type or shorten TTLs.", name, al.CacheMemoryPercent),
			queries:    nodes("DatabaseMemoryUsagePercentage", "Maximum", "MAX"),
			comparison: "GreaterThanThreshold", threshold: al.CacheMemoryPercent,
		},
		{
			suffix: "cache-evictions", description: fmt.Sprintf("%s cache: over %g keys a minute evicted for lack of "+
				"memory: the hit rate drops and the database takes the load. Look first at the cache memory alarm.", name, al.CacheEvictionsPerMinute),
			queries:    nodes("Evictions", "Sum", "SUM"),
			comparison: "GreaterThanThreshold", threshold: al.CacheEvictionsPerMinute,
		},
	}
}

func (d *Data) serverlessCacheAlarms(name string, a DataArgs) []alarmSpec {
	al, c := a.Alarms, a.Cache
	dims := pulumi.StringMap{"clusterId": d.watched.cache}
	return []alarmSpec{
		{
			suffix: "cache-cpu", description: fmt.Sprintf("%s cache: ECPUs over %g%% of the %d/s limit; beyond it "+
				"commands are throttled. Look first at the request rate, then raise MaxEcpuPerSecond.", name, al.CacheCpuPercent, c.MaxEcpuPerSecond),
			namespace: "AWS/ElastiCache", metric: "ElastiCacheProcessingUnits", statistic: "Sum", dimensions: dims,
			comparison: "GreaterThanThreshold", threshold: float64(c.MaxEcpuPerSecond) * alarmPeriodSeconds * al.CacheCpuPercent / 100,
		},
		{
			suffix: "cache-memory", description: fmt.Sprintf("%s cache: data over %g%% of the %d GB limit; evictions "+
				"follow. Look first at the largest keys, then raise MaxDataStorageGb.", name, al.CacheMemoryPercent, c.MaxDataStorageGb),
			namespace: "AWS/ElastiCache", metric: "BytesUsedForCache", statistic: "Maximum", dimensions: dims,
			comparison: "GreaterThanThreshold", threshold: float64(c.MaxDataStorageGb) * 1e9 * al.CacheMemoryPercent / 100,
		},
		{
			suffix: "cache-evictions", description: fmt.Sprintf("%s cache: over %g keys a minute evicted for lack of "+
				"memory. Look first at the cache memory alarm.", name, al.CacheEvictionsPerMinute),
			namespace: "AWS/ElastiCache", metric: "Evictions", statistic: "Sum", dimensions: dims,
			comparison: "GreaterThanThreshold", threshold: al.CacheEvictionsPerMinute,
		},
	}
}

func (d *Data) searchAlarms(name string, a DataArgs) []alarmSpec {
	al, s := a.Alarms, a.Search
	dims := pulumi.StringMap{"DomainName": d.watched.search, "ClientId": d.watched.account}
	es := func(suffix, metric, stat, cmpOp string, threshold float64, what string) alarmSpec {
		return alarmSpec{
			suffix: "search-" + suffix, description: name + " search: " + what,
			namespace: "AWS/ES", metric: metric, statistic: stat, dimensions: dims, comparison: cmpOp, threshold: threshold,
		}
	}
	red := es("red", "ClusterStatus.red", "Maximum", "GreaterThanOrEqualToThreshold", 1,
		"cluster red: a primary shard is unassigned and its index cannot be searched or written. Look first at "+
			"the domain's health tab; the shop falls back to PostgreSQL search.")
	red.window, red.breaches = 1, 1
	blocked := es("writes-blocked", "ClusterIndexWritesBlocked", "Maximum", "GreaterThanOrEqualToThreshold", 1,
		"index writes blocked: the catalogue index goes stale. Look first at the free storage and JVM pressure alarms.")
	blocked.window, blocked.breaches = 1, 1
	specs := []alarmSpec{
		red, blocked,
		es("free-storage", "FreeStorageSpace", "Minimum", "LessThanThreshold",
			math.Round(float64(s.VolumeGb)*1024*al.SearchFreeStoragePercent/100),
			fmt.Sprintf("a node has under %g%% of its volume free; at 5%% OpenSearch blocks writes. Look "+
				"first at the largest indices, then raise VolumeGb.", al.SearchFreeStoragePercent)),
		es("jvm-pressure", "JVMMemoryPressure", "Maximum", "GreaterThanThreshold", al.SearchJvmPressurePercent,
			fmt.Sprintf("JVM memory pressure over %g%%: garbage collection stalls searches. Look first at "+
				"expensive queries, then raise the instance type.", al.SearchJvmPressurePercent)),
	}
	// A single node cannot place replica shards, so its cluster is always yellow.
	if s.Instances >= 2 {
		specs = append(specs, es("yellow", "ClusterStatus.yellow", "Maximum", "GreaterThanOrEqualToThreshold", 1,
			"cluster yellow: replica shards unassigned, one node loss away from red. Look first at the domain's health tab."))
	}
	return specs
}

// widgets are the Data component's golden signals: database load, connections and latency, cache hits
// and memory, search health and latency.
func (d *Data) widgets(name, region string, a DataArgs) pulumi.StringOutput {
	empty := pulumi.String("").ToStringOutput()
	cache, search := cmp.Or(d.watched.cache, empty), cmp.Or(d.watched.search, empty)
	account := cmp.Or(d.watched.account, empty)
	return widgetsJSON([]any{d.watched.db, cache, search, account}, func(v []any) []DashboardWidget {
		db, cacheID, domain, client := v[0].(string), v[1].(string), v[2].(string), v[3].(string)
		dim := "DBInstanceIdentifier"
		if a.Database.Engine == DatabaseAuroraServerless {
			dim = "DBClusterIdentifier"
		}
		out := []DashboardWidget{
			widget(name+": database load", region, "Average",
				row("AWS/RDS", "CPUUtilization", dim, db),
				withStat(row("AWS/RDS", "DatabaseConnections", dim, db), "Maximum")),
			widget(name+": database latency", region, "Average",
				row("AWS/RDS", "ReadLatency", dim, db), row("AWS/RDS", "WriteLatency", dim, db)),
		}
		switch a.Cache.Mode {
		case CacheReplicationGroup:
			out = append(out, widget(name+": cache", region, "Sum",
				row("AWS/ElastiCache", "CacheHits", "CacheClusterId", cacheID+"-001"),
				row("AWS/ElastiCache", "CacheMisses", "CacheClusterId", cacheID+"-001"),
				row("AWS/ElastiCache", "Evictions", "CacheClusterId", cacheID+"-001")))
		case CacheServerless:
			out = append(out, widget(name+": cache", region, "Sum",
				row("AWS/ElastiCache", "CacheHits", "clusterId", cacheID),
				row("AWS/ElastiCache", "CacheMisses", "clusterId", cacheID),
				row("AWS/ElastiCache", "ElastiCacheProcessingUnits", "clusterId", cacheID)))
		}
		if a.Search.Mode == SearchDomain {
			out = append(out, widget(name+": search", region, "Maximum",
				row("AWS/ES", "SearchLatency", "DomainName", domain, "ClientId", client),
				row("AWS/ES", "JVMMemoryPressure", "DomainName", domain, "ClientId", client),
				row("AWS/ES", "ClusterStatus.red", "DomainName", domain, "ClientId", client)))
		}
		return out
	})
}
