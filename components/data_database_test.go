package components_test

import (
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shopstack/shopstack/components"
	"github.com/shopstack/shopstack/internal/pulumimock"
)

func TestDataDatabaseRds(t *testing.T) {
	t.Parallel()
	t.Run("defaults: PostgreSQL 16 on gp3, private, encrypted, TLS only, backed up", func(t *testing.T) {
		t.Parallel()
		rec, _ := runData(t, dataArgs(nil))

		// The database: PostgreSQL 16 on gp3, private, encrypted, TLS only, backed up.
		db := rec.Must(t, dtDBInstance, "data-db")
		sg := rec.Must(t, dtSecGroup, "data-db-sg")
		assert.Equal(t, "postgres", db.Str("engine"))
		assert.Equal(t, "16", db.Str("engineVersion"))
		assert.Equal(t, "db.t4g.micro", db.Str("instanceClass"))
		assert.Equal(t, "gp3", db.Str("storageType"))
		assert.Equal(t, 20.0, db.Num("allocatedStorage"))
		assert.True(t, db.Bool("storageEncrypted"))
		assert.True(t, db.Has("publiclyAccessible"))
		assert.False(t, db.Bool("publiclyAccessible"))
		assert.True(t, db.Bool("manageMasterUserPassword"), "RDS keeps the master password in Secrets Manager")
		assert.False(t, db.Has("password"), "no password passes through the program")
		assert.True(t, db.Bool("iamDatabaseAuthenticationEnabled"))
		assert.Equal(t, 7.0, db.Num("backupRetentionPeriod"))
		assert.True(t, db.Bool("deletionProtection"))
		assert.False(t, db.Bool("skipFinalSnapshot"))
		assert.Equal(t, "shopstack-test-data-db-final", db.Str("finalSnapshotIdentifier"))
		assert.False(t, db.Bool("multiAz"))
		assert.Equal(t, []any{"postgresql", "upgrade"}, db.Plain("enabledCloudwatchLogsExports"))
		assert.True(t, db.Bool("performanceInsightsEnabled"))
		assert.Equal(t, 7.0, db.Num("performanceInsightsRetentionPeriod"))
		assert.True(t, db.Bool("autoMinorVersionUpgrade"))
		assert.True(t, db.Bool("copyTagsToSnapshot"))
		assert.True(t, db.Has("deleteAutomatedBackups"))
		assert.False(t, db.Bool("deleteAutomatedBackups"), "backups outlive the instance")
		assert.Equal(t, float64(components.PostgresPort), db.Num("port"))
		assert.Equal(t, "shop", db.Str("dbName"))
		assert.Equal(t, "shop_admin", db.Str("username"))
		assert.Equal(t, []any{sg.ID}, db.Plain("vpcSecurityGroupIds"))
		assert.Equal(t, rec.Must(t, dtDBSubnets, "data-db-subnets").Out("name").StringValue(), db.Str("dbSubnetGroupName"))
		assert.Equal(t, []any{"subnet-aaa", "subnet-bbb"}, rec.Must(t, dtDBSubnets, "data-db-subnets").Plain("subnetIds"))

		params := rec.Must(t, dtDBParams, "data-db-params")
		assert.Equal(t, "postgres16", params.Str("family"))
		assert.Equal(t, params.Out("name").StringValue(), db.Str("parameterGroupName"))
		assert.Contains(t, params.Plain("parameters"), map[string]any{"name": "rds.force_ssl", "value": "1", "applyMethod": "immediate"})
	})

	t.Run("options", func(t *testing.T) {
		t.Parallel()
		rec, _ := runData(t, dataArgs(func(a *components.DataArgs) {
			a.AllowDeletion, a.SkipFinalSnapshot = true, true
			a.KmsKeyArn = pulumi.String("arn:aws:kms:us-east-1:123456789012:key/k")
			a.Database = components.DatabaseArgs{InstanceClass: "db.m7g.large", AllocatedStorageGb: 100, MaxAllocatedStorageGb: 500,
				MultiAz: true, BackupRetentionDays: pulumi.IntRef(30), PerformanceInsightsRetentionDays: 31}
			a.Cache.Mode = components.CacheNone
		}))
		db := rec.Must(t, dtDBInstance, "data-db")
		assert.Equal(t, "db.m7g.large", db.Str("instanceClass"))
		assert.Equal(t, 100.0, db.Num("allocatedStorage"))
		assert.Equal(t, 500.0, db.Num("maxAllocatedStorage"))
		assert.True(t, db.Bool("multiAz"))
		assert.Equal(t, 30.0, db.Num("backupRetentionPeriod"))
		assert.Equal(t, 31.0, db.Num("performanceInsightsRetentionPeriod"))
		assert.False(t, db.Bool("deletionProtection"))
		assert.True(t, db.Bool("skipFinalSnapshot"))
		assert.False(t, db.Has("finalSnapshotIdentifier"))
		assert.Equal(t, "arn:aws:kms:us-east-1:123456789012:key/k", db.Str("kmsKeyId"))
	})

	t.Run("backup retention tells an explicit zero from the default", func(t *testing.T) {
		t.Parallel()
		tests := []struct {
			name    string
			backups *int
			want    float64
		}{
			{"unset means the default", nil, components.DefaultBackupRetentionDays},
			{"explicit 0 turns automated backups off", pulumi.IntRef(0), 0},
			{"explicit value", pulumi.IntRef(35), 35},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				t.Parallel()
				rec, _ := runData(t, dataArgs(func(a *components.DataArgs) { a.Database.BackupRetentionDays = tt.backups }))
				db := rec.Must(t, dtDBInstance, "data-db")
				require.True(t, db.Has("backupRetentionPeriod"), "always set: the AWS API default is 1 day")
				assert.Equal(t, tt.want, db.Num("backupRetentionPeriod"))
			})
		}
	})

	t.Run("the engine's minor version is AWS's to upgrade", func(t *testing.T) {
		t.Parallel()
		rec, _ := runData(t, dataArgs(nil))
		db := rec.Must(t, dtDBInstance, "data-db")
		require.True(t, db.Bool("autoMinorVersionUpgrade"))
		assert.Equal(t, "16", db.Str("engineVersion"), "the major version only")
		assert.Equal(t, []string{"engineVersion"}, db.IgnoreChanges, "a deploy never reverts AWS's minor upgrade")
	})

	t.Run("Enhanced Monitoring: on in production grade, through a role only RDS monitoring of this account assumes", func(t *testing.T) {
		t.Parallel()
		rec, _ := runData(t, dataArgs(nil))
		db := rec.Must(t, dtDBInstance, "data-db")
		assert.False(t, db.Has("monitoringInterval"), "off by default: AWS's 0")
		assert.False(t, db.Has("monitoringRoleArn"))
		assert.Empty(t, rec.ByType(dtRole, dtRoleAttachment), "no role without monitoring")

		prod, _ := runData(t, dataArgs(func(a *components.DataArgs) {
			a.ProductionGrade = true
			a.Database.MultiAz = true
		}))
		db = prod.Must(t, dtDBInstance, "data-db")
		role := prod.Must(t, dtRole, "data-db-monitoring")
		attachment := prod.Must(t, dtRoleAttachment, "data-db-monitoring")
		assert.Equal(t, float64(components.ProductionMonitoringIntervalSeconds), db.Num("monitoringInterval"))
		assert.Equal(t, 60.0, db.Num("monitoringInterval"))
		assert.Equal(t, role.Out("arn").StringValue(), db.Str("monitoringRoleArn"))
		assert.Contains(t, db.Dependencies, attachment.URN, "RDS checks the role's permissions when monitoring starts")
		assert.Equal(t, role.Out("name").StringValue(), attachment.Str("role"))
		assert.Equal(t, "arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole", attachment.Str("policyArn"))
		trust := dtJSON(t, role.Str("assumeRolePolicy"))["Statement"].([]any)
		require.Len(t, trust, 1)
		assert.Equal(t, map[string]any{"Service": "monitoring.rds.amazonaws.com"}, trust[0].(map[string]any)["Principal"])
		assert.Equal(t, map[string]any{"StringEquals": map[string]any{"aws:SourceAccount": "123456789012"}},
			trust[0].(map[string]any)["Condition"], "no other account's RDS can use it")

		chosen, _ := runData(t, dataArgs(func(a *components.DataArgs) { a.Database.MonitoringIntervalSeconds = 15 }))
		assert.Equal(t, 15.0, chosen.Must(t, dtDBInstance, "data-db").Num("monitoringInterval"), "an explicit interval outside production")
		chosen.Must(t, dtRole, "data-db-monitoring")
	})

	t.Run("log groups have retention and come first", func(t *testing.T) {
		t.Parallel()
		// RDS creates the log groups it exports to without a retention, so logs would be kept forever. Data creates
		// them first, with retention, under the names RDS uses; that needs an identifier known before the database.
		rec, _ := runData(t, dataArgs(nil))
		db := rec.Must(t, dtDBInstance, "data-db")
		assert.Equal(t, "shopstack-test-data-db", db.Str("identifier"), "<project>-<stack>-<component>-db")
		for _, export := range []string{"postgresql", "upgrade"} {
			g := rec.Must(t, dtLogGroup, "data-db-"+export+"-logs")
			assert.Equal(t, "/aws/rds/instance/shopstack-test-data-db/"+export, g.Str("name"))
			assert.Equal(t, 30.0, g.Num("retentionInDays"), "default retention")
			assert.Equal(t, rec.Must(t, dtData, "data").URN, g.Parent)
			assert.Contains(t, db.Dependencies, g.URN, "the group exists before RDS could create it without retention")
		}
	})
}

