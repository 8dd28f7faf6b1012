package components

import (
	"cmp"
	"slices"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/elasticache"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// CacheArgs configures the cache.
type CacheArgs struct {
	// Mode is CacheNone, CacheServerless (default) or CacheReplicationGroup.
	Mode CacheMode
	// NodeType is the replication group's node type. Default "cache.t4g.micro".
	NodeType string
	// Nodes is the replication group's node count, 1-6. Default 2 (a primary
	// and a replica, with automatic failover).
	Nodes int
	// MultiAz places the replication group's replicas in other zones; it
	// needs at least 2 nodes. Default false.
	MultiAz bool
	// MaxDataStorageGb caps the serverless cache's data. Default 1.
	MaxDataStorageGb int
	// MaxEcpuPerSecond caps the serverless cache's compute. Default 5000.
	MaxEcpuPerSecond int
	// SnapshotRetentionDays keeps daily snapshots this long: 1-35 days, or an
	// explicit 0 for none (never with ProductionGrade). A pointer so that an
	// explicit 0 is not taken for the default. Default (nil) 1.
	SnapshotRetentionDays *int
}

func (a *CacheArgs) withDefaults() CacheArgs {
	out := *a
	out.Mode = cmp.Or(out.Mode, CacheServerless)
	out.NodeType = cmp.Or(out.NodeType, "cache.t4g.micro")
	out.Nodes = cmp.Or(out.Nodes, 2)
	out.MaxDataStorageGb = cmp.Or(out.MaxDataStorageGb, 1)
	out.MaxEcpuPerSecond = cmp.Or(out.MaxEcpuPerSecond, 5000)
	if out.SnapshotRetentionDays == nil {
		out.SnapshotRetentionDays = pulumi.IntRef(1)
	}
	return out
}

func (a *DataArgs) validateCache(e *argErrors) {
	c := a.Cache
	if !slices.Contains(CacheModes, c.Mode) {
		e.bad("Cache.Mode", "%q is not one of %s", c.Mode, quoted(CacheModes))
	}
	if c.Mode == CacheReplicationGroup {
		if !strings.HasPrefix(c.NodeType, "cache.") {
			e.bad("Cache.NodeType", "%q does not start with \"cache.\"", c.NodeType)
		}
		if c.Nodes < 1 || c.Nodes > 6 {
			e.bad("Cache.Nodes", "%d is out of range [1, 6]", c.Nodes)
		}
		if c.MultiAz && c.Nodes < 2 {
			e.bad("Cache.MultiAz", "a Multi-AZ cache needs at least 2 nodes, Cache.Nodes is %d", c.Nodes)
		}
	}
	if c.Mode == CacheServerless {
		if c.MaxDataStorageGb < 1 || c.MaxDataStorageGb > 5000 {
			e.bad("Cache.MaxDataStorageGb", "%d is out of range [1, 5000]", c.MaxDataStorageGb)
		}
		if c.MaxEcpuPerSecond < 1000 || c.MaxEcpuPerSecond > 15000000 {
			e.bad("Cache.MaxEcpuPerSecond", "%d is out of range [1000, 15000000]", c.MaxEcpuPerSecond)
		}
	}
	if days := *c.SnapshotRetentionDays; days < 0 || days > 35 {
		e.bad("Cache.SnapshotRetentionDays", "%d is out of range [0, 35]", days)
	}

	if !a.ProductionGrade {
		return
	}
	if c.Mode != CacheNone && *c.SnapshotRetentionDays < 1 {
		rejectInProduction(e, "Cache.SnapshotRetentionDays", "%d is below 1 day", *c.SnapshotRetentionDays)
	}
	if c.Mode == CacheReplicationGroup && (c.Nodes < 2 || !c.MultiAz) {
		rejectInProduction(e, "Cache.MultiAz", "a replication group must be Multi-AZ with at least 2 nodes (Nodes is %d)", c.Nodes)
	}
}

// cache creates the cache's user, then the serverless cache or the replication group that admits it.
func (d *Data) cache(ctx *pulumi.Context, name string, a DataArgs, sg *ec2.SecurityGroup, conn *Connection) error {
	user, group, err := d.cacheUser(ctx, name)
	if err != nil {
		return err
	}
	conn.CacheUsername = user.UserName
	conn.CacheUserArn = user.Arn
	if a.Cache.Mode == CacheServerless {
		return d.serverlessCache(ctx, name, a, sg, group, conn)
	}
	return d.replicationGroup(ctx, name, a, sg, group, conn)
}

// cacheUser is the one user services connect as, in a group of its own, and it authenticates with IAM: a
// client signs a short-lived token (SigV4, valid 15 minutes) with its role's credentials, which need
// elasticache:Connect on the cache and on this user. No password exists, so there is nothing to store,
// leak or rotate. IAM authentication wants the user id and user name equal, TLS (always on here) and Valkey
// 7.2 or later. The user may run every command but the dangerous ones; a Valkey user group needs no
// "default" user (it admits only users that authenticate).
func (d *Data) cacheUser(ctx *pulumi.Context, name string) (*elasticache.User, *elasticache.UserGroup, error) {
	parent := pulumi.Parent(d)
	id := pulumi.String(stackName(ctx, name, "cache-app", 40))
	user, err := elasticache.NewUser(ctx, name+"-cache-user", &elasticache.UserArgs{
		UserId:             id,
		UserName:           id,
		Engine:             pulumi.String("valkey"),
		AccessString:       pulumi.String("on ~* &* +@all -@dangerous"),
		AuthenticationMode: &elasticache.UserAuthenticationModeArgs{Type: pulumi.String("iam")},
	}, parent)
	if err != nil {
		return nil, nil, err
	}
	group, err := elasticache.NewUserGroup(ctx, name+"-cache-users", &elasticache.UserGroupArgs{
		UserGroupId: pulumi.String(stackName(ctx, name, "cache", 40)),
		Engine:      pulumi.String("valkey"),
		UserIds:     pulumi.StringArray{user.UserId},
	}, parent)
	if err != nil {
		return nil, nil, err
	}
	return user, group, nil
}

// serverlessCache is ElastiCache Serverless (Valkey 8) with usage limits.
func (d *Data) serverlessCache(ctx *pulumi.Context, name string, a DataArgs, sg *ec2.SecurityGroup,
	group *elasticache.UserGroup, conn *Connection) error {
	c := a.Cache
	cache, err := elasticache.NewServerlessCache(ctx, name+"-cache", &elasticache.ServerlessCacheArgs{
		Engine:             pulumi.String("valkey"),
		MajorEngineVersion: pulumi.String("8"),
		Description:        pulumi.String(name + " cache"),
		SubnetIds:          a.SubnetIds,
		SecurityGroupIds:   pulumi.StringArray{sg.ID()},
		UserGroupId:        group.UserGroupId,
		KmsKeyId:           a.KmsKeyArn,
		CacheUsageLimits: &elasticache.ServerlessCacheCacheUsageLimitsArgs{
			DataStorage: &elasticache.ServerlessCacheCacheUsageLimitsDataStorageArgs{
				Maximum: pulumi.Int(c.MaxDataStorageGb),
				Unit:    pulumi.String("GB"),
			},
			EcpuPerSeconds: elasticache.ServerlessCacheCacheUsageLimitsEcpuPerSecondArray{
				&elasticache.ServerlessCacheCacheUsageLimitsEcpuPerSecondArgs{Maximum: pulumi.Int(c.MaxEcpuPerSecond)},
			},
		},
		SnapshotRetentionLimit: pulumi.Int(*c.SnapshotRetentionDays),
		DailySnapshotTime:      pulumi.String("03:00"),
	}, pulumi.Parent(d))
	if err != nil {
		return err
	}
	d.watched.cache = cache.Name
	first := cache.Endpoints.Index(pulumi.Int(0))
	conn.CacheHost = first.Address()
	conn.CachePort = first.Port()
	conn.CacheName = cache.Name
	conn.CacheArn = cache.Arn
	return nil
}

// replicationGroup is a Valkey 8 replication group of Nodes nodes, encrypted at rest and in transit, that
// fails over automatically when it has a replica. It admits only the user group's IAM user.
func (d *Data) replicationGroup(ctx *pulumi.Context, name string, a DataArgs, sg *ec2.SecurityGroup,
	users *elasticache.UserGroup, conn *Connection) error {
	parent := pulumi.Parent(d)
	c := a.Cache
	subnets, err := elasticache.NewSubnetGroup(ctx, name+"-cache-subnets", &elasticache.SubnetGroupArgs{
		Description: pulumi.String(name + " cache: private subnets"),
		SubnetIds:   a.SubnetIds,
	}, parent)
	if err != nil {
		return err
	}
	group, err := elasticache.NewReplicationGroup(ctx, name+"-cache", &elasticache.ReplicationGroupArgs{
		Description:              pulumi.String(name + " cache"),
		Engine:                   pulumi.String("valkey"),
		EngineVersion:            pulumi.String("8.0"),
		NodeType:                 pulumi.String(c.NodeType),
		NumCacheClusters:         pulumi.Int(c.Nodes),
		AutomaticFailoverEnabled: pulumi.Bool(c.Nodes >= 2),
		MultiAzEnabled:           pulumi.Bool(c.MultiAz),
		AtRestEncryptionEnabled:  pulumi.Bool(true),
		KmsKeyId:                 a.KmsKeyArn,
		TransitEncryptionEnabled: pulumi.Bool(true),
		UserGroupIds:             pulumi.StringArray{users.UserGroupId},
		SubnetGroupName:          subnets.Name,
		SecurityGroupIds:         pulumi.StringArray{sg.ID()},
		Port:                     pulumi.Int(CachePort),
		SnapshotRetentionLimit:   pulumi.Int(*c.SnapshotRetentionDays),
		AutoMinorVersionUpgrade:  pulumi.Bool(true),
	}, parent, engineVersionFollowsAWS())
	if err != nil {
		return err
	}
	d.watched.cache = group.ID().ToStringOutput()
	conn.CacheHost = group.PrimaryEndpointAddress
	conn.CachePort = pulumi.Int(CachePort).ToIntOutput()
	conn.CacheName = group.ReplicationGroupId
	conn.CacheArn = group.Arn
	return nil
}
