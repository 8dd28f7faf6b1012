package components_test

import (
	"encoding/json"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shopstack/shopstack/components"
	"github.com/shopstack/shopstack/internal/pulumimock"
)

const (
	dtData           = components.DataType
	dtSecGroup       = "aws:ec2/securityGroup:SecurityGroup"
	dtIngress        = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
	dtDBSubnets      = "aws:rds/subnetGroup:SubnetGroup"
	dtDBParams       = "aws:rds/parameterGroup:ParameterGroup"
	dtClusterParams  = "aws:rds/clusterParameterGroup:ClusterParameterGroup"
	dtDBInstance     = "aws:rds/instance:Instance"
	dtCluster        = "aws:rds/cluster:Cluster"
	dtClusterInst    = "aws:rds/clusterInstance:ClusterInstance"
	dtRandomPassword = "random:index/randomPassword:RandomPassword"
	dtSecret         = "aws:secretsmanager/secret:Secret"
	dtSecretVersion  = "aws:secretsmanager/secretVersion:SecretVersion"
	dtCacheUser      = "aws:elasticache/user:User"
	dtCacheUserGroup = "aws:elasticache/userGroup:UserGroup"
	dtServerless     = "aws:elasticache/serverlessCache:ServerlessCache"
	dtReplGroup      = "aws:elasticache/replicationGroup:ReplicationGroup"
	dtCacheSubnets   = "aws:elasticache/subnetGroup:SubnetGroup"
	dtDomain         = "aws:opensearch/domain:Domain"
	dtDomainPolicy   = "aws:opensearch/domainPolicy:DomainPolicy"
	dtLogGroup       = "aws:cloudwatch/logGroup:LogGroup"
	dtLogPolicy      = "aws:cloudwatch/logResourcePolicy:LogResourcePolicy"
	dtRole           = "aws:iam/role:Role"
	dtBucket         = "aws:s3/bucketV2:BucketV2"
	dtPAB            = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
	dtOwnership      = "aws:s3/bucketOwnershipControls:BucketOwnershipControls"
	dtSSE            = "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2"
	dtVersioning     = "aws:s3/bucketVersioningV2:BucketVersioningV2"
	dtLifecycle      = "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2"
	dtBucketPolicy   = "aws:s3/bucketPolicy:BucketPolicy"
)

var dtSubnets = []string{"subnet-aaa", "subnet-bbb", "subnet-ccc"}

// dataArgs are the arguments every test starts from: the network a stack passes.
func dataArgs(mod func(a *components.DataArgs)) *components.DataArgs {
	a := &components.DataArgs{
		VpcId:     pulumi.String("vpc-123"),
		SubnetIds: pulumi.ToStringArray(dtSubnets[:2]),
	}
	if mod != nil {
		mod(a)
	}
	return a
}

func runData(t *testing.T, args *components.DataArgs, opts ...pulumimock.RunOption) (*pulumimock.Recorder, *components.Data) {
	t.Helper()
	var data *components.Data
	rec := pulumimock.Run(t, func(ctx *pulumi.Context) error {
		var err error
		data, err = components.NewData(ctx, "data", args)
		return err
	}, opts...)
	return rec, data
}

func dtNames(rec *pulumimock.Recorder, typ string) []string {
	var out []string
	for _, r := range rec.ByType(typ) {
		out = append(out, r.Name)
	}
	return out
}

func dtJSON(t *testing.T, s string) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal([]byte(s), &m), s)
	return m
}

