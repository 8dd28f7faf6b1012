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

func TestDataCache(t *testing.T) {
	t.Parallel()
	t.Run("serverless by default: Valkey with usage limits, reached with a password held in Secrets Manager", func(t *testing.T) {
		t.Parallel()
		rec, _ := runData(t, dataArgs(nil))

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

	t.Run("the token never appears in plain state", func(t *testing.T) {
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
	})
}
