package components_test

import (
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shopstack/shopstack/components"
	"github.com/shopstack/shopstack/internal/pulumimock"
)

func TestDataCache(t *testing.T) {
	t.Parallel()
	t.Run("serverless by default: Valkey with usage limits, reached by an IAM-authenticated user", func(t *testing.T) {
		t.Parallel()
		rec, data := runData(t, dataArgs(nil))

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
		assert.Contains(t, user.Str("accessString"), "-@dangerous")
		assert.Equal(t, cache.Out("name").StringValue(), pulumimock.Await[string](t, data.Connection.CacheName),
			"the name an IAM token is signed for")
	})

	t.Run("IAM authentication: no password anywhere, nothing to rotate", func(t *testing.T) {
		t.Parallel()
		for _, mode := range []components.CacheMode{components.CacheServerless, components.CacheReplicationGroup} {
			t.Run(string(mode), func(t *testing.T) {
				t.Parallel()
				rec, data := runData(t, dataArgs(func(a *components.DataArgs) { a.Cache.Mode = mode }))
				user := rec.Must(t, dtCacheUser, "data-cache-user")
				assert.Equal(t, "iam", user.Str("authenticationMode.type"))
				assert.False(t, user.Has("authenticationMode.passwords"))
				assert.False(t, user.Has("passwords"))
				assert.False(t, user.Bool("noPasswordRequired"))
				assert.Equal(t, user.Str("userId"), user.Str("userName"), "ElastiCache IAM authentication wants them equal")
				assert.Equal(t, "shopstack-test-data-cache-app", user.Str("userId"))
				assert.Equal(t, "valkey", user.Str("engine"))
				assert.Equal(t, "valkey", rec.Must(t, dtCacheUserGroup, "data-cache-users").Str("engine"),
					"a Valkey group admits only users that authenticate: no passwordless default user")
				assert.Empty(t, rec.ByType(dtRandomPassword, dtSecret, dtSecretVersion))

				c := data.Connection
				assert.Equal(t, user.Out("userName").StringValue(), pulumimock.Await[string](t, c.CacheUsername))
				assert.Equal(t, user.Out("arn").StringValue(), pulumimock.Await[string](t, c.CacheUserArn))
				assert.Regexp(t, `^arn:aws:elasticache:us-east-1:123456789012:user:`, pulumimock.Await[string](t, c.CacheUserArn))
				typ := map[components.CacheMode]string{components.CacheServerless: dtServerless, components.CacheReplicationGroup: dtReplGroup}[mode]
				assert.Equal(t, rec.Must(t, typ, "data-cache").Out("arn").StringValue(), pulumimock.Await[string](t, c.CacheArn))
			})
		}
	})

	t.Run("serverless limits", func(t *testing.T) {
		t.Parallel()
		rec, _ := runData(t, dataArgs(func(a *components.DataArgs) {
			a.Cache = components.CacheArgs{MaxDataStorageGb: 10, MaxEcpuPerSecond: 20000, SnapshotRetentionDays: pulumi.IntRef(7)}
		}))
		cache := rec.Must(t, dtServerless, "data-cache")
		assert.Equal(t, 10.0, cache.Num("cacheUsageLimits.dataStorage.maximum"))
		assert.Equal(t, 20000.0, cache.Num("cacheUsageLimits.ecpuPerSeconds[0].maximum"))
		assert.Equal(t, 7.0, cache.Num("snapshotRetentionLimit"))
	})

	t.Run("replication group", func(t *testing.T) {
		t.Parallel()
		rec, data := runData(t, dataArgs(func(a *components.DataArgs) {
			a.Cache = components.CacheArgs{Mode: components.CacheReplicationGroup, NodeType: "cache.t4g.small", Nodes: 3, MultiAz: true, SnapshotRetentionDays: pulumi.IntRef(5)}
		}))
		assert.Empty(t, rec.ByType(dtServerless))
		group := rec.Must(t, dtReplGroup, "data-cache")
		assert.Equal(t, "valkey", group.Str("engine"))
		assert.Equal(t, "cache.t4g.small", group.Str("nodeType"))
		assert.Equal(t, 3.0, group.Num("numCacheClusters"))
		assert.True(t, group.Bool("automaticFailoverEnabled"))
		assert.True(t, group.Bool("multiAzEnabled"))
		assert.True(t, group.Bool("atRestEncryptionEnabled"))
		assert.True(t, group.Bool("transitEncryptionEnabled"), "IAM authentication needs TLS")
		assert.False(t, group.Has("authToken"), "no shared token: the group admits its users only")
		assert.Equal(t, []any{rec.Must(t, dtCacheUserGroup, "data-cache-users").Str("userGroupId")}, group.Plain("userGroupIds"))
		assert.Equal(t, "8.0", group.Str("engineVersion"), "IAM authentication needs Valkey 7.2 or later")
		assert.True(t, group.Bool("autoMinorVersionUpgrade"))
		assert.Equal(t, []string{"engineVersion"}, group.IgnoreChanges, "a deploy never reverts AWS's minor upgrade")
		assert.Equal(t, 5.0, group.Num("snapshotRetentionLimit"))
		assert.Equal(t, rec.Must(t, dtCacheSubnets, "data-cache-subnets").Out("name").StringValue(), group.Str("subnetGroupName"))
		assert.Equal(t, []any{rec.Must(t, dtSecGroup, "data-cache-sg").ID}, group.Plain("securityGroupIds"))

		assert.Equal(t, group.Out("primaryEndpointAddress").StringValue(), pulumimock.Await[string](t, data.Connection.CacheHost))
		assert.Equal(t, "shopstack-test-data-cache-app", pulumimock.Await[string](t, data.Connection.CacheUsername))
		assert.Equal(t, group.Out("replicationGroupId").StringValue(), pulumimock.Await[string](t, data.Connection.CacheName))

		single, _ := runData(t, dataArgs(func(a *components.DataArgs) {
			a.Cache = components.CacheArgs{Mode: components.CacheReplicationGroup, Nodes: 1}
		}))
		one := single.Must(t, dtReplGroup, "data-cache")
		assert.False(t, one.Bool("automaticFailoverEnabled"), "nothing to fail over to")
		assert.False(t, one.Bool("multiAzEnabled"))
	})

	t.Run("snapshot retention tells an explicit zero from the default", func(t *testing.T) {
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
	})
}