func TestDataDefaultsRdsServerlessCacheAndMediaBucket(t *testing.T) {
	t.Parallel()
	rec, data := runData(t, dataArgs(nil))
	comp := rec.Must(t, dtData, "data")

	want := map[string][]string{
		dtSecGroup:       {"data-db-sg", "data-cache-sg"},
		dtDBSubnets:      {"data-db-subnets"},
		dtDBParams:       {"data-db-params"},
		dtDBInstance:     {"data-db"},
		dtLogGroup:       {"data-db-postgresql-logs", "data-db-upgrade-logs"},
		dtRandomPassword: {"data-cache-auth"},
		dtSecret:         {"data-cache-auth"},
		dtSecretVersion:  {"data-cache-auth-value"},
		dtCacheUser:      {"data-cache-user"},
		dtCacheUserGroup: {"data-cache-users"},
		dtServerless:     {"data-cache"},
		dtBucket:         {"data-media"},
		dtPAB:            {"data-media-public-access"},
		dtOwnership:      {"data-media-ownership"},
		dtSSE:            {"data-media-encryption"},
		dtVersioning:     {"data-media-versioning"},
		dtLifecycle:      {"data-media-lifecycle"},
		dtBucketPolicy:   {"data-media-policy"},
	}
	count := 0
	for typ, n := range want {
		assert.ElementsMatch(t, n, dtNames(rec, typ), typ)
		count += len(n)
	}
	assert.Len(t, rec.Children(comp.URN), count, "exactly these children")
	assert.Len(t, rec.Resources(), count+1)
	assert.Empty(t, rec.ByType(dtCluster, dtReplGroup, dtDomain, dtIngress), "no Aurora, replication group, search or ingress by default")

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

	// Security groups start closed: no inline rules at all.
	for _, g := range rec.ByType(dtSecGroup) {
		assert.Equal(t, comp.URN, g.Parent)
		assert.Equal(t, "vpc-123", g.Str("vpcId"), g.Name)
		assert.False(t, g.Has("ingress"), "%s: nobody is let in until AllowFrom", g.Name)
		assert.False(t, g.Has("egress"), "%s: the provider drops AWS's default allow-all egress", g.Name)
	}

	// The cache: Valkey serverless with usage limits, reached with a password held in Secrets Manager.
	cache := rec.Must(t, dtServerless, "data-cache")
	assert.Equal(t, "valkey", cache.Str("engine"))
	assert.Equal(t, 1.0, cache.Num("cacheUsageLimits.dataStorage.maximum"))
	assert.Equal(t, "GB", cache.Str("cacheUsageLimits.dataStorage.unit"))
	assert.Equal(t, 5000.0, cache.Num("cacheUsageLimits.ecpuPerSeconds[0].maximum"))
	assert.Equal(t, 1.0, cache.Num("snapshotRetentionLimit"))
	assert.Equal(t, []any{"subnet-aaa", "subnet-bbb"}, cache.Plain("subnetIds"))
	assert.Equal(t, []any{rec.Must(t, dtSecGroup, "data-cache-sg").ID}, cache.Plain("securityGroupIds"))
	group := rec.Must(t, dtCacheUserGroup, "data-cache-users")
	assert.Equal(t, group.Str("userGroupId"), cache.Str("userGroupId"))
	user := rec.Must(t, dtCacheUser, "data-cache-user")
	assert.Equal(t, []any{user.Str("userId")}, group.Plain("userIds"))
	assert.Equal(t, "password", user.Str("authenticationMode.type"))
	assert.Contains(t, user.Str("accessString"), "-@dangerous")

	password := rec.Must(t, dtRandomPassword, "data-cache-auth")
	assert.Equal(t, 48.0, password.Num("length"))
	token := password.Out("result").StringValue()
	require.NotEmpty(t, token)
	version := rec.Must(t, dtSecretVersion, "data-cache-auth-value")
	assert.True(t, version.IsSecret("secretString"), "the token enters state only as a secret")
	assert.Equal(t, token, version.Str("secretString"))
	assert.Equal(t, rec.Must(t, dtSecret, "data-cache-auth").ID, version.Str("secretId"))
	assert.True(t, user.IsSecret("authenticationMode.passwords[0]") || user.IsSecret("authenticationMode.passwords") || user.IsSecret("authenticationMode"), "the cache user password is a secret input")

	// The media bucket: hardened, versioned, archived by lifecycle.
	bucket := rec.Must(t, dtBucket, "data-media")
	assert.Equal(t, comp.URN, bucket.Parent)
	assert.False(t, bucket.Bool("forceDestroy"))
	pab := rec.Must(t, dtPAB, "data-media-public-access")
	for _, k := range []string{"blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"} {
		assert.True(t, pab.Bool(k), k)
	}
	assert.Equal(t, "BucketOwnerEnforced", rec.Must(t, dtOwnership, "data-media-ownership").Str("rule.objectOwnership"))
	assert.Equal(t, "Enabled", rec.Must(t, dtVersioning, "data-media-versioning").Str("versioningConfiguration.status"))
	policy := dtJSON(t, rec.Must(t, dtBucketPolicy, "data-media-policy").Str("policy"))
	assert.Equal(t, "DenyInsecureTransport", policy["Statement"].([]any)[0].(map[string]any)["Sid"])

	rules := rec.Must(t, dtLifecycle, "data-media-lifecycle").Plain("rules").([]any)
	require.Len(t, rules, 3)
	byID := map[string]map[string]any{}
	for _, r := range rules {
		r := r.(map[string]any)
		assert.Equal(t, "Enabled", r["status"])
		byID[r["id"].(string)] = r
	}
	assert.Equal(t, map[string]any{"prefix": "invoices/"}, byID["archive-invoices"]["filter"])
	assert.Equal(t, []any{
		map[string]any{"days": 30.0, "storageClass": "GLACIER_IR"},
		map[string]any{"days": 365.0, "storageClass": "DEEP_ARCHIVE"},
	}, byID["archive-invoices"]["transitions"])
	assert.Equal(t, []any{map[string]any{"noncurrentDays": 30.0, "storageClass": "GLACIER"}},
		byID["noncurrent-versions"]["noncurrentVersionTransitions"])
	assert.Equal(t, map[string]any{"noncurrentDays": 365.0}, byID["noncurrent-versions"]["noncurrentVersionExpiration"])
	assert.Equal(t, map[string]any{"daysAfterInitiation": 7.0}, byID["abort-incomplete-uploads"]["abortIncompleteMultipartUpload"])

	// The connection resolves to what the children report.
	c := data.Connection
	assert.Equal(t, db.Out("address").StringValue(), pulumimock.Await[string](t, c.DatabaseHost))
	assert.Equal(t, db.Out("address").StringValue(), pulumimock.Await[string](t, c.DatabaseReaderHost))
	assert.Equal(t, 5432, pulumimock.Await[int](t, c.DatabasePort))
	assert.Equal(t, "shop", pulumimock.Await[string](t, c.DatabaseName))
	assert.Equal(t, "shop_admin", pulumimock.Await[string](t, c.DatabaseUsername))
	assert.Equal(t, db.Out("masterUserSecrets[0].secretArn").StringValue(), pulumimock.Await[string](t, c.DatabaseSecretArn))
	assert.Equal(t, cache.Out("endpoints[0].address").StringValue(), pulumimock.Await[string](t, c.CacheHost))
	assert.Equal(t, 6379, pulumimock.Await[int](t, c.CachePort))
	assert.Equal(t, "app", pulumimock.Await[string](t, c.CacheUsername))
	secretArn := rec.Must(t, dtSecret, "data-cache-auth").Out("arn").StringValue()
	assert.Equal(t, secretArn, pulumimock.Await[string](t, c.CacheAuthSecretArn))
	assert.Equal(t, "", pulumimock.Await[string](t, c.SearchEndpoint))
	assert.Equal(t, bucket.Out("bucket").StringValue(), pulumimock.Await[string](t, c.MediaBucketName))
	assert.Equal(t, bucket.Out("arn").StringValue(), pulumimock.Await[string](t, c.MediaBucketArn))
	assert.Equal(t, []string{db.Out("masterUserSecrets[0].secretArn").StringValue(), secretArn},
		pulumimock.Await[[]string](t, c.SecretArns()))
	assert.Equal(t, sg.ID, pulumimock.Await[string](t, data.DatabaseSecurityGroupId))
	assert.Equal(t, "serverless", pulumimock.Await[string](t, data.CacheMode))
}