func TestDataDatabaseAurora(t *testing.T) {
	t.Parallel()
	t.Run("Serverless v2 scales to zero by default", func(t *testing.T) {
		t.Parallel()
		rec, data := runData(t, dataArgs(func(a *components.DataArgs) {
			a.Database.Engine = components.DatabaseAuroraServerless
			a.Cache.Mode = components.CacheNone
		}))
		assert.Empty(t, rec.ByType(dtDBInstance, dtDBParams, dtServerless, dtRandomPassword, dtSecret))
		comp := rec.Must(t, dtData, "data")

		cluster := rec.Must(t, dtCluster, "data-db")
		assert.Equal(t, "aurora-postgresql", cluster.Str("engine"))
		assert.Equal(t, "provisioned", cluster.Str("engineMode"))
		assert.Regexp(t, `^16\.`, cluster.Str("engineVersion"))
		assert.Equal(t, 0.0, cluster.Num("serverlessv2ScalingConfiguration.minCapacity"))
		assert.Equal(t, 4.0, cluster.Num("serverlessv2ScalingConfiguration.maxCapacity"))
		assert.Equal(t, 300.0, cluster.Num("serverlessv2ScalingConfiguration.secondsUntilAutoPause"))
		assert.True(t, cluster.Bool("storageEncrypted"))
		assert.True(t, cluster.Bool("manageMasterUserPassword"))
		assert.False(t, cluster.Has("masterPassword"))
		assert.True(t, cluster.Bool("iamDatabaseAuthenticationEnabled"))
		assert.True(t, cluster.Bool("deletionProtection"))
		assert.Equal(t, 7.0, cluster.Num("backupRetentionPeriod"))
		assert.Equal(t, []any{"postgresql"}, cluster.Plain("enabledCloudwatchLogsExports"))
		assert.True(t, cluster.Bool("copyTagsToSnapshot"))
		assert.Equal(t, []any{rec.Must(t, dtSecGroup, "data-db-sg").ID}, cluster.Plain("vpcSecurityGroupIds"))

		params := rec.Must(t, dtClusterParams, "data-db-params")
		assert.Equal(t, "aurora-postgresql16", params.Str("family"))
		assert.Contains(t, params.Plain("parameters"), map[string]any{"name": "rds.force_ssl", "value": "1", "applyMethod": "immediate"})
		assert.Equal(t, params.Out("name").StringValue(), cluster.Str("dbClusterParameterGroupName"))

		assert.Equal(t, []string{"data-db-writer"}, dtNames(rec, dtClusterInst), "no reader without MultiAz")
		writer := rec.Must(t, dtClusterInst, "data-db-writer")
		assert.Equal(t, "db.serverless", writer.Str("instanceClass"))
		assert.Equal(t, cluster.ID, writer.Str("clusterIdentifier"))
		assert.False(t, writer.Bool("publiclyAccessible"))
		assert.True(t, writer.Has("publiclyAccessible"))
		assert.True(t, writer.Bool("performanceInsightsEnabled"))
		assert.Equal(t, 7.0, writer.Num("performanceInsightsRetentionPeriod"), "the free tier")
		assert.True(t, writer.Bool("autoMinorVersionUpgrade"))
		assert.True(t, writer.Bool("copyTagsToSnapshot"))
		assert.Equal(t, cluster.Str("dbSubnetGroupName"), writer.Str("dbSubnetGroupName"))
		assert.Equal(t, rec.Must(t, dtDBSubnets, "data-db-subnets").Out("name").StringValue(), cluster.Str("dbSubnetGroupName"))
		assert.True(t, cluster.Has("skipFinalSnapshot"))
		assert.False(t, cluster.Bool("skipFinalSnapshot"))
		assert.Equal(t, "shopstack-test-data-db-final", cluster.Str("finalSnapshotIdentifier"))
		assert.False(t, cluster.Bool("deleteAutomatedBackups"))
		assert.Equal(t, comp.URN, writer.Parent)
		assert.Equal(t, comp.URN, cluster.Parent)

		assert.Equal(t, cluster.Out("endpoint").StringValue(), pulumimock.Await[string](t, data.Connection.DatabaseHost))
		assert.Equal(t, cluster.Out("readerEndpoint").StringValue(), pulumimock.Await[string](t, data.Connection.DatabaseReaderHost))
		assert.Equal(t, cluster.Out("masterUserSecrets[0].secretArn").StringValue(), pulumimock.Await[string](t, data.Connection.DatabaseSecretArn))
		assert.Equal(t, "", pulumimock.Await[string](t, data.Connection.CacheHost))
		assert.Equal(t, []string{cluster.Out("masterUserSecrets[0].secretArn").StringValue()},
			pulumimock.Await[[]string](t, data.Connection.SecretArns()), "no cache, no cache secret")
	})

	t.Run("the engine's minor version is AWS's to upgrade", func(t *testing.T) {
		t.Parallel()
		rec, _ := runData(t, dataArgs(func(a *components.DataArgs) {
			a.Database = components.DatabaseArgs{Engine: components.DatabaseAuroraServerless, MultiAz: true}
		}))
		cluster := rec.Must(t, dtCluster, "data-db")
		assert.Equal(t, "16.4", cluster.Str("engineVersion"), "the version it is created with: scales to 0 ACU")
		assert.Equal(t, []string{"engineVersion"}, cluster.IgnoreChanges,
			"after AWS upgrades 16.4, a deploy must not try to go back (\"Cannot upgrade aurora-postgresql from 16.x to 16.4\")")
		for _, name := range []string{"data-db-writer", "data-db-reader"} {
			inst := rec.Must(t, dtClusterInst, name)
			require.True(t, inst.Bool("autoMinorVersionUpgrade"))
			assert.False(t, inst.Has("engineVersion"), "%s runs its cluster's version: nothing of its own to drift", name)
		}
	})

	t.Run("production grade has a reader and does not pause", func(t *testing.T) {
		t.Parallel()
		rec, _ := runData(t, dataArgs(func(a *components.DataArgs) {
			a.ProductionGrade = true
			a.Database = components.DatabaseArgs{Engine: components.DatabaseAuroraServerless, MultiAz: true, MinCapacity: 0.5, MaxCapacity: 16, BackupRetentionDays: pulumi.IntRef(14)}
			a.Cache = components.CacheArgs{Mode: components.CacheReplicationGroup, Nodes: 2, MultiAz: true}
		}))
		assert.Equal(t, []string{"data-db-reader", "data-db-writer"}, dtNames(rec, dtClusterInst))
		assert.Equal(t, 1.0, rec.Must(t, dtClusterInst, "data-db-reader").Num("promotionTier"))
		cluster := rec.Must(t, dtCluster, "data-db")
		assert.Equal(t, 0.5, cluster.Num("serverlessv2ScalingConfiguration.minCapacity"))
		assert.False(t, cluster.Has("serverlessv2ScalingConfiguration.secondsUntilAutoPause"), "a floor above 0 never pauses")
		assert.Equal(t, 14.0, cluster.Num("backupRetentionPeriod"))
		role := rec.Must(t, dtRole, "data-db-monitoring").Out("arn").StringValue()
		for _, name := range []string{"data-db-writer", "data-db-reader"} {
			inst := rec.Must(t, dtClusterInst, name)
			assert.Equal(t, 60.0, inst.Num("monitoringInterval"), "Enhanced Monitoring is per Aurora instance")
			assert.Equal(t, role, inst.Str("monitoringRoleArn"))
			assert.Contains(t, inst.Dependencies, rec.Must(t, dtRoleAttachment, "data-db-monitoring").URN)
		}
		assert.False(t, cluster.Has("monitoringInterval"), "the cluster's own setting is for Multi-AZ DB clusters, not Aurora")
	})

	t.Run("log groups have retention and come first", func(t *testing.T) {
		t.Parallel()
		rec, _ := runData(t, dataArgs(func(a *components.DataArgs) {
			a.Database = components.DatabaseArgs{Engine: components.DatabaseAuroraServerless, LogRetentionDays: 7}
		}), pulumimock.WithStack("dev"))
		cluster := rec.Must(t, dtCluster, "data-db")
		assert.Equal(t, "shopstack-dev-data-db", cluster.Str("clusterIdentifier"))
		g := rec.Must(t, dtLogGroup, "data-db-postgresql-logs")
		assert.Equal(t, "/aws/rds/cluster/shopstack-dev-data-db/postgresql", g.Str("name"))
		assert.Equal(t, 7.0, g.Num("retentionInDays"))
		assert.Contains(t, cluster.Dependencies, g.URN)
		_, upgrade := rec.Find(dtLogGroup, "data-db-upgrade-logs")
		assert.False(t, upgrade, "Aurora exports only postgresql")
	})
}
