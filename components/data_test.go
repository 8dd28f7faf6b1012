package components_test

import (
	"cmp"
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
	dtRoleAttachment = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
	dtServiceRole    = "aws:iam/serviceLinkedRole:ServiceLinkedRole"
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

// TestData is the component as a whole: which children each mode creates, the connection, encryption
// across the stores, physical names, preview.
func TestData(t *testing.T) {
	t.Parallel()
	t.Run("defaults: an rds instance, a serverless cache and the media bucket, nothing else", func(t *testing.T) {
		t.Parallel()
		rec, data := runData(t, dataArgs(nil))
		comp := rec.Must(t, dtData, "data")

		want := map[string][]string{
			dtSecGroup:       {"data-db-sg", "data-cache-sg"},
			dtDBSubnets:      {"data-db-subnets"},
			dtDBParams:       {"data-db-params"},
			dtDBInstance:     {"data-db"},
			dtLogGroup:       {"data-db-postgresql-logs", "data-db-upgrade-logs"},
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

		// The connection resolves to what the children report.
		db := rec.Must(t, dtDBInstance, "data-db")
		sg := rec.Must(t, dtSecGroup, "data-db-sg")
		cache := rec.Must(t, dtServerless, "data-cache")
		bucket := rec.Must(t, dtBucket, "data-media")
		c := data.Connection
		assert.Equal(t, db.Out("address").StringValue(), pulumimock.Await[string](t, c.DatabaseHost))
		assert.Equal(t, db.Out("address").StringValue(), pulumimock.Await[string](t, c.DatabaseReaderHost))
		assert.Equal(t, 5432, pulumimock.Await[int](t, c.DatabasePort))
		assert.Equal(t, "shop", pulumimock.Await[string](t, c.DatabaseName))
		assert.Equal(t, "shop_admin", pulumimock.Await[string](t, c.DatabaseUsername))
		assert.Equal(t, db.Out("masterUserSecrets[0].secretArn").StringValue(), pulumimock.Await[string](t, c.DatabaseSecretArn))
		assert.Equal(t, cache.Out("endpoints[0].address").StringValue(), pulumimock.Await[string](t, c.CacheHost))
		assert.Equal(t, 6379, pulumimock.Await[int](t, c.CachePort))
		user := rec.Must(t, dtCacheUser, "data-cache-user")
		assert.Equal(t, "shopstack-test-data-cache-app", pulumimock.Await[string](t, c.CacheUsername))
		assert.Equal(t, user.Out("arn").StringValue(), pulumimock.Await[string](t, c.CacheUserArn))
		assert.Equal(t, cache.Out("arn").StringValue(), pulumimock.Await[string](t, c.CacheArn))
		assert.Equal(t, cache.Out("name").StringValue(), pulumimock.Await[string](t, c.CacheName))
		assert.Empty(t, rec.ByType(dtRandomPassword, dtSecret, dtSecretVersion), "no cache password: its user authenticates with IAM")
		assert.Equal(t, "", pulumimock.Await[string](t, c.SearchEndpoint))
		assert.Equal(t, bucket.Out("bucket").StringValue(), pulumimock.Await[string](t, c.MediaBucketName))
		assert.Equal(t, bucket.Out("arn").StringValue(), pulumimock.Await[string](t, c.MediaBucketArn))
		assert.Equal(t, []string{db.Out("masterUserSecrets[0].secretArn").StringValue()},
			pulumimock.Await[[]string](t, c.SecretArns()), "the database's only: the cache has no secret")
		assert.Equal(t, sg.ID, pulumimock.Await[string](t, data.DatabaseSecurityGroupId))
		assert.Equal(t, "serverless", pulumimock.Await[string](t, data.CacheMode))
	})

	t.Run("defaults leave the caller's args alone", func(t *testing.T) {
		t.Parallel()
		args := dataArgs(nil)
		runData(t, args)
		assert.Equal(t, components.DatabaseArgs{}, args.Database, "withDefaults works on a copy")
		assert.Equal(t, components.CacheArgs{}, args.Cache)
		assert.Equal(t, components.SearchArgs{}, args.Search)
		assert.Equal(t, components.MediaArgs{}, args.Media)
		assert.Zero(t, args.SubnetCount)
	})

	t.Run("each mode creates exactly its children", func(t *testing.T) {
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
				a.Database = components.DatabaseArgs{Engine: components.DatabaseAuroraServerless, MultiAz: true}
				a.Cache.Mode = components.CacheNone
			}, []string{"data-db-sg", "data-db-subnets", "data-db-params", "data-db-postgresql-logs", "data-db", "data-db-writer", "data-db-reader"}},
			{"replication group cache", func(a *components.DataArgs) { a.Cache.Mode = components.CacheReplicationGroup },
				append([]string{"data-cache-sg", "data-cache-user", "data-cache-users",
					"data-cache-subnets", "data-cache"}, rds...)},
			{"search domain, no cache", func(a *components.DataArgs) {
				a.Cache.Mode = components.CacheNone
				a.Search.Mode = components.SearchDomain
			}, append([]string{"data-search-sg", "data-search-access", "data-search-app-logs", "data-search-audit-logs",
				"data-search-logs", "data-search-service-role", "data-search", "data-search-policy"}, rds...)},
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
	})

	t.Run("a KMS key encrypts every store", func(t *testing.T) {
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
				assert.Empty(t, rec.ByType(dtSecret), "no cache password to encrypt: the cache user authenticates with IAM")
				sse := rec.Must(t, dtSSE, "data-media-encryption")
				assert.Equal(t, key, sse.Str("rules[0].applyServerSideEncryptionByDefault.kmsMasterKeyId"))
			})
		}
	})

	t.Run("without a key every store still encrypts, under its AWS-managed key", func(t *testing.T) {
		t.Parallel()
		rec, _ := runData(t, dataArgs(func(a *components.DataArgs) { a.Search.Mode = components.SearchDomain }))
		db := rec.Must(t, dtDBInstance, "data-db")
		assert.True(t, db.Bool("storageEncrypted"))
		assert.False(t, db.Has("kmsKeyId"))
		assert.False(t, rec.Must(t, dtServerless, "data-cache").Has("kmsKeyId"), "ElastiCache Serverless always encrypts at rest")
		assert.True(t, rec.Must(t, dtDomain, "data-search").Bool("encryptAtRest.enabled"))
		assert.False(t, rec.Must(t, dtDomain, "data-search").Has("encryptAtRest.kmsKeyId"))
	})

	t.Run("two instances do not collide", func(t *testing.T) {
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
	})

	t.Run("long names stay unique and valid", func(t *testing.T) {
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
				limit := cmp.Or(map[string]int{"finalSnapshotIdentifier": 255, "identifier": 63}[c.key], 40)
				assert.LessOrEqual(t, len(v), limit, "%s %s", c.res, c.key)
				id := c.typ + " " + v
				assert.NotContains(t, seen, id, "%s and %s share the physical name %s", seen[id], c.res, v)
				seen[id] = c.res
			}
		}
	})

	t.Run("on a network in preview, endpoints stay unknown", func(t *testing.T) {
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
	})
}

func TestDataAllowFrom(t *testing.T) {
	t.Parallel()
	t.Run("security groups start closed: no inline rules at all", func(t *testing.T) {
		t.Parallel()
		rec, _ := runData(t, dataArgs(nil))
		comp := rec.Must(t, dtData, "data")

		// Security groups start closed: no inline rules at all.
		for _, g := range rec.ByType(dtSecGroup) {
			assert.Equal(t, comp.URN, g.Parent)
			assert.Equal(t, "vpc-123", g.Str("vpcId"), g.Name)
			assert.False(t, g.Has("ingress"), "%s: nobody is let in until AllowFrom", g.Name)
			assert.False(t, g.Has("egress"), "%s: the provider drops AWS's default allow-all egress", g.Name)
		}
	})

	t.Run("opens each service port to the caller", func(t *testing.T) {
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
	})
}