func TestDataEachModeCreatesExactlyItsChildren(t *testing.T) {
	t.Parallel()
	media := []string{"data-media", "data-media-public-access", "data-media-ownership", "data-media-encryption",
		"data-media-versioning", "data-media-lifecycle", "data-media-policy"}
	rds := []string{"data-db-sg", "data-db-subnets", "data-db-params", "data-db-postgresql-logs", "data-db-upgrade-logs", "data-db"}
	tests := []struct {
		name string
		mod  func(a *components.DataArgs)
		want []string
	}{
		{"Aurora with a reader, no cache", func(a *components.DataArgs) {
			a.Database = components.DatabaseArgs{Engine: components.DatabaseAuroraServerless, MultiAZ: true}
			a.Cache.Mode = components.CacheNone
		}, []string{"data-db-sg", "data-db-subnets", "data-db-params", "data-db-postgresql-logs", "data-db", "data-db-writer", "data-db-reader"}},
		{"replication group cache", func(a *components.DataArgs) { a.Cache.Mode = components.CacheReplicationGroup },
			append([]string{"data-cache-sg", "data-cache-auth", "data-cache-auth", "data-cache-auth-value",
				"data-cache-subnets", "data-cache"}, rds...)},
		{"search domain, no cache", func(a *components.DataArgs) {
			a.Cache.Mode = components.CacheNone
			a.Search.Mode = components.SearchDomain
		}, append([]string{"data-search-sg", "data-search-access", "data-search-app-logs", "data-search-audit-logs",
			"data-search-logs", "data-search", "data-search-policy"}, rds...)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec, _ := runData(t, dataArgs(tt.mod))
			comp := rec.Must(t, dtData, "data")
			var got []string
			for _, r := range rec.Children(comp.URN) {
				got = append(got, r.Name)
			}
			assert.ElementsMatch(t, append(tt.want, media...), got)
			assert.Len(t, rec.Resources(), len(got)+1, "every resource is the component or its child")
		})
	}
}

func TestDataCacheTokenNeverAppearsInPlainState(t *testing.T) {
	t.Parallel()
	for _, mode := range []components.CacheMode{components.CacheServerless, components.CacheReplicationGroup} {
		t.Run(string(mode), func(t *testing.T) {
			t.Parallel()
			rec, _ := runData(t, dataArgs(func(a *components.DataArgs) { a.Cache.Mode = mode }))
			token := rec.Must(t, dtRandomPassword, "data-cache-auth").Out("result").StringValue()
			require.NotEmpty(t, token)
			for _, r := range rec.Resources() {
				for what, pm := range map[string]map[string]any{
					"inputs":  pulumimock.Plain(r.Inputs, true),
					"outputs": pulumimock.Plain(r.Outputs, true),
				} {
					b, err := json.Marshal(pm)
					require.NoError(t, err)
					assert.NotContains(t, string(b), token, "%s %s %s hold the token in plain text", r.Type, r.Name, what)
				}
			}
		})
	}
}

func TestDataAuroraServerlessScalesToZero(t *testing.T) {
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

	assert.Equal(t, []string{"data-db-writer"}, dtNames(rec, dtClusterInst), "no reader without MultiAZ")
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
}

func TestDataAuroraProductionHasAReaderAndNoPause(t *testing.T) {
	t.Parallel()
	rec, _ := runData(t, dataArgs(func(a *components.DataArgs) {
		a.ProductionGrade = true
		a.Database = components.DatabaseArgs{Engine: components.DatabaseAuroraServerless, MultiAZ: true, MinCapacity: 0.5, MaxCapacity: 16, BackupRetentionDays: pulumi.IntRef(14)}
		a.Cache = components.CacheArgs{Mode: components.CacheReplicationGroup, Nodes: 2, MultiAZ: true}
	}))
	assert.Equal(t, []string{"data-db-reader", "data-db-writer"}, dtNames(rec, dtClusterInst))
	assert.Equal(t, 1.0, rec.Must(t, dtClusterInst, "data-db-reader").Num("promotionTier"))
	cluster := rec.Must(t, dtCluster, "data-db")
	assert.Equal(t, 0.5, cluster.Num("serverlessv2ScalingConfiguration.minCapacity"))
	assert.False(t, cluster.Has("serverlessv2ScalingConfiguration.secondsUntilAutoPause"), "a floor above 0 never pauses")
	assert.Equal(t, 14.0, cluster.Num("backupRetentionPeriod"))
}

