package components_test

import (
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shopstack/shopstack/components"
	"github.com/shopstack/shopstack/internal/pulumimock"
)

func TestDataValidation(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		mod  func(a *components.DataArgs)
		want []string
	}{
		// The network.
		{"missing network", func(a *components.DataArgs) { a.VpcId, a.SubnetIds = nil, nil },
			[]string{"DataArgs.VpcId: required", "DataArgs.SubnetIds: required"}},
		{"one subnet", func(a *components.DataArgs) { a.SubnetCount = 1 }, []string{"DataArgs.SubnetCount: 1"}},
		// The database.
		{"engine", func(a *components.DataArgs) { a.Database.Engine = "mysql" },
			[]string{`DataArgs.Database.Engine: "mysql" is not one of "rds", "auroraServerless"`}},
		{"backups", func(a *components.DataArgs) { a.Database.BackupRetentionDays = pulumi.IntRef(40) },
			[]string{"DataArgs.Database.BackupRetentionDays: 40 is out of range; want 1-35, or 0 to turn automated backups off (rds only)"}},
		{"negative backups", func(a *components.DataArgs) { a.Database.BackupRetentionDays = pulumi.IntRef(-1) },
			[]string{"DataArgs.Database.BackupRetentionDays: -1 is out of range"}},
		{"Aurora without backups", func(a *components.DataArgs) {
			a.Database.Engine = components.DatabaseAuroraServerless
			a.Database.BackupRetentionDays = pulumi.IntRef(0)
		}, []string{"DataArgs.Database.BackupRetentionDays: 0 is not allowed for auroraServerless; want 1-35"}},
		{"capacity", func(a *components.DataArgs) {
			a.Database.Engine = components.DatabaseAuroraServerless
			a.Database.MinCapacity, a.Database.MaxCapacity = 8, 4
		}, []string{"DataArgs.Database.MinCapacity/MaxCapacity: 8-4 ACU"}},
		{"capacity step", func(a *components.DataArgs) {
			a.Database = components.DatabaseArgs{Engine: components.DatabaseAuroraServerless, MinCapacity: 0.25, MaxCapacity: 2.2}
		}, []string{"DataArgs.Database.MinCapacity/MaxCapacity: 0.25-2.2 ACU; want multiples of 0.5"}},
		{"negative Performance Insights retention", func(a *components.DataArgs) { a.Database.PerformanceInsightsRetentionDays = -31 },
			[]string{"DataArgs.Database.PerformanceInsightsRetentionDays: -31; want 7 or a multiple of 31 up to 731"}},
		{"monitoring interval", func(a *components.DataArgs) { a.Database.MonitoringIntervalSeconds = 45 },
			[]string{"DataArgs.Database.MonitoringIntervalSeconds: 45; want 0 (off) or one of [1 5 10 15 30 60]"}},
		{"database log retention", func(a *components.DataArgs) { a.Database.LogRetentionDays = 10 },
			[]string{"DataArgs.Database.LogRetentionDays: 10 is not a CloudWatch Logs retention"}},
		{"database name", func(a *components.DataArgs) { a.Database.Name = "shop-db" },
			[]string{`DataArgs.Database.Name: "shop-db"`}},
		{"reserved user", func(a *components.DataArgs) { a.Database.Username = "postgres" },
			[]string{`DataArgs.Database.Username: "postgres"`}},
		{"instance class", func(a *components.DataArgs) { a.Database.InstanceClass = "t4g.micro" },
			[]string{`DataArgs.Database.InstanceClass: "t4g.micro" does not start with "db."`}},
		{"storage below the gp3 minimum", func(a *components.DataArgs) { a.Database.AllocatedStorageGb = 10 },
			[]string{"DataArgs.Database.AllocatedStorageGb: 10 is out of range [20, 65536] (gp3)"}},
		{"storage autoscaling ceiling below the size", func(a *components.DataArgs) {
			a.Database.AllocatedStorageGb, a.Database.MaxAllocatedStorageGb = 100, 50
		}, []string{"DataArgs.Database.MaxAllocatedStorageGb: 50 must be 0 (no autoscaling) or above AllocatedStorageGb 100"}},
		{"auto-pause too soon", func(a *components.DataArgs) {
			a.Database = components.DatabaseArgs{Engine: components.DatabaseAuroraServerless, SecondsUntilAutoPause: 60}
		}, []string{"DataArgs.Database.SecondsUntilAutoPause: 60 is out of range [300, 86400]"}},
		// The cache.
		{"cache mode", func(a *components.DataArgs) { a.Cache.Mode = "memcached" },
			[]string{`DataArgs.Cache.Mode: "memcached" is not one of "none", "serverless", "replicationGroup"`}},
		{"multi-AZ cache with one node", func(a *components.DataArgs) {
			a.Cache = components.CacheArgs{Mode: components.CacheReplicationGroup, Nodes: 1, MultiAz: true}
		}, []string{"DataArgs.Cache.MultiAz: a Multi-AZ cache needs at least 2 nodes, Cache.Nodes is 1"}},
		{"too many nodes", func(a *components.DataArgs) {
			a.Cache = components.CacheArgs{Mode: components.CacheReplicationGroup, Nodes: 7}
		}, []string{"DataArgs.Cache.Nodes: 7 is out of range [1, 6]"}},
		{"cache snapshots", func(a *components.DataArgs) { a.Cache.SnapshotRetentionDays = pulumi.IntRef(36) },
			[]string{"DataArgs.Cache.SnapshotRetentionDays: 36 is out of range [0, 35]"}},
		{"cache node type", func(a *components.DataArgs) {
			a.Cache = components.CacheArgs{Mode: components.CacheReplicationGroup, NodeType: "t4g.micro"}
		}, []string{`DataArgs.Cache.NodeType: "t4g.micro" does not start with "cache."`}},
		{"serverless cache storage", func(a *components.DataArgs) {
			a.Cache = components.CacheArgs{Mode: components.CacheServerless, MaxDataStorageGb: 6000}
		}, []string{"DataArgs.Cache.MaxDataStorageGb: 6000 is out of range [1, 5000]"}},
		{"serverless cache ECPU", func(a *components.DataArgs) {
			a.Cache = components.CacheArgs{Mode: components.CacheServerless, MaxEcpuPerSecond: 500}
		}, []string{"DataArgs.Cache.MaxEcpuPerSecond: 500 is out of range [1000, 15000000]"}},
		// The search domain.
		{"odd search nodes on two zones", func(a *components.DataArgs) {
			a.Search = components.SearchArgs{Mode: components.SearchDomain, Instances: 3, ZoneAwareness: true}
		}, []string{"DataArgs.Search.Instances: 3 nodes cannot spread evenly over 2 zones (SubnetCount 2); want an even number"}},
		{"zone-aware search with one node", func(a *components.DataArgs) {
			a.Search = components.SearchArgs{Mode: components.SearchDomain, Instances: 1, ZoneAwareness: true}
		}, []string{"DataArgs.Search.ZoneAwareness: zone awareness needs at least 2 nodes, Search.Instances is 1"}},
		{"search type", func(a *components.DataArgs) {
			a.Search = components.SearchArgs{Mode: components.SearchDomain, InstanceType: "t3.small"}
		}, []string{`DataArgs.Search.InstanceType: "t3.small" does not end with ".search"`}},
		{"search mode", func(a *components.DataArgs) { a.Search.Mode = "elastic" },
			[]string{`DataArgs.Search.Mode: "elastic" is not one of "none", "domain"`}},
		{"search volume", func(a *components.DataArgs) {
			a.Search = components.SearchArgs{Mode: components.SearchDomain, VolumeGb: 5}
		}, []string{"DataArgs.Search.VolumeGb: 5 is below 10 (the gp3 minimum)"}},
		{"search log retention", func(a *components.DataArgs) {
			a.Search = components.SearchArgs{Mode: components.SearchDomain, LogRetentionDays: 10}
		}, []string{"DataArgs.Search.LogRetentionDays: 10 is not a CloudWatch Logs retention"}},
		// The media bucket.
		{"invoices prefix", func(a *components.DataArgs) { a.Media.InvoicesPrefix = "invoices" },
			[]string{`DataArgs.Media.InvoicesPrefix: "invoices"`}},
		{"media versions expire before Glacier", func(a *components.DataArgs) { a.Media.NoncurrentExpirationDays = 20 },
			[]string{"DataArgs.Media.NoncurrentExpirationDays: 20; want more than 30"}},
		// Invoices are never public and uploads expire: the prefixes are folders that do not overlap.
		{"public media inside invoices", func(a *components.DataArgs) { a.Media.PublicPrefix = "invoices/public/" },
			[]string{`DataArgs.Media: InvoicesPrefix "invoices/", UploadsPrefix "uploads/", PublicPrefix "invoices/public/" and WorkPrefix "work/" overlap`}},
		{"work marker inside uploads", func(a *components.DataArgs) { a.Media.WorkPrefix = "uploads/work/" },
			[]string{"DataArgs.Media: ", `WorkPrefix "uploads/work/" overlap`}},
		{"work prefix", func(a *components.DataArgs) { a.Media.WorkPrefix = "/work" },
			[]string{`DataArgs.Media.WorkPrefix: "/work"; want a folder prefix`}},
		{"uploads are products", func(a *components.DataArgs) { a.Media.UploadsPrefix = "products/" },
			[]string{"DataArgs.Media: ", "overlap"}},
		{"uploads prefix", func(a *components.DataArgs) { a.Media.UploadsPrefix = "uploads" },
			[]string{`DataArgs.Media.UploadsPrefix: "uploads"; want a folder prefix`}},
		{"public prefix", func(a *components.DataArgs) { a.Media.PublicPrefix = "/products/" },
			[]string{`DataArgs.Media.PublicPrefix: "/products/"; want a folder prefix`}},
		{"upload expiration", func(a *components.DataArgs) { a.Media.UploadExpirationDays = -1 },
			[]string{"DataArgs.Media.UploadExpirationDays: -1; want at least 1"}},
		// ProductionGrade.
		{"production backups", func(a *components.DataArgs) {
			a.ProductionGrade = true
			a.Database.MultiAz = true
			a.Database.BackupRetentionDays = pulumi.IntRef(3)
		}, []string{"DataArgs.Database.BackupRetentionDays: 3 is below 7 days (ProductionGrade)"}},
		{"production without backups", func(a *components.DataArgs) {
			a.ProductionGrade = true
			a.Database.MultiAz = true
			a.Database.BackupRetentionDays = pulumi.IntRef(0)
		}, []string{"DataArgs.Database.BackupRetentionDays: 0 is below 7 days (ProductionGrade)"}},
		{"production single zone, deletable", func(a *components.DataArgs) {
			a.ProductionGrade, a.AllowDeletion, a.SkipFinalSnapshot = true, true, true
		}, []string{"DataArgs.Database.MultiAz: must be true (ProductionGrade)", "DataArgs.AllowDeletion: must be false",
			"DataArgs.SkipFinalSnapshot: must be false"}},
		{"production cache without snapshots", func(a *components.DataArgs) {
			a.ProductionGrade, a.Database.MultiAz = true, true
			a.Cache.SnapshotRetentionDays = pulumi.IntRef(0)
		}, []string{"DataArgs.Cache.SnapshotRetentionDays: 0 is below 1 day (ProductionGrade)"}},
		{"production Aurora that pauses", func(a *components.DataArgs) {
			a.ProductionGrade = true
			a.Database = components.DatabaseArgs{Engine: components.DatabaseAuroraServerless, MultiAz: true}
		}, []string{"DataArgs.Database.MinCapacity: 0 pauses the cluster when idle; want at least 0.5 ACU, or set Database.PauseInProduction (ProductionGrade)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec, err := pulumimock.RunErr(func(ctx *pulumi.Context) error {
				_, err := components.NewData(ctx, "data", dataArgs(tt.mod))
				return err
			})
			require.Error(t, err)
			assert.Contains(t, err.Error(), `data "data": `)
			for _, w := range tt.want {
				assert.Contains(t, err.Error(), w)
			}
			assert.Empty(t, rec.Resources(), "nothing is registered when an argument is bad")
		})
	}
}