func TestDataRdsOptions(t *testing.T) {
	t.Parallel()
	rec, _ := runData(t, dataArgs(func(a *components.DataArgs) {
		a.AllowDeletion, a.SkipFinalSnapshot = true, true
		a.KmsKeyArn = pulumi.String("arn:aws:kms:us-east-1:123456789012:key/k")
		a.Database = components.DatabaseArgs{InstanceClass: "db.m7g.large", AllocatedStorageGb: 100, MaxAllocatedStorageGb: 500,
			MultiAZ: true, BackupRetentionDays: pulumi.IntRef(30), PerformanceInsightsRetentionDays: 31}
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
	assert.True(t, rec.Must(t, dtBucket, "data-media").Bool("forceDestroy"))
	assert.Equal(t, "aws:kms", rec.Must(t, dtSSE, "data-media-encryption").Str("rules[0].applyServerSideEncryptionByDefault.sseAlgorithm"))
}

func TestDataBackupRetentionTellsAnExplicitZeroFromTheDefault(t *testing.T) {
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
}

func TestDataCacheSnapshotRetentionTellsAnExplicitZeroFromTheDefault(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		mode      components.CacheMode
		snapshots *int
		want      float64
	}{
		{"serverless default", components.CacheServerless, nil, 1},
		{"serverless without snapshots", components.CacheServerless, pulumi.IntRef(0), 0},
		{"replication group default", components.CacheReplicationGroup, nil, 1},
		{"replication group without snapshots", components.CacheReplicationGroup, pulumi.IntRef(0), 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec, _ := runData(t, dataArgs(func(a *components.DataArgs) {
				a.Cache.Mode, a.Cache.SnapshotRetentionDays = tt.mode, tt.snapshots
			}))
			typ := dtServerless
			if tt.mode == components.CacheReplicationGroup {
				typ = dtReplGroup
			}
			cache := rec.Must(t, typ, "data-cache")
			require.True(t, cache.Has("snapshotRetentionLimit"), "always set, so the value is the component's, not the API's")
			assert.Equal(t, tt.want, cache.Num("snapshotRetentionLimit"))
		})
	}
}

func TestDataKmsKeyEncryptsEveryStore(t *testing.T) {
	t.Parallel()
	const key = "arn:aws:kms:us-east-1:123456789012:key/k"
	for _, tt := range []struct {
		name  string
		mod   func(a *components.DataArgs)
		check func(t *testing.T, rec *pulumimock.Recorder)
	}{
		{"rds and serverless cache and search", func(a *components.DataArgs) { a.Search.Mode = components.SearchDomain },
			func(t *testing.T, rec *pulumimock.Recorder) {
				db := rec.Must(t, dtDBInstance, "data-db")
				for _, k := range []string{"kmsKeyId", "masterUserSecretKmsKeyId", "performanceInsightsKmsKeyId"} {
					assert.Equal(t, key, db.Str(k), k)
				}
				assert.Equal(t, key, rec.Must(t, dtServerless, "data-cache").Str("kmsKeyId"))
				assert.Equal(t, key, rec.Must(t, dtDomain, "data-search").Str("encryptAtRest.kmsKeyId"))
			}},
		{"Aurora and replication group", func(a *components.DataArgs) {
			a.Database.Engine = components.DatabaseAuroraServerless
			a.Cache.Mode = components.CacheReplicationGroup
		}, func(t *testing.T, rec *pulumimock.Recorder) {
			cluster := rec.Must(t, dtCluster, "data-db")
			assert.Equal(t, key, cluster.Str("kmsKeyId"))
			assert.Equal(t, key, cluster.Str("masterUserSecretKmsKeyId"))
			assert.Equal(t, key, rec.Must(t, dtClusterInst, "data-db-writer").Str("performanceInsightsKmsKeyId"))
			assert.Equal(t, key, rec.Must(t, dtReplGroup, "data-cache").Str("kmsKeyId"))
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec, _ := runData(t, dataArgs(func(a *components.DataArgs) {
				a.KmsKeyArn = pulumi.String(key)
				tt.mod(a)
			}))
			tt.check(t, rec)
			assert.Equal(t, key, rec.Must(t, dtSecret, "data-cache-auth").Str("kmsKeyId"), "the cache password too")
			sse := rec.Must(t, dtSSE, "data-media-encryption")
			assert.Equal(t, key, sse.Str("rules[0].applyServerSideEncryptionByDefault.kmsMasterKeyId"))
		})
	}

	// Without a key every store still encrypts, under its AWS-managed key.
	rec, _ := runData(t, dataArgs(func(a *components.DataArgs) { a.Search.Mode = components.SearchDomain }))
	db := rec.Must(t, dtDBInstance, "data-db")
	assert.True(t, db.Bool("storageEncrypted"))
	assert.False(t, db.Has("kmsKeyId"))
	assert.False(t, rec.Must(t, dtServerless, "data-cache").Has("kmsKeyId"), "ElastiCache Serverless always encrypts at rest")
	assert.True(t, rec.Must(t, dtDomain, "data-search").Bool("encryptAtRest.enabled"))
	assert.False(t, rec.Must(t, dtDomain, "data-search").Has("encryptAtRest.kmsKeyId"))
}

func TestDataServerlessCacheLimits(t *testing.T) {
	t.Parallel()
	rec, _ := runData(t, dataArgs(func(a *components.DataArgs) {
		a.Cache = components.CacheArgs{MaxDataStorageGb: 10, MaxECPUPerSecond: 20000, SnapshotRetentionDays: pulumi.IntRef(7)}
	}))
	cache := rec.Must(t, dtServerless, "data-cache")
	assert.Equal(t, 10.0, cache.Num("cacheUsageLimits.dataStorage.maximum"))
	assert.Equal(t, 20000.0, cache.Num("cacheUsageLimits.ecpuPerSeconds[0].maximum"))
	assert.Equal(t, 7.0, cache.Num("snapshotRetentionLimit"))
}

func TestDataSearchAndMediaOptions(t *testing.T) {
	t.Parallel()
	rec, _ := runData(t, dataArgs(func(a *components.DataArgs) {
		a.Search = components.SearchArgs{Mode: components.SearchDomain, InstanceType: "r7g.large.search", VolumeGb: 100,
			EngineVersion: "OpenSearch_2.15", LogRetentionDays: 365}
		a.Media = components.MediaArgs{InvoicesPrefix: "billing/invoices/", NoncurrentExpirationDays: 90}
	}))
	domain := rec.Must(t, dtDomain, "data-search")
	assert.Equal(t, "r7g.large.search", domain.Str("clusterConfig.instanceType"))
	assert.Equal(t, 100.0, domain.Num("ebsOptions.volumeSize"))
	assert.Equal(t, "OpenSearch_2.15", domain.Str("engineVersion"))
	for _, n := range []string{"data-search-app-logs", "data-search-audit-logs"} {
		assert.Equal(t, 365.0, rec.Must(t, dtLogGroup, n).Num("retentionInDays"), n)
	}

	byID := map[string]map[string]any{}
	for _, r := range rec.Must(t, dtLifecycle, "data-media-lifecycle").Plain("rules").([]any) {
		byID[r.(map[string]any)["id"].(string)] = r.(map[string]any)
	}
	assert.Equal(t, map[string]any{"prefix": "billing/invoices/"}, byID["archive-invoices"]["filter"])
	assert.Equal(t, map[string]any{"noncurrentDays": 90.0}, byID["noncurrent-versions"]["noncurrentVersionExpiration"])
}

func TestDataReplicationGroupCache(t *testing.T) {
	t.Parallel()
	rec, data := runData(t, dataArgs(func(a *components.DataArgs) {
		a.Cache = components.CacheArgs{Mode: components.CacheReplicationGroup, NodeType: "cache.t4g.small", Nodes: 3, MultiAZ: true, SnapshotRetentionDays: pulumi.IntRef(5)}
	}))
	assert.Empty(t, rec.ByType(dtServerless, dtCacheUser, dtCacheUserGroup))
	group := rec.Must(t, dtReplGroup, "data-cache")
	assert.Equal(t, "valkey", group.Str("engine"))
	assert.Equal(t, "cache.t4g.small", group.Str("nodeType"))
	assert.Equal(t, 3.0, group.Num("numCacheClusters"))
	assert.True(t, group.Bool("automaticFailoverEnabled"))
	assert.True(t, group.Bool("multiAzEnabled"))
	assert.True(t, group.Bool("atRestEncryptionEnabled"))
	assert.True(t, group.Bool("transitEncryptionEnabled"))
	assert.True(t, group.IsSecret("authToken"))
	assert.Equal(t, rec.Must(t, dtRandomPassword, "data-cache-auth").Out("result").StringValue(), group.Str("authToken"))
	assert.Equal(t, 5.0, group.Num("snapshotRetentionLimit"))
	assert.Equal(t, rec.Must(t, dtCacheSubnets, "data-cache-subnets").Out("name").StringValue(), group.Str("subnetGroupName"))
	assert.Equal(t, []any{rec.Must(t, dtSecGroup, "data-cache-sg").ID}, group.Plain("securityGroupIds"))

	assert.Equal(t, group.Out("primaryEndpointAddress").StringValue(), pulumimock.Await[string](t, data.Connection.CacheHost))
	assert.Equal(t, "default", pulumimock.Await[string](t, data.Connection.CacheUsername))

	single, _ := runData(t, dataArgs(func(a *components.DataArgs) {
		a.Cache = components.CacheArgs{Mode: components.CacheReplicationGroup, Nodes: 1}
	}))
	one := single.Must(t, dtReplGroup, "data-cache")
	assert.False(t, one.Bool("automaticFailoverEnabled"), "nothing to fail over to")
	assert.False(t, one.Bool("multiAzEnabled"))
}

func TestDataSearchDomain(t *testing.T) {
	t.Parallel()
	rec, data := runData(t, dataArgs(func(a *components.DataArgs) { a.Search.Mode = components.SearchDomain }))

	domain := rec.Must(t, dtDomain, "data-search")
	role := rec.Must(t, dtRole, "data-search-access")
	assert.Equal(t, "t3.small.search", domain.Str("clusterConfig.instanceType"))
	assert.Equal(t, 1.0, domain.Num("clusterConfig.instanceCount"))
	assert.False(t, domain.Bool("clusterConfig.zoneAwarenessEnabled"))
	assert.Equal(t, []any{"subnet-aaa"}, domain.Plain("vpcOptions.subnetIds"), "one node, one subnet")
	assert.Equal(t, []any{rec.Must(t, dtSecGroup, "data-search-sg").ID}, domain.Plain("vpcOptions.securityGroupIds"))
	assert.True(t, domain.Bool("encryptAtRest.enabled"))
	assert.True(t, domain.Bool("nodeToNodeEncryption.enabled"))
	assert.True(t, domain.Bool("domainEndpointOptions.enforceHttps"))
	assert.Equal(t, "Policy-Min-TLS-1-2-PFS-2023-10", domain.Str("domainEndpointOptions.tlsSecurityPolicy"))
	assert.True(t, domain.Bool("advancedSecurityOptions.enabled"))
	assert.False(t, domain.Bool("advancedSecurityOptions.anonymousAuthEnabled"))
	assert.False(t, domain.Bool("advancedSecurityOptions.internalUserDatabaseEnabled"))
	assert.Equal(t, role.Out("arn").StringValue(), domain.Str("advancedSecurityOptions.masterUserOptions.masterUserArn"))
	assert.Equal(t, "gp3", domain.Str("ebsOptions.volumeType"))

	logTypes := map[string]string{}
	for _, o := range domain.Plain("logPublishingOptions").([]any) {
		o := o.(map[string]any)
		logTypes[o["logType"].(string)] = o["cloudwatchLogGroupArn"].(string)
	}
	assert.Equal(t, map[string]string{
		"ES_APPLICATION_LOGS": rec.Must(t, dtLogGroup, "data-search-app-logs").Out("arn").StringValue(),
		"AUDIT_LOGS":          rec.Must(t, dtLogGroup, "data-search-audit-logs").Out("arn").StringValue(),
	}, logTypes)
	for _, g := range rec.ByType(dtLogGroup) {
		assert.Equal(t, 30.0, g.Num("retentionInDays"), g.Name)
	}
	logPolicy := rec.Must(t, dtLogPolicy, "data-search-logs")
	assert.Contains(t, domain.Dependencies, logPolicy.URN, "OpenSearch checks it may write before it starts")

	access := dtJSON(t, rec.Must(t, dtDomainPolicy, "data-search-policy").Str("accessPolicies"))
	stmt := access["Statement"].([]any)
	require.Len(t, stmt, 1)
	assert.Equal(t, map[string]any{"AWS": role.Out("arn").StringValue()}, stmt[0].(map[string]any)["Principal"], "only the named role")
	assert.Equal(t, domain.Out("arn").StringValue()+"/*", stmt[0].(map[string]any)["Resource"])

	assert.Equal(t, "https://"+domain.Out("endpoint").StringValue(), pulumimock.Await[string](t, data.Connection.SearchEndpoint))
	assert.Equal(t, role.Out("arn").StringValue(), pulumimock.Await[string](t, data.Connection.SearchRoleArn))
}

func TestDataSearchZoneAwareWithCallersRole(t *testing.T) {
	t.Parallel()
	const callerRole = "arn:aws:iam::123456789012:role/api-task"
	rec, _ := runData(t, dataArgs(func(a *components.DataArgs) {
		a.SubnetIds, a.SubnetCount = pulumi.ToStringArray(dtSubnets), 3
		a.Search = components.SearchArgs{Mode: components.SearchDomain, Instances: 2, ZoneAwareness: true, MasterRoleArn: pulumi.String(callerRole)}
	}))
	assert.Empty(t, rec.ByType(dtRole), "the caller's role is used, none created")
	domain := rec.Must(t, dtDomain, "data-search")
	assert.True(t, domain.Bool("clusterConfig.zoneAwarenessEnabled"))
	assert.Equal(t, 2.0, domain.Num("clusterConfig.zoneAwarenessConfig.availabilityZoneCount"))
	assert.Equal(t, []any{"subnet-aaa", "subnet-bbb"}, domain.Plain("vpcOptions.subnetIds"), "one subnet per zone used")
	assert.Equal(t, callerRole, domain.Str("advancedSecurityOptions.masterUserOptions.masterUserArn"))

	// Three nodes cannot split over two zones, but spread one per zone over three.
	rec, _ = runData(t, dataArgs(func(a *components.DataArgs) {
		a.SubnetIds, a.SubnetCount = pulumi.ToStringArray(dtSubnets), 3
		a.Search = components.SearchArgs{Mode: components.SearchDomain, Instances: 3, ZoneAwareness: true}
	}))
	domain = rec.Must(t, dtDomain, "data-search")
	assert.Equal(t, 3.0, domain.Num("clusterConfig.zoneAwarenessConfig.availabilityZoneCount"))
	assert.Equal(t, []any{"subnet-aaa", "subnet-bbb", "subnet-ccc"}, domain.Plain("vpcOptions.subnetIds"))
}

func TestDataAllowFromOpensEachServicePortToTheCaller(t *testing.T) {
	t.Parallel()
	rec := pulumimock.Run(t, func(ctx *pulumi.Context) error {
		data, err := components.NewData(ctx, "data", dataArgs(func(a *components.DataArgs) {
			a.Search.Mode = components.SearchDomain
			a.AllowedSecurityGroupIds = []pulumi.StringInput{pulumi.String("sg-bastion")}
		}))
		if err != nil {
			return err
		}
		return data.AllowFrom(ctx, "api", pulumi.String("sg-api"))
	})
	rules := map[string]struct {
		sg, from string
		port     float64
	}{
		"data-allow-allowed-1-db":           {"data-db-sg", "sg-bastion", 5432},
		"data-allow-allowed-1-cache":        {"data-cache-sg", "sg-bastion", 6379},
		"data-allow-allowed-1-cache-reader": {"data-cache-sg", "sg-bastion", 6380},
		"data-allow-allowed-1-search":       {"data-search-sg", "sg-bastion", 443},
		"data-allow-api-db":                 {"data-db-sg", "sg-api", 5432},
		"data-allow-api-cache":              {"data-cache-sg", "sg-api", 6379},
		"data-allow-api-cache-reader":       {"data-cache-sg", "sg-api", 6380},
		"data-allow-api-search":             {"data-search-sg", "sg-api", 443},
	}
	assert.Len(t, rec.ByType(dtIngress), len(rules))
	comp := rec.Must(t, dtData, "data")
	for name, w := range rules {
		r := rec.Must(t, dtIngress, name)
		assert.Equal(t, comp.URN, r.Parent)
		assert.Equal(t, rec.Must(t, dtSecGroup, w.sg).ID, r.Str("securityGroupId"), name)
		assert.Equal(t, w.from, r.Str("referencedSecurityGroupId"), name)
		assert.Equal(t, "tcp", r.Str("ipProtocol"), name)
		assert.Equal(t, w.port, r.Num("fromPort"), name)
		assert.Equal(t, w.port, r.Num("toPort"), name)
		assert.False(t, r.Has("cidrIpv4"), "%s: a security group, never an address range", name)
	}
}

func TestDataValidationNamesTheField(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		mod  func(a *components.DataArgs)
		want []string
	}{
		{"missing network", func(a *components.DataArgs) { a.VpcId, a.SubnetIds = nil, nil },
			[]string{"VpcId: required", "SubnetIds: required"}},
		{"one subnet", func(a *components.DataArgs) { a.SubnetCount = 1 }, []string{"SubnetCount: 1"}},
		{"engine", func(a *components.DataArgs) { a.Database.Engine = "mysql" },
			[]string{`Database.Engine: "mysql" is not one of [rds auroraServerless]`}},
		{"backups", func(a *components.DataArgs) { a.Database.BackupRetentionDays = pulumi.IntRef(40) },
			[]string{"Database.BackupRetentionDays: 40 is out of range; want 1-35, or 0 to turn automated backups off (rds only)"}},
		{"negative backups", func(a *components.DataArgs) { a.Database.BackupRetentionDays = pulumi.IntRef(-1) },
			[]string{"Database.BackupRetentionDays: -1 is out of range"}},
		{"Aurora without backups", func(a *components.DataArgs) {
			a.Database.Engine = components.DatabaseAuroraServerless
			a.Database.BackupRetentionDays = pulumi.IntRef(0)
		}, []string{"Database.BackupRetentionDays: 0 is not allowed for auroraServerless; want 1-35"}},
		{"production backups", func(a *components.DataArgs) {
			a.ProductionGrade = true
			a.Database.MultiAZ = true
			a.Database.BackupRetentionDays = pulumi.IntRef(3)
		}, []string{"Database.BackupRetentionDays: 3 is below 7 days (ProductionGrade)"}},
		{"production without backups", func(a *components.DataArgs) {
			a.ProductionGrade = true
			a.Database.MultiAZ = true
			a.Database.BackupRetentionDays = pulumi.IntRef(0)
		}, []string{"Database.BackupRetentionDays: 0 is below 7 days (ProductionGrade)"}},
		{"production single zone, deletable", func(a *components.DataArgs) {
			a.ProductionGrade, a.AllowDeletion, a.SkipFinalSnapshot = true, true, true
		}, []string{"Database.MultiAZ: must be true (ProductionGrade)", "AllowDeletion: must be false",
			"SkipFinalSnapshot: must be false"}},
		{"capacity", func(a *components.DataArgs) {
			a.Database.Engine = components.DatabaseAuroraServerless
			a.Database.MinCapacity, a.Database.MaxCapacity = 8, 4
		}, []string{"Database.MinCapacity/MaxCapacity: 8-4 ACU"}},
		{"cache mode", func(a *components.DataArgs) { a.Cache.Mode = "memcached" },
			[]string{`Cache.Mode: "memcached" is not one of [none serverless replicationGroup]`}},
		{"multi-AZ cache with one node", func(a *components.DataArgs) {
			a.Cache = components.CacheArgs{Mode: components.CacheReplicationGroup, Nodes: 1, MultiAZ: true}
		}, []string{"Cache.MultiAZ: a Multi-AZ cache needs at least 2 nodes, Cache.Nodes is 1"}},
		{"too many nodes", func(a *components.DataArgs) {
			a.Cache = components.CacheArgs{Mode: components.CacheReplicationGroup, Nodes: 7}
		}, []string{"Cache.Nodes: 7 is out of range [1, 6]"}},
		{"production cache without snapshots", func(a *components.DataArgs) {
			a.ProductionGrade, a.Database.MultiAZ = true, true
			a.Cache.SnapshotRetentionDays = pulumi.IntRef(0)
		}, []string{"Cache.SnapshotRetentionDays: 0 is below 1 day (ProductionGrade)"}},
		{"cache snapshots", func(a *components.DataArgs) { a.Cache.SnapshotRetentionDays = pulumi.IntRef(36) },
			[]string{"Cache.SnapshotRetentionDays: 36 is out of range [0, 35]"}},
		{"production Aurora that pauses", func(a *components.DataArgs) {
			a.ProductionGrade = true
			a.Database = components.DatabaseArgs{Engine: components.DatabaseAuroraServerless, MultiAZ: true}
		}, []string{"Database.MinCapacity: 0 pauses the cluster when idle; want at least 0.5 ACU (ProductionGrade)"}},
		{"capacity step", func(a *components.DataArgs) {
			a.Database = components.DatabaseArgs{Engine: components.DatabaseAuroraServerless, MinCapacity: 0.25, MaxCapacity: 2.2}
		}, []string{"Database.MinCapacity/MaxCapacity: 0.25-2.2 ACU; want multiples of 0.5"}},
		{"negative Performance Insights retention", func(a *components.DataArgs) { a.Database.PerformanceInsightsRetentionDays = -31 },
			[]string{"Database.PerformanceInsightsRetentionDays: -31; want 7 or a multiple of 31 up to 731"}},
		{"database log retention", func(a *components.DataArgs) { a.Database.LogRetentionDays = 10 },
			[]string{"Database.LogRetentionDays: 10 is not a CloudWatch Logs retention"}},
		{"odd search nodes on two zones", func(a *components.DataArgs) {
			a.Search = components.SearchArgs{Mode: components.SearchDomain, Instances: 3, ZoneAwareness: true}
		}, []string{"Search.Instances: 3 nodes cannot spread evenly over 2 zones (SubnetCount 2); want an even number"}},
		{"zone-aware search with one node", func(a *components.DataArgs) {
			a.Search = components.SearchArgs{Mode: components.SearchDomain, Instances: 1, ZoneAwareness: true}
		}, []string{"Search.ZoneAwareness: zone awareness needs at least 2 nodes, Search.Instances is 1"}},
		{"search type", func(a *components.DataArgs) {
			a.Search = components.SearchArgs{Mode: components.SearchDomain, InstanceType: "t3.small"}
		}, []string{`Search.InstanceType: "t3.small" does not end with ".search"`}},
		{"search mode", func(a *components.DataArgs) { a.Search.Mode = "elastic" },
			[]string{`Search.Mode: "elastic" is not one of [none domain]`}},
		{"invoices prefix", func(a *components.DataArgs) { a.Media.InvoicesPrefix = "invoices" },
			[]string{`Media.InvoicesPrefix: "invoices"`}},
		{"database name", func(a *components.DataArgs) { a.Database.Name = "shop-db" },
			[]string{`Database.Name: "shop-db"`}},
		{"reserved user", func(a *components.DataArgs) { a.Database.Username = "postgres" },
			[]string{`Database.Username: "postgres"`}},
		{"instance class", func(a *components.DataArgs) { a.Database.InstanceClass = "t4g.micro" },
			[]string{`Database.InstanceClass: "t4g.micro" does not start with "db."`}},
		{"storage below the gp3 minimum", func(a *components.DataArgs) { a.Database.AllocatedStorageGb = 10 },
			[]string{"Database.AllocatedStorageGb: 10 is out of range [20, 65536] (gp3)"}},
		{"storage autoscaling ceiling below the size", func(a *components.DataArgs) {
			a.Database.AllocatedStorageGb, a.Database.MaxAllocatedStorageGb = 100, 50
		}, []string{"Database.MaxAllocatedStorageGb: 50 must be 0 (no autoscaling) or above AllocatedStorageGb 100"}},
		{"auto-pause too soon", func(a *components.DataArgs) {
			a.Database = components.DatabaseArgs{Engine: components.DatabaseAuroraServerless, SecondsUntilAutoPause: 60}
		}, []string{"Database.SecondsUntilAutoPause: 60 is out of range [300, 86400]"}},
		{"cache node type", func(a *components.DataArgs) {
			a.Cache = components.CacheArgs{Mode: components.CacheReplicationGroup, NodeType: "t4g.micro"}
		}, []string{`Cache.NodeType: "t4g.micro" does not start with "cache."`}},
		{"serverless cache storage", func(a *components.DataArgs) {
			a.Cache = components.CacheArgs{Mode: components.CacheServerless, MaxDataStorageGb: 6000}
		}, []string{"Cache.MaxDataStorageGb: 6000 is out of range [1, 5000]"}},
		{"serverless cache ECPU", func(a *components.DataArgs) {
			a.Cache = components.CacheArgs{Mode: components.CacheServerless, MaxECPUPerSecond: 500}
		}, []string{"Cache.MaxECPUPerSecond: 500 is out of range [1000, 15000000]"}},
		{"search volume", func(a *components.DataArgs) {
			a.Search = components.SearchArgs{Mode: components.SearchDomain, VolumeGb: 5}
		}, []string{"Search.VolumeGb: 5 is below 10 (the gp3 minimum)"}},
		{"search log retention", func(a *components.DataArgs) {
			a.Search = components.SearchArgs{Mode: components.SearchDomain, LogRetentionDays: 10}
		}, []string{"Search.LogRetentionDays: 10 is not a CloudWatch Logs retention"}},
		{"media versions expire before Glacier", func(a *components.DataArgs) { a.Media.NoncurrentExpirationDays = 20 },
			[]string{"Media.NoncurrentExpirationDays: 20; want more than 30"}},
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

// RDS creates the log groups it exports to without a retention, so logs would be kept forever. Data creates
// them first, with retention, under the names RDS uses; that needs an identifier known before the database.
func TestDataDatabaseLogGroupsHaveRetentionAndComeFirst(t *testing.T) {
	t.Parallel()
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

	rec, _ = runData(t, dataArgs(func(a *components.DataArgs) {
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
}

func TestDataTwoInstancesDoNotCollide(t *testing.T) {
	t.Parallel()
	rec := pulumimock.Run(t, func(ctx *pulumi.Context) error {
		for _, name := range []string{"orders", "catalog"} {
			if _, err := components.NewData(ctx, name, dataArgs(func(a *components.DataArgs) {
				a.Search.Mode = components.SearchDomain
			})); err != nil {
				return err
			}
		}
		return nil
	})
	assert.Len(t, rec.ByType(dtData), 2)
	seen := map[string]string{}
	for _, r := range rec.Resources() {
		for _, key := range []string{"name", "bucket", "identifier", "clusterIdentifier", "userId", "userGroupId", "policyName", "domainName", "finalSnapshotIdentifier"} {
			v := r.Out(key)
			if !v.IsString() {
				continue
			}
			id := r.Type + " " + v.StringValue()
			assert.NotContains(t, seen, id, "%s and %s share a physical name", seen[id], r.Name)
			seen[id] = r.Name
		}
	}
}

func TestDataLongNamesStayUniqueAndValid(t *testing.T) {
	t.Parallel()
	names := []string{"catalog-data-primary-a", "catalog-data-primary-b"}
	rec := pulumimock.Run(t, func(ctx *pulumi.Context) error {
		for _, name := range names {
			if _, err := components.NewData(ctx, name, dataArgs(nil)); err != nil {
				return err
			}
		}
		return nil
	}, pulumimock.WithStack("Production_EU.1"))

	// The AWS name rules: ElastiCache user and group ids at most 40 characters,
	// RDS snapshot identifiers at most 255; both a letter first, then letters,
	// digits and single hyphens, no hyphen last.
	valid := `^[a-z](-?[a-z0-9])*$`
	seen := map[string]string{}
	for _, name := range names {
		for _, c := range []struct{ typ, res, key string }{
			{dtCacheUser, name + "-cache-user", "userId"},
			{dtCacheUserGroup, name + "-cache-users", "userGroupId"},
			{dtDBInstance, name + "-db", "finalSnapshotIdentifier"},
			{dtDBInstance, name + "-db", "identifier"},
		} {
			v := rec.Must(t, c.typ, c.res).Str(c.key)
			assert.Regexp(t, valid, v, "%s %s", c.res, c.key)
			max := map[string]int{"finalSnapshotIdentifier": 255, "identifier": 63}[c.key]
			if max == 0 {
				max = 40
			}
			assert.LessOrEqual(t, len(v), max, "%s %s", c.res, c.key)
			id := c.typ + " " + v
			assert.NotContains(t, seen, id, "%s and %s share the physical name %s", seen[id], c.res, v)
			seen[id] = c.res
		}
	}
}

func TestDataOnNetworkInPreviewLeavesEndpointsUnknown(t *testing.T) {
	t.Parallel()
	var data *components.Data
	rec := pulumimock.Run(t, func(ctx *pulumi.Context) error {
		net, err := components.NewNetwork(ctx, "net", &components.NetworkArgs{NatStrategy: components.NatInstance})
		if err != nil {
			return err
		}
		data, err = components.NewData(ctx, "data", &components.DataArgs{
			VpcId: net.VpcId, SubnetIds: net.PrivateSubnetIds,
			Database: components.DatabaseArgs{Engine: components.DatabaseAuroraServerless},
			Search:   components.SearchArgs{Mode: components.SearchDomain},
		})
		return err
	}, pulumimock.WithPreview())

	for _, o := range []pulumi.Output{data.Connection.DatabaseHost, data.Connection.DatabaseSecretArn,
		data.Connection.CacheHost, data.Connection.SearchEndpoint, data.Connection.MediaBucketArn} {
		r, err := pulumimock.AwaitErr(o)
		require.NoError(t, err)
		assert.False(t, r.Known, "known only after deploy")
	}
	sg := rec.Must(t, dtSecGroup, "data-db-sg")
	assert.Equal(t, pulumimock.UnknownMarker, pulumimock.Plain(sg.Inputs, true)["vpcId"])
	assert.NotEmpty(t, rec.ByType(dtDomainPolicy), "every child is registered in preview, none hides in an apply")
}
