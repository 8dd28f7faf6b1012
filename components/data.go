package components

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/elasticache"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/opensearch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/rds"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/s3"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/secretsmanager"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/vpc"
	"github.com/pulumi/pulumi-random/sdk/v4/go/random"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// DataType is the Data component's type token.
const DataType = "shopstack:index:Data"

// DatabaseEngine picks the PostgreSQL flavour.
type DatabaseEngine string

const (
	// DatabaseRDS is an RDS for PostgreSQL 16 instance on gp3 storage.
	DatabaseRDS DatabaseEngine = "rds"
	// DatabaseAuroraServerless is Aurora PostgreSQL with Serverless v2
	// capacity; MinCapacity 0 lets an idle cluster pause.
	DatabaseAuroraServerless DatabaseEngine = "auroraServerless"
)

// CacheMode picks the cache, if any.
type CacheMode string

const (
	// CacheNone creates no cache.
	CacheNone CacheMode = "none"
	// CacheServerless is ElastiCache Serverless (Valkey) with usage limits.
	CacheServerless CacheMode = "serverless"
	// CacheReplicationGroup is a Valkey replication group of Nodes nodes.
	CacheReplicationGroup CacheMode = "replicationGroup"
)

// SearchMode picks the search engine, if any.
type SearchMode string

const (
	// SearchNone creates no search domain.
	SearchNone SearchMode = "none"
	// SearchDomain is an OpenSearch domain in the private subnets.
	SearchDomain SearchMode = "domain"
)

// Allowed values, for validation messages and stack config checks.
var (
	DatabaseEngines = []DatabaseEngine{DatabaseRDS, DatabaseAuroraServerless}
	CacheModes      = []CacheMode{CacheNone, CacheServerless, CacheReplicationGroup}
	SearchModes     = []SearchMode{SearchNone, SearchDomain}
)

// Ports the data services listen on.
const (
	PostgresPort = 5432
	CachePort    = 6379
	// CacheReaderPort is ElastiCache Serverless's read-from-replica port.
	CacheReaderPort = 6380
	SearchPort      = 443
)

// Backup retention: the default, and the least a ProductionGrade Data accepts.
const (
	DefaultBackupRetentionDays       = 7
	ProductionMinBackupRetentionDays = 7
)

// DataArgs configures a Data component.
type DataArgs struct {
	// VpcId is the network's VPC. Required.
	VpcId pulumi.StringInput
	// SubnetIds are private subnets in distinct zones, at least 2. Required.
	SubnetIds pulumi.StringArrayInput
	// SubnetCount is len(SubnetIds); it decides how many zones OpenSearch
	// spans, so it must be a plain value. Default 2.
	SubnetCount int
	// AllowedSecurityGroupIds are let in to every data service from the
	// start (more can be added with Data.AllowFrom). Default none.
	AllowedSecurityGroupIds []pulumi.StringInput
	// KmsKeyArn encrypts storage, secrets' data keys aside, with a customer
	// managed key. Default: each service's AWS-managed key.
	KmsKeyArn pulumi.StringInput
	// ProductionGrade rejects settings that lose data or availability: backups
	// under 7 days (an explicit 0 included), no deletion protection, a skipped
	// final snapshot, a single zone database, an Aurora cluster that pauses,
	// cache snapshots off, a single-node cache or search domain. Default false.
	ProductionGrade bool
	// AllowDeletion turns deletion protection off and lets `pulumi destroy`
	// empty the media bucket. Default false: protected.
	AllowDeletion bool
	// SkipFinalSnapshot deletes the database without a final snapshot.
	// Default false: a final snapshot is taken.
	SkipFinalSnapshot bool

	// Database configures PostgreSQL. Default: an rds db.t4g.micro instance
	// (each field's default is on DatabaseArgs).
	Database DatabaseArgs
	// Cache configures the cache. Default: ElastiCache Serverless (Valkey).
	Cache CacheArgs
	// Search configures OpenSearch. Default: none.
	Search SearchArgs
	// Media configures the media bucket, which always exists. Defaults on MediaArgs.
	Media MediaArgs
}

// DatabaseArgs configures the PostgreSQL database.
type DatabaseArgs struct {
	// Engine is DatabaseRDS (default) or DatabaseAuroraServerless.
	Engine DatabaseEngine
	// InstanceClass is the rds instance class. Default "db.t4g.micro".
	InstanceClass string
	// AllocatedStorageGb is the rds gp3 storage. Default 20 (the gp3 minimum).
	AllocatedStorageGb int
	// MaxAllocatedStorageGb lets rds grow storage up to this. Default 0: no autoscaling.
	MaxAllocatedStorageGb int
	// MinCapacity is the Aurora floor in ACUs; 0 pauses an idle cluster. Default 0.
	MinCapacity float64
	// MaxCapacity is the Aurora ceiling in ACUs. Default 4.
	MaxCapacity float64
	// SecondsUntilAutoPause is the idle time before an Aurora cluster with
	// MinCapacity 0 pauses. Default 300.
	SecondsUntilAutoPause int
	// MultiAZ adds a standby in another zone (rds) or a reader instance
	// (Aurora). Default false.
	MultiAZ bool
	// BackupRetentionDays keeps automated backups this long: 1-35 days, or an
	// explicit 0 to turn automated backups off (rds only, never with
	// ProductionGrade). A pointer so that an explicit 0 is not taken for the
	// default. Default (nil) 7.
	BackupRetentionDays *int
	// Name is the database created in it. Default "shop".
	Name string
	// Username is the master user; its password is generated and kept in
	// Secrets Manager by RDS. Default "shop_admin".
	Username string
	// PerformanceInsightsRetentionDays is 7 (free, default) or a multiple of 31 up to 731.
	PerformanceInsightsRetentionDays int
	// LogRetentionDays keeps the exported PostgreSQL (and upgrade) logs. Default 30.
	LogRetentionDays int
}

// CacheArgs configures the cache.
type CacheArgs struct {
	// Mode is CacheNone, CacheServerless (default) or CacheReplicationGroup.
	Mode CacheMode
	// NodeType is the replication group's node type. Default "cache.t4g.micro".
	NodeType string
	// Nodes is the replication group's node count, 1-6. Default 2 (a primary
	// and a replica, with automatic failover).
	Nodes int
	// MultiAZ places the replication group's replicas in other zones; it
	// needs at least 2 nodes. Default false.
	MultiAZ bool
	// MaxDataStorageGb caps the serverless cache's data. Default 1.
	MaxDataStorageGb int
	// MaxECPUPerSecond caps the serverless cache's compute. Default 5000.
	MaxECPUPerSecond int
	// SnapshotRetentionDays keeps daily snapshots this long: 1-35 days, or an
	// explicit 0 for none (never with ProductionGrade). A pointer so that an
	// explicit 0 is not taken for the default. Default (nil) 1.
	SnapshotRetentionDays *int
}

// SearchArgs configures the search domain.
type SearchArgs struct {
	// Mode is SearchNone (default) or SearchDomain.
	Mode SearchMode
	// InstanceType is the data node type. Default "t3.small.search".
	InstanceType string
	// Instances is the data node count. Default 1.
	Instances int
	// ZoneAwareness spreads nodes over zones; it needs at least 2 nodes and
	// uses min(Instances, SubnetCount, 3) zones. Default false.
	ZoneAwareness bool
	// VolumeGb is each node's gp3 volume. Default 10.
	VolumeGb int
	// EngineVersion is the OpenSearch version. Default "OpenSearch_2.17".
	EngineVersion string
	// MasterRoleArn is the IAM role mapped to the fine-grained access control
	// master user, and the only principal the access policy admits. Default:
	// a new role `<name>-search-access` that principals of this account may
	// assume (give the Api's task role sts:AssumeRole on it).
	MasterRoleArn pulumi.StringInput
	// LogRetentionDays keeps the application and audit logs. Default 30.
	LogRetentionDays int
}

// MediaArgs configures the media bucket (product images, invoices).
type MediaArgs struct {
	// InvoicesPrefix is the key prefix archived to Glacier. Default "invoices/".
	InvoicesPrefix string
	// NoncurrentExpirationDays deletes old object versions after this long
	// (they move to Glacier after 30 days). Default 365.
	NoncurrentExpirationDays int
}

// Connection is everything a service needs to reach the data services. Fields
// of a service that is not created hold "" (and 0 for ports).
type Connection struct {
	DatabaseHost pulumi.StringOutput
	// DatabaseReaderHost is the Aurora reader endpoint; the writer's host for rds.
	DatabaseReaderHost pulumi.StringOutput
	DatabasePort       pulumi.IntOutput
	DatabaseName       pulumi.StringOutput
	DatabaseUsername   pulumi.StringOutput
	// DatabaseSecretArn is the RDS-managed master secret (JSON with "username" and "password").
	DatabaseSecretArn pulumi.StringOutput

	CacheHost pulumi.StringOutput
	CachePort pulumi.IntOutput
	// CacheUsername is the user to AUTH as ("default" for a replication group).
	CacheUsername pulumi.StringOutput
	// CacheAuthSecretArn holds the cache password as a plain secret string.
	CacheAuthSecretArn pulumi.StringOutput

	// SearchEndpoint is "https://<host>" of the OpenSearch domain.
	SearchEndpoint  pulumi.StringOutput
	SearchDomainArn pulumi.StringOutput
	// SearchRoleArn is the role that OpenSearch maps to its master user.
	SearchRoleArn pulumi.StringOutput

	MediaBucketName pulumi.StringOutput
	MediaBucketArn  pulumi.StringOutput
}

// SecretArns lists the secrets a service reading this connection needs (the
// database master secret and, with a cache, its auth secret).
func (c Connection) SecretArns() pulumi.StringArrayOutput {
	return pulumi.All(c.DatabaseSecretArn, c.CacheAuthSecretArn).ApplyT(func(v []any) []string {
		var out []string
		for _, s := range v {
			if s, _ := s.(string); s != "" {
				out = append(out, s)
			}
		}
		return out
	}).(pulumi.StringArrayOutput)
}

// Data is the shop's state: PostgreSQL, a cache, search and a media bucket.
type Data struct {
	pulumi.ResourceState

	// Connection is the typed value the Api is built from.
	Connection Connection

	DatabaseSecurityGroupId pulumi.StringOutput `pulumi:"databaseSecurityGroupId"`
	CacheSecurityGroupId    pulumi.StringOutput `pulumi:"cacheSecurityGroupId"`
	SearchSecurityGroupId   pulumi.StringOutput `pulumi:"searchSecurityGroupId"`
	DatabaseEngine          pulumi.StringOutput `pulumi:"databaseEngine"`
	CacheMode               pulumi.StringOutput `pulumi:"cacheMode"`
	SearchMode              pulumi.StringOutput `pulumi:"searchMode"`

	name    string
	ingress []dataIngress
}

// dataIngress is one security group a caller may be let in to, on one port.
type dataIngress struct {
	suffix string
	sg     *ec2.SecurityGroup
	port   int
}

func (a *DataArgs) applyDefaults() {
	a.SubnetCount = cmp.Or(a.SubnetCount, 2)
	d := &a.Database
	d.Engine = cmp.Or(d.Engine, DatabaseRDS)
	d.InstanceClass = cmp.Or(d.InstanceClass, "db.t4g.micro")
	d.AllocatedStorageGb = cmp.Or(d.AllocatedStorageGb, 20)
	d.MaxCapacity = cmp.Or(d.MaxCapacity, 4)
	d.SecondsUntilAutoPause = cmp.Or(d.SecondsUntilAutoPause, 300)
	if d.BackupRetentionDays == nil {
		d.BackupRetentionDays = pulumi.IntRef(DefaultBackupRetentionDays)
	}
	d.Name = cmp.Or(d.Name, "shop")
	d.Username = cmp.Or(d.Username, "shop_admin")
	d.LogRetentionDays = cmp.Or(d.LogRetentionDays, 30)
	d.PerformanceInsightsRetentionDays = cmp.Or(d.PerformanceInsightsRetentionDays, 7)
	c := &a.Cache
	c.Mode = cmp.Or(c.Mode, CacheServerless)
	c.NodeType = cmp.Or(c.NodeType, "cache.t4g.micro")
	c.Nodes = cmp.Or(c.Nodes, 2)
	c.MaxDataStorageGb = cmp.Or(c.MaxDataStorageGb, 1)
	c.MaxECPUPerSecond = cmp.Or(c.MaxECPUPerSecond, 5000)
	if c.SnapshotRetentionDays == nil {
		c.SnapshotRetentionDays = pulumi.IntRef(1)
	}
	s := &a.Search
	s.Mode = cmp.Or(s.Mode, SearchNone)
	s.InstanceType = cmp.Or(s.InstanceType, "t3.small.search")
	s.Instances = cmp.Or(s.Instances, 1)
	s.VolumeGb = cmp.Or(s.VolumeGb, 10)
	s.EngineVersion = cmp.Or(s.EngineVersion, "OpenSearch_2.17")
	s.LogRetentionDays = cmp.Or(s.LogRetentionDays, 30)
	m := &a.Media
	m.InvoicesPrefix = cmp.Or(m.InvoicesPrefix, "invoices/")
	m.NoncurrentExpirationDays = cmp.Or(m.NoncurrentExpirationDays, 365)
}

func (a *DataArgs) validate() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if a.VpcId == nil {
		bad("VpcId: required")
	}
	if a.SubnetIds == nil {
		bad("SubnetIds: required (the network's private subnets)")
	}
	if a.SubnetCount < 2 {
		bad("SubnetCount: %d; RDS and ElastiCache need subnets in at least 2 zones", a.SubnetCount)
	}

	d := a.Database
	if !slices.Contains(DatabaseEngines, d.Engine) {
		bad("Database.Engine: %q is not one of %v", d.Engine, DatabaseEngines)
	}
	if !strings.HasPrefix(d.InstanceClass, "db.") {
		bad("Database.InstanceClass: %q does not start with \"db.\"", d.InstanceClass)
	}
	if d.AllocatedStorageGb < 20 || d.AllocatedStorageGb > 65536 {
		bad("Database.AllocatedStorageGb: %d is out of range [20, 65536] (gp3)", d.AllocatedStorageGb)
	}
	if d.MaxAllocatedStorageGb != 0 && d.MaxAllocatedStorageGb <= d.AllocatedStorageGb {
		bad("Database.MaxAllocatedStorageGb: %d must be 0 (no autoscaling) or above AllocatedStorageGb %d",
			d.MaxAllocatedStorageGb, d.AllocatedStorageGb)
	}
	if d.MinCapacity < 0 || d.MaxCapacity > 256 || d.MinCapacity > d.MaxCapacity || d.MaxCapacity < 1 {
		bad("Database.MinCapacity/MaxCapacity: %g-%g ACU; want 0 <= MinCapacity <= MaxCapacity, 1 <= MaxCapacity <= 256",
			d.MinCapacity, d.MaxCapacity)
	}
	if halfSteps := func(acu float64) bool { return math.Mod(acu*2, 1) == 0 }; !halfSteps(d.MinCapacity) || !halfSteps(d.MaxCapacity) {
		bad("Database.MinCapacity/MaxCapacity: %g-%g ACU; want multiples of 0.5 (Aurora Serverless v2 steps)",
			d.MinCapacity, d.MaxCapacity)
	}
	if d.SecondsUntilAutoPause < 300 || d.SecondsUntilAutoPause > 86400 {
		bad("Database.SecondsUntilAutoPause: %d is out of range [300, 86400]", d.SecondsUntilAutoPause)
	}
	switch backups := *d.BackupRetentionDays; {
	case backups == 0 && d.Engine == DatabaseAuroraServerless:
		bad("Database.BackupRetentionDays: 0 is not allowed for %s; want 1-35 (Aurora always keeps backups)", d.Engine)
	case backups < 0 || backups > 35:
		bad("Database.BackupRetentionDays: %d is out of range; want 1-35, or 0 to turn automated backups off (rds only)", backups)
	}
	if !IsLogRetention(d.LogRetentionDays) {
		bad("Database.LogRetentionDays: %d is not a CloudWatch Logs retention; allowed: %v", d.LogRetentionDays, LogRetentionDays)
	}
	if p := d.PerformanceInsightsRetentionDays; p != 7 && (p%31 != 0 || p < 31 || p > 731) {
		bad("Database.PerformanceInsightsRetentionDays: %d; want 7 or a multiple of 31 up to 731", p)
	}
	if !identifier(d.Name, 63) {
		bad("Database.Name: %q; want a letter then letters, digits or _ (at most 63)", d.Name)
	}
	if !identifier(d.Username, 63) || slices.Contains([]string{"postgres", "rdsadmin", "admin"}, d.Username) {
		bad("Database.Username: %q; want a letter then letters, digits or _, not a reserved name", d.Username)
	}

	c := a.Cache
	if !slices.Contains(CacheModes, c.Mode) {
		bad("Cache.Mode: %q is not one of %v", c.Mode, CacheModes)
	}
	if c.Mode == CacheReplicationGroup {
		if !strings.HasPrefix(c.NodeType, "cache.") {
			bad("Cache.NodeType: %q does not start with \"cache.\"", c.NodeType)
		}
		if c.Nodes < 1 || c.Nodes > 6 {
			bad("Cache.Nodes: %d is out of range [1, 6]", c.Nodes)
		}
		if c.MultiAZ && c.Nodes < 2 {
			bad("Cache.MultiAZ: a Multi-AZ cache needs at least 2 nodes, Cache.Nodes is %d", c.Nodes)
		}
	}
	if c.Mode == CacheServerless {
		if c.MaxDataStorageGb < 1 || c.MaxDataStorageGb > 5000 {
			bad("Cache.MaxDataStorageGb: %d is out of range [1, 5000]", c.MaxDataStorageGb)
		}
		if c.MaxECPUPerSecond < 1000 || c.MaxECPUPerSecond > 15000000 {
			bad("Cache.MaxECPUPerSecond: %d is out of range [1000, 15000000]", c.MaxECPUPerSecond)
		}
	}
	if days := *c.SnapshotRetentionDays; days < 0 || days > 35 {
		bad("Cache.SnapshotRetentionDays: %d is out of range [0, 35]", days)
	}

	s := a.Search
	if !slices.Contains(SearchModes, s.Mode) {
		bad("Search.Mode: %q is not one of %v", s.Mode, SearchModes)
	}
	if s.Mode == SearchDomain {
		if !strings.HasSuffix(s.InstanceType, ".search") {
			bad("Search.InstanceType: %q does not end with \".search\"", s.InstanceType)
		}
		if s.Instances < 1 || s.Instances > 80 {
			bad("Search.Instances: %d is out of range [1, 80]", s.Instances)
		}
		if s.ZoneAwareness && s.Instances < 2 {
			bad("Search.ZoneAwareness: zone awareness needs at least 2 nodes, Search.Instances is %d", s.Instances)
		}
		// OpenSearch refuses an odd node count over two zones.
		if s.ZoneAwareness && a.searchZones() == 2 && s.Instances%2 != 0 {
			bad("Search.Instances: %d nodes cannot spread evenly over 2 zones (SubnetCount %d); want an even number, or 3 subnets",
				s.Instances, a.SubnetCount)
		}
		if s.VolumeGb < 10 {
			bad("Search.VolumeGb: %d is below 10 (the gp3 minimum)", s.VolumeGb)
		}
		if !IsLogRetention(s.LogRetentionDays) {
			bad("Search.LogRetentionDays: %d is not a CloudWatch Logs retention; allowed: %v", s.LogRetentionDays, LogRetentionDays)
		}
	}

	m := a.Media
	if m.InvoicesPrefix == "/" || !strings.HasSuffix(m.InvoicesPrefix, "/") {
		bad("Media.InvoicesPrefix: %q; want a folder prefix ending in \"/\"", m.InvoicesPrefix)
	}
	if m.NoncurrentExpirationDays <= 30 {
		bad("Media.NoncurrentExpirationDays: %d; want more than 30 (versions move to Glacier at 30 days)", m.NoncurrentExpirationDays)
	}

	if a.ProductionGrade {
		prod := func(field, format string, args ...any) {
			bad("%s: %s (ProductionGrade)", field, fmt.Sprintf(format, args...))
		}
		if *d.BackupRetentionDays < ProductionMinBackupRetentionDays {
			prod("Database.BackupRetentionDays", "%d is below %d days", *d.BackupRetentionDays, ProductionMinBackupRetentionDays)
		}
		if !d.MultiAZ {
			prod("Database.MultiAZ", "must be true")
		}
		if d.Engine == DatabaseAuroraServerless && d.MinCapacity == 0 {
			prod("Database.MinCapacity", "0 pauses the cluster when idle; want at least 0.5 ACU")
		}
		if a.AllowDeletion {
			prod("AllowDeletion", "must be false: deletion protection stays on")
		}
		if a.SkipFinalSnapshot {
			prod("SkipFinalSnapshot", "must be false: deleting the database keeps a final snapshot")
		}
		if c.Mode != CacheNone && *c.SnapshotRetentionDays < 1 {
			prod("Cache.SnapshotRetentionDays", "%d is below 1 day", *c.SnapshotRetentionDays)
		}
		if c.Mode == CacheReplicationGroup && (c.Nodes < 2 || !c.MultiAZ) {
			prod("Cache.MultiAZ", "a replication group must be Multi-AZ with at least 2 nodes (Nodes is %d)", c.Nodes)
		}
		if s.Mode == SearchDomain && (s.Instances < 2 || !s.ZoneAwareness) {
			prod("Search.ZoneAwareness", "a search domain must be zone aware with at least 2 nodes (Instances is %d)", s.Instances)
		}
	}
	return errors.Join(errs...)
}

// searchZones is how many zones the search domain spans: 1 without zone
// awareness, else one per node up to the subnets' zones and OpenSearch's 3.
func (a *DataArgs) searchZones() int {
	if !a.Search.ZoneAwareness {
		return 1
	}
	return min(a.Search.Instances, a.SubnetCount, 3)
}

// identifier reports whether s is a PostgreSQL-style identifier of at most max characters.
func identifier(s string, max int) bool {
	letter := func(r rune) bool { return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' }
	if s == "" || len(s) > max || !letter(rune(s[0])) {
		return false
	}
	for _, r := range s {
		if !letter(r) && (r < '0' || r > '9') && r != '_' {
			return false
		}
	}
	return true
}

// NewData creates the database, cache, search domain and media bucket.
func NewData(ctx *pulumi.Context, name string, args *DataArgs, opts ...pulumi.ResourceOption) (*Data, error) {
	a := DataArgs{}
	if args != nil {
		a = *args
	}
	a.applyDefaults()
	if err := a.validate(); err != nil {
		return nil, fmt.Errorf("data %q: %w", name, err)
	}

	d := &Data{name: name}
	if err := ctx.RegisterComponentResource(DataType, name, d, opts...); err != nil {
		return nil, err
	}
	empty := pulumi.String("").ToStringOutput()
	zero := pulumi.Int(0).ToIntOutput()
	conn := Connection{
		CacheHost: empty, CachePort: zero, CacheUsername: empty, CacheAuthSecretArn: empty,
		SearchEndpoint: empty, SearchDomainArn: empty, SearchRoleArn: empty,
	}
	d.CacheSecurityGroupId, d.SearchSecurityGroupId = empty, empty

	if err := d.database(ctx, name, a, &conn); err != nil {
		return nil, err
	}
	if a.Cache.Mode != CacheNone {
		if err := d.cache(ctx, name, a, &conn); err != nil {
			return nil, err
		}
	}
	if a.Search.Mode == SearchDomain {
		if err := d.search(ctx, name, a, &conn); err != nil {
			return nil, err
		}
	}
	if err := d.media(ctx, name, a, &conn); err != nil {
		return nil, err
	}
	for i, sg := range a.AllowedSecurityGroupIds {
		if err := d.AllowFrom(ctx, fmt.Sprintf("allowed-%d", i+1), sg); err != nil {
			return nil, err
		}
	}

	d.Connection = conn
	d.DatabaseEngine = pulumi.String(string(a.Database.Engine)).ToStringOutput()
	d.CacheMode = pulumi.String(string(a.Cache.Mode)).ToStringOutput()
	d.SearchMode = pulumi.String(string(a.Search.Mode)).ToStringOutput()
	return d, ctx.RegisterResourceOutputs(d, pulumi.Map{
		"databaseHost":            conn.DatabaseHost,
		"databaseReaderHost":      conn.DatabaseReaderHost,
		"databasePort":            conn.DatabasePort,
		"databaseName":            conn.DatabaseName,
		"databaseSecretArn":       conn.DatabaseSecretArn,
		"cacheHost":               conn.CacheHost,
		"cachePort":               conn.CachePort,
		"cacheAuthSecretArn":      conn.CacheAuthSecretArn,
		"searchEndpoint":          conn.SearchEndpoint,
		"searchRoleArn":           conn.SearchRoleArn,
		"mediaBucketName":         conn.MediaBucketName,
		"mediaBucketArn":          conn.MediaBucketArn,
		"databaseSecurityGroupId": d.DatabaseSecurityGroupId,
		"cacheSecurityGroupId":    d.CacheSecurityGroupId,
		"searchSecurityGroupId":   d.SearchSecurityGroupId,
		"databaseEngine":          d.DatabaseEngine,
		"cacheMode":               d.CacheMode,
		"searchMode":              d.SearchMode,
	})
}

// AllowFrom lets the security group sgID reach every data service on its port,
// through ingress rules named `<data name>-allow-<from>-<service>`.
func (d *Data) AllowFrom(ctx *pulumi.Context, from string, sgID pulumi.StringInput) error {
	for _, in := range d.ingress {
		if _, err := vpc.NewSecurityGroupIngressRule(ctx, fmt.Sprintf("%s-allow-%s-%s", d.name, from, in.suffix),
			&vpc.SecurityGroupIngressRuleArgs{
				SecurityGroupId:           in.sg.ID(),
				ReferencedSecurityGroupId: sgID,
				IpProtocol:                pulumi.String("tcp"),
				FromPort:                  pulumi.Int(in.port),
				ToPort:                    pulumi.Int(in.port),
				Description:               pulumi.String(fmt.Sprintf("%s from %s", in.suffix, from)),
			}, pulumi.Parent(d)); err != nil {
			return err
		}
	}
	return nil
}

// securityGroup creates a group with no rules: nothing gets in until AllowFrom,
// and the provider removes AWS's default allow-all egress.
func (d *Data) securityGroup(ctx *pulumi.Context, name, service string, vpcID pulumi.StringInput) (*ec2.SecurityGroup, error) {
	return ec2.NewSecurityGroup(ctx, name+"-"+service+"-sg", &ec2.SecurityGroupArgs{
		VpcId:       vpcID,
		Description: pulumi.String(fmt.Sprintf("%s %s: callers are added one by one", name, service)),
		Tags:        pulumi.StringMap{"Name": pulumi.String(name + "-" + service)},
	}, pulumi.Parent(d))
}

// stackName is a physical name for the few AWS resources the provider does not
// autoname: unique per project, stack and component. It keeps to the strictest
// of their rules (ElastiCache user and group ids, RDS snapshot identifiers):
// lower-case letters, digits and single hyphens, a letter first, no hyphen last,
// at most max characters. When that meant changing or cutting the name, a hash
// of the original ends it, so "a_b" and "a.b", or two long names sharing a
// prefix, still get different names.
func stackName(ctx *pulumi.Context, name, suffix string, max int) string {
	full := fmt.Sprintf("%s-%s-%s-%s", ctx.Project(), ctx.Stack(), name, suffix)
	var b strings.Builder
	for _, r := range strings.ToLower(full) {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			b.WriteRune(r)
		case b.Len() > 0 && !strings.HasSuffix(b.String(), "-"):
			b.WriteByte('-')
		}
	}
	s := strings.TrimRight(b.String(), "-")
	switch {
	case s == "":
		s = "n"
	case s[0] < 'a' || s[0] > 'z':
		s = "n-" + s
	}
	if s == full && len(s) <= max {
		return s
	}
	sum := sha256.Sum256([]byte(full))
	tag := hex.EncodeToString(sum[:4])
	if len(s) > max-len(tag)-1 {
		s = strings.TrimRight(s[:max-len(tag)-1], "-")
	}
	return s + "-" + tag
}

func (d *Data) database(ctx *pulumi.Context, name string, a DataArgs, conn *Connection) error {
	parent := pulumi.Parent(d)
	db := a.Database
	sg, err := d.securityGroup(ctx, name, "db", a.VpcId)
	if err != nil {
		return err
	}
	d.ingress = append(d.ingress, dataIngress{"db", sg, PostgresPort})
	d.DatabaseSecurityGroupId = sg.ID().ToStringOutput()

	subnets, err := rds.NewSubnetGroup(ctx, name+"-db-subnets", &rds.SubnetGroupArgs{
		Description: pulumi.String(name + " database: private subnets"),
		SubnetIds:   a.SubnetIds,
	}, parent)
	if err != nil {
		return err
	}
	// Clients must use TLS; DDL and slow statements land in the exported logs.
	params := func(applyMethod string) []map[string]string {
		return []map[string]string{
			{"name": "rds.force_ssl", "value": "1", "apply": applyMethod},
			{"name": "log_statement", "value": "ddl", "apply": applyMethod},
			{"name": "log_min_duration_statement", "value": "1000", "apply": applyMethod},
		}
	}
	deletionProtection := pulumi.Bool(!a.AllowDeletion)
	var finalSnapshot pulumi.StringPtrInput
	if !a.SkipFinalSnapshot {
		finalSnapshot = pulumi.String(stackName(ctx, name, "db-final", 255))
	}
	// RDS creates the log groups it exports to on its own, without a retention (logs kept forever), unless
	// they exist. Creating them first needs the identifier before the database exists, so it is a fixed
	// name (stackName) rather than an autoname; a change that replaces the database then fails on the name
	// instead of creating a second one next to it.
	dbID := stackName(ctx, name, "db", 63)
	exports := []string{"postgresql", "upgrade"}
	kind := "instance"
	if db.Engine == DatabaseAuroraServerless {
		exports, kind = []string{"postgresql"}, "cluster"
	}
	var dbLogs []pulumi.Resource
	for _, export := range exports {
		g, err := cloudwatch.NewLogGroup(ctx, name+"-db-"+export+"-logs", &cloudwatch.LogGroupArgs{
			Name:            pulumi.Sprintf("/aws/rds/%s/%s/%s", kind, dbID, export),
			RetentionInDays: pulumi.Int(db.LogRetentionDays),
		}, parent)
		if err != nil {
			return err
		}
		dbLogs = append(dbLogs, g)
	}
	var exported pulumi.StringArray
	for _, export := range exports {
		exported = append(exported, pulumi.String(export))
	}
	conn.DatabasePort = pulumi.Int(PostgresPort).ToIntOutput()
	conn.DatabaseName = pulumi.String(db.Name).ToStringOutput()
	conn.DatabaseUsername = pulumi.String(db.Username).ToStringOutput()

	if db.Engine == DatabaseRDS {
		var pgParams rds.ParameterGroupParameterArray
		for _, p := range params("immediate") {
			pgParams = append(pgParams, &rds.ParameterGroupParameterArgs{
				Name: pulumi.String(p["name"]), Value: pulumi.String(p["value"]), ApplyMethod: pulumi.String(p["apply"]),
			})
		}
		pg, err := rds.NewParameterGroup(ctx, name+"-db-params", &rds.ParameterGroupArgs{
			Family:      pulumi.String("postgres16"),
			Description: pulumi.String(name + " database: TLS only, DDL and slow statement logging"),
			Parameters:  pgParams,
		}, parent)
		if err != nil {
			return err
		}
		var maxStorage pulumi.IntPtrInput
		if db.MaxAllocatedStorageGb > 0 {
			maxStorage = pulumi.Int(db.MaxAllocatedStorageGb)
		}
		inst, err := rds.NewInstance(ctx, name+"-db", &rds.InstanceArgs{
			Identifier:                         pulumi.String(dbID),
			Engine:                             pulumi.String("postgres"),
			EngineVersion:                      pulumi.String("16"),
			InstanceClass:                      pulumi.String(db.InstanceClass),
			AllocatedStorage:                   pulumi.Int(db.AllocatedStorageGb),
			MaxAllocatedStorage:                maxStorage,
			StorageType:                        pulumi.String("gp3"),
			StorageEncrypted:                   pulumi.Bool(true),
			KmsKeyId:                           a.KmsKeyArn,
			DbName:                             pulumi.String(db.Name),
			Username:                           pulumi.String(db.Username),
			ManageMasterUserPassword:           pulumi.Bool(true),
			MasterUserSecretKmsKeyId:           a.KmsKeyArn,
			IamDatabaseAuthenticationEnabled:   pulumi.Bool(true),
			ParameterGroupName:                 pg.Name,
			DbSubnetGroupName:                  subnets.Name,
			VpcSecurityGroupIds:                pulumi.StringArray{sg.ID()},
			PubliclyAccessible:                 pulumi.Bool(false),
			Port:                               pulumi.Int(PostgresPort),
			MultiAz:                            pulumi.Bool(db.MultiAZ),
			BackupRetentionPeriod:              pulumi.Int(*db.BackupRetentionDays),
			DeleteAutomatedBackups:             pulumi.Bool(false),
			DeletionProtection:                 deletionProtection,
			SkipFinalSnapshot:                  pulumi.Bool(a.SkipFinalSnapshot),
			FinalSnapshotIdentifier:            finalSnapshot,
			EnabledCloudwatchLogsExports:       exported,
			PerformanceInsightsEnabled:         pulumi.Bool(true),
			PerformanceInsightsRetentionPeriod: pulumi.Int(db.PerformanceInsightsRetentionDays),
			PerformanceInsightsKmsKeyId:        a.KmsKeyArn,
			AutoMinorVersionUpgrade:            pulumi.Bool(true),
			CopyTagsToSnapshot:                 pulumi.Bool(true),
		}, parent, pulumi.DependsOn(dbLogs))
		if err != nil {
			return err
		}
		conn.DatabaseHost = inst.Address
		conn.DatabaseReaderHost = inst.Address
		conn.DatabaseSecretArn = inst.MasterUserSecrets.ApplyT(func(s []rds.InstanceMasterUserSecret) string {
			if len(s) == 0 || s[0].SecretArn == nil {
				return ""
			}
			return *s[0].SecretArn
		}).(pulumi.StringOutput)
		return nil
	}

	var cpParams rds.ClusterParameterGroupParameterArray
	for _, p := range params("immediate") {
		cpParams = append(cpParams, &rds.ClusterParameterGroupParameterArgs{
			Name: pulumi.String(p["name"]), Value: pulumi.String(p["value"]), ApplyMethod: pulumi.String(p["apply"]),
		})
	}
	cpg, err := rds.NewClusterParameterGroup(ctx, name+"-db-params", &rds.ClusterParameterGroupArgs{
		Family:      pulumi.String("aurora-postgresql16"),
		Description: pulumi.String(name + " database: TLS only, DDL and slow statement logging"),
		Parameters:  cpParams,
	}, parent)
	if err != nil {
		return err
	}
	scaling := &rds.ClusterServerlessv2ScalingConfigurationArgs{
		MinCapacity: pulumi.Float64(db.MinCapacity),
		MaxCapacity: pulumi.Float64(db.MaxCapacity),
	}
	if db.MinCapacity == 0 {
		scaling.SecondsUntilAutoPause = pulumi.Int(db.SecondsUntilAutoPause)
	}
	cluster, err := rds.NewCluster(ctx, name+"-db", &rds.ClusterArgs{
		ClusterIdentifier: pulumi.String(dbID),
		Engine:            pulumi.String("aurora-postgresql"),
		EngineMode:        pulumi.String("provisioned"),
		// 16.3 is the first Aurora PostgreSQL 16 release that scales to 0 ACU.
		EngineVersion:                    pulumi.String("16.4"),
		DatabaseName:                     pulumi.String(db.Name),
		MasterUsername:                   pulumi.String(db.Username),
		ManageMasterUserPassword:         pulumi.Bool(true),
		MasterUserSecretKmsKeyId:         a.KmsKeyArn,
		IamDatabaseAuthenticationEnabled: pulumi.Bool(true),
		StorageEncrypted:                 pulumi.Bool(true),
		KmsKeyId:                         a.KmsKeyArn,
		DbSubnetGroupName:                subnets.Name,
		VpcSecurityGroupIds:              pulumi.StringArray{sg.ID()},
		DbClusterParameterGroupName:      cpg.Name,
		Port:                             pulumi.Int(PostgresPort),
		Serverlessv2ScalingConfiguration: scaling,
		BackupRetentionPeriod:            pulumi.Int(*db.BackupRetentionDays),
		DeleteAutomatedBackups:           pulumi.Bool(false),
		DeletionProtection:               deletionProtection,
		SkipFinalSnapshot:                pulumi.Bool(a.SkipFinalSnapshot),
		FinalSnapshotIdentifier:          finalSnapshot,
		EnabledCloudwatchLogsExports:     exported,
		CopyTagsToSnapshot:               pulumi.Bool(true),
	}, parent, pulumi.DependsOn(dbLogs))
	if err != nil {
		return err
	}
	roles := []string{"writer"}
	if db.MultiAZ {
		roles = append(roles, "reader")
	}
	for i, role := range roles {
		if _, err := rds.NewClusterInstance(ctx, name+"-db-"+role, &rds.ClusterInstanceArgs{
			ClusterIdentifier:                  cluster.ID(),
			Engine:                             cluster.Engine,
			EngineVersion:                      cluster.EngineVersion,
			InstanceClass:                      pulumi.String("db.serverless"),
			DbSubnetGroupName:                  subnets.Name,
			PubliclyAccessible:                 pulumi.Bool(false),
			AutoMinorVersionUpgrade:            pulumi.Bool(true),
			PerformanceInsightsEnabled:         pulumi.Bool(true),
			PerformanceInsightsRetentionPeriod: pulumi.Int(db.PerformanceInsightsRetentionDays),
			PerformanceInsightsKmsKeyId:        a.KmsKeyArn,
			CopyTagsToSnapshot:                 pulumi.Bool(true),
			PromotionTier:                      pulumi.Int(i),
		}, parent); err != nil {
			return err
		}
	}
	conn.DatabaseHost = cluster.Endpoint
	conn.DatabaseReaderHost = cluster.ReaderEndpoint
	conn.DatabaseSecretArn = cluster.MasterUserSecrets.ApplyT(func(s []rds.ClusterMasterUserSecret) string {
		if len(s) == 0 || s[0].SecretArn == nil {
			return ""
		}
		return *s[0].SecretArn
	}).(pulumi.StringOutput)
	return nil
}

func (d *Data) cache(ctx *pulumi.Context, name string, a DataArgs, conn *Connection) error {
	parent := pulumi.Parent(d)
	c := a.Cache
	sg, err := d.securityGroup(ctx, name, "cache", a.VpcId)
	if err != nil {
		return err
	}
	d.CacheSecurityGroupId = sg.ID().ToStringOutput()
	d.ingress = append(d.ingress, dataIngress{"cache", sg, CachePort})

	// The password never appears in plain state or outputs: random keeps it
	// as a secret, and services read it from Secrets Manager.
	token, err := random.NewRandomPassword(ctx, name+"-cache-auth", &random.RandomPasswordArgs{
		Length:  pulumi.Int(48),
		Special: pulumi.Bool(false), // ElastiCache refuses some symbols; 48 alphanumerics are ~285 bits
	}, parent)
	if err != nil {
		return err
	}
	secret, err := secretsmanager.NewSecret(ctx, name+"-cache-auth", &secretsmanager.SecretArgs{
		Description: pulumi.String(name + " cache password"),
		KmsKeyId:    a.KmsKeyArn,
	}, parent)
	if err != nil {
		return err
	}
	if _, err := secretsmanager.NewSecretVersion(ctx, name+"-cache-auth-value", &secretsmanager.SecretVersionArgs{
		SecretId:     secret.ID(),
		SecretString: token.Result,
	}, parent); err != nil {
		return err
	}
	conn.CacheAuthSecretArn = secret.Arn

	if c.Mode == CacheServerless {
		d.ingress = append(d.ingress, dataIngress{"cache-reader", sg, CacheReaderPort})
		user, err := elasticache.NewUser(ctx, name+"-cache-user", &elasticache.UserArgs{
			UserId:       pulumi.String(stackName(ctx, name, "cache-app", 40)),
			UserName:     pulumi.String("app"),
			Engine:       pulumi.String("valkey"),
			AccessString: pulumi.String("on ~* &* +@all -@dangerous"),
			AuthenticationMode: &elasticache.UserAuthenticationModeArgs{
				Type:      pulumi.String("password"),
				Passwords: pulumi.StringArray{token.Result},
			},
		}, parent)
		if err != nil {
			return err
		}
		group, err := elasticache.NewUserGroup(ctx, name+"-cache-users", &elasticache.UserGroupArgs{
			UserGroupId: pulumi.String(stackName(ctx, name, "cache", 40)),
			Engine:      pulumi.String("valkey"),
			UserIds:     pulumi.StringArray{user.UserId},
		}, parent)
		if err != nil {
			return err
		}
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
					&elasticache.ServerlessCacheCacheUsageLimitsEcpuPerSecondArgs{Maximum: pulumi.Int(c.MaxECPUPerSecond)},
				},
			},
			SnapshotRetentionLimit: pulumi.Int(*c.SnapshotRetentionDays),
			DailySnapshotTime:      pulumi.String("03:00"),
		}, parent)
		if err != nil {
			return err
		}
		first := cache.Endpoints.Index(pulumi.Int(0))
		conn.CacheHost = first.Address()
		conn.CachePort = first.Port()
		conn.CacheUsername = user.UserName
		return nil
	}

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
		MultiAzEnabled:           pulumi.Bool(c.MultiAZ),
		AtRestEncryptionEnabled:  pulumi.Bool(true),
		KmsKeyId:                 a.KmsKeyArn,
		TransitEncryptionEnabled: pulumi.Bool(true),
		AuthToken:                token.Result,
		SubnetGroupName:          subnets.Name,
		SecurityGroupIds:         pulumi.StringArray{sg.ID()},
		Port:                     pulumi.Int(CachePort),
		SnapshotRetentionLimit:   pulumi.Int(*c.SnapshotRetentionDays),
		AutoMinorVersionUpgrade:  pulumi.Bool(true),
	}, parent)
	if err != nil {
		return err
	}
	conn.CacheHost = group.PrimaryEndpointAddress
	conn.CachePort = pulumi.Int(CachePort).ToIntOutput()
	conn.CacheUsername = pulumi.String("default").ToStringOutput()
	return nil
}

func (d *Data) search(ctx *pulumi.Context, name string, a DataArgs, conn *Connection) error {
	parent := pulumi.Parent(d)
	s := a.Search
	sg, err := d.securityGroup(ctx, name, "search", a.VpcId)
	if err != nil {
		return err
	}
	d.SearchSecurityGroupId = sg.ID().ToStringOutput()
	d.ingress = append(d.ingress, dataIngress{"search", sg, SearchPort})

	caller, err := aws.GetCallerIdentity(ctx, nil, parent)
	if err != nil {
		return fmt.Errorf("data %q: account: %w", name, err)
	}
	roleArn := s.MasterRoleArn
	if roleArn == nil {
		role, err := iam.NewRole(ctx, name+"-search-access", &iam.RoleArgs{
			Description: pulumi.String(name + " search: the OpenSearch master user; assume it to query the domain"),
			AssumeRolePolicy: pulumi.String(mustJSON(map[string]any{
				"Version": "2012-10-17",
				"Statement": []any{map[string]any{
					"Effect":    "Allow",
					"Principal": map[string]any{"AWS": "arn:aws:iam::" + caller.AccountId + ":root"},
					"Action":    "sts:AssumeRole",
				}},
			})),
		}, parent)
		if err != nil {
			return err
		}
		roleArn = role.Arn
	}

	logs := map[string]*cloudwatch.LogGroup{}
	for _, kind := range []string{"app", "audit"} {
		g, err := cloudwatch.NewLogGroup(ctx, name+"-search-"+kind+"-logs", &cloudwatch.LogGroupArgs{
			RetentionInDays: pulumi.Int(s.LogRetentionDays),
		}, parent)
		if err != nil {
			return err
		}
		logs[kind] = g
	}
	logPolicy, err := cloudwatch.NewLogResourcePolicy(ctx, name+"-search-logs", &cloudwatch.LogResourcePolicyArgs{
		PolicyName: pulumi.String(stackName(ctx, name, "search-logs", 255)),
		PolicyDocument: pulumi.JSONMarshal(pulumi.All(logs["app"].Arn, logs["audit"].Arn).ApplyT(func(arns []any) map[string]any {
			return map[string]any{
				"Version": "2012-10-17",
				"Statement": []any{map[string]any{
					"Effect":    "Allow",
					"Principal": map[string]any{"Service": "es.amazonaws.com"},
					"Action":    []string{"logs:CreateLogStream", "logs:PutLogEvents"},
					"Resource":  []string{arns[0].(string) + ":*", arns[1].(string) + ":*"},
					"Condition": map[string]any{"StringEquals": map[string]any{"aws:SourceAccount": caller.AccountId}},
				}},
			}
		})),
	}, parent)
	if err != nil {
		return err
	}

	zones := a.searchZones()
	subnetIDs := a.SubnetIds.ToStringArrayOutput().ApplyT(func(ids []string) []string {
		return ids[:min(zones, len(ids))]
	}).(pulumi.StringArrayOutput)
	cluster := &opensearch.DomainClusterConfigArgs{
		InstanceType:         pulumi.String(s.InstanceType),
		InstanceCount:        pulumi.Int(s.Instances),
		ZoneAwarenessEnabled: pulumi.Bool(s.ZoneAwareness),
	}
	if s.ZoneAwareness {
		cluster.ZoneAwarenessConfig = &opensearch.DomainClusterConfigZoneAwarenessConfigArgs{
			AvailabilityZoneCount: pulumi.Int(zones),
		}
	}
	domain, err := opensearch.NewDomain(ctx, name+"-search", &opensearch.DomainArgs{
		EngineVersion: pulumi.String(s.EngineVersion),
		ClusterConfig: cluster,
		EbsOptions: &opensearch.DomainEbsOptionsArgs{
			EbsEnabled: pulumi.Bool(true),
			VolumeSize: pulumi.Int(s.VolumeGb),
			VolumeType: pulumi.String("gp3"),
		},
		EncryptAtRest:        &opensearch.DomainEncryptAtRestArgs{Enabled: pulumi.Bool(true), KmsKeyId: a.KmsKeyArn},
		NodeToNodeEncryption: &opensearch.DomainNodeToNodeEncryptionArgs{Enabled: pulumi.Bool(true)},
		DomainEndpointOptions: &opensearch.DomainDomainEndpointOptionsArgs{
			EnforceHttps:      pulumi.Bool(true),
			TlsSecurityPolicy: pulumi.String("Policy-Min-TLS-1-2-PFS-2023-10"),
		},
		AdvancedSecurityOptions: &opensearch.DomainAdvancedSecurityOptionsArgs{
			Enabled:                     pulumi.Bool(true),
			AnonymousAuthEnabled:        pulumi.Bool(false),
			InternalUserDatabaseEnabled: pulumi.Bool(false),
			MasterUserOptions:           &opensearch.DomainAdvancedSecurityOptionsMasterUserOptionsArgs{MasterUserArn: roleArn},
		},
		VpcOptions: &opensearch.DomainVpcOptionsArgs{
			SubnetIds:        subnetIDs,
			SecurityGroupIds: pulumi.StringArray{sg.ID()},
		},
		LogPublishingOptions: opensearch.DomainLogPublishingOptionArray{
			&opensearch.DomainLogPublishingOptionArgs{LogType: pulumi.String("ES_APPLICATION_LOGS"), CloudwatchLogGroupArn: logs["app"].Arn},
			&opensearch.DomainLogPublishingOptionArgs{LogType: pulumi.String("AUDIT_LOGS"), CloudwatchLogGroupArn: logs["audit"].Arn},
		},
	}, parent, pulumi.DependsOn([]pulumi.Resource{logPolicy}))
	if err != nil {
		return err
	}
	// The access policy is its own resource because it names the domain's ARN.
	if _, err := opensearch.NewDomainPolicy(ctx, name+"-search-policy", &opensearch.DomainPolicyArgs{
		DomainName: domain.DomainName,
		AccessPolicies: pulumi.JSONMarshal(pulumi.All(roleArn, domain.Arn).ApplyT(func(v []any) map[string]any {
			return map[string]any{
				"Version": "2012-10-17",
				"Statement": []any{map[string]any{
					"Effect":    "Allow",
					"Principal": map[string]any{"AWS": v[0].(string)},
					"Action":    "es:ESHttp*",
					"Resource":  v[1].(string) + "/*",
				}},
			}
		})),
	}, parent); err != nil {
		return err
	}
	conn.SearchEndpoint = pulumi.Sprintf("https://%s", domain.Endpoint)
	conn.SearchDomainArn = domain.Arn
	conn.SearchRoleArn = roleArn.ToStringOutput()
	return nil
}

func (d *Data) media(ctx *pulumi.Context, name string, a DataArgs, conn *Connection) error {
	m := a.Media
	all := &s3.BucketLifecycleConfigurationV2RuleFilterArgs{Prefix: pulumi.String("")}
	bucket, err := newPrivateBucket(ctx, name+"-media", d, privateBucketArgs{
		Versioned:    true,
		ForceDestroy: a.AllowDeletion,
		KMSKeyARN:    a.KmsKeyArn,
		LifecycleRules: s3.BucketLifecycleConfigurationV2RuleArray{
			&s3.BucketLifecycleConfigurationV2RuleArgs{
				Id:     pulumi.String("archive-invoices"),
				Status: pulumi.String("Enabled"),
				Filter: &s3.BucketLifecycleConfigurationV2RuleFilterArgs{Prefix: pulumi.String(m.InvoicesPrefix)},
				Transitions: s3.BucketLifecycleConfigurationV2RuleTransitionArray{
					&s3.BucketLifecycleConfigurationV2RuleTransitionArgs{Days: pulumi.Int(30), StorageClass: pulumi.String("GLACIER_IR")},
					&s3.BucketLifecycleConfigurationV2RuleTransitionArgs{Days: pulumi.Int(365), StorageClass: pulumi.String("DEEP_ARCHIVE")},
				},
			},
			&s3.BucketLifecycleConfigurationV2RuleArgs{
				Id:     pulumi.String("noncurrent-versions"),
				Status: pulumi.String("Enabled"),
				Filter: all,
				NoncurrentVersionTransitions: s3.BucketLifecycleConfigurationV2RuleNoncurrentVersionTransitionArray{
					&s3.BucketLifecycleConfigurationV2RuleNoncurrentVersionTransitionArgs{
						NoncurrentDays: pulumi.Int(30), StorageClass: pulumi.String("GLACIER"),
					},
				},
				NoncurrentVersionExpiration: &s3.BucketLifecycleConfigurationV2RuleNoncurrentVersionExpirationArgs{
					NoncurrentDays: pulumi.Int(m.NoncurrentExpirationDays),
				},
			},
			&s3.BucketLifecycleConfigurationV2RuleArgs{
				Id:     pulumi.String("abort-incomplete-uploads"),
				Status: pulumi.String("Enabled"),
				Filter: all,
				AbortIncompleteMultipartUpload: &s3.BucketLifecycleConfigurationV2RuleAbortIncompleteMultipartUploadArgs{
					DaysAfterInitiation: pulumi.Int(7),
				},
			},
		},
	})
	if err != nil {
		return err
	}
	if err := bucket.attachPolicy(ctx); err != nil {
		return err
	}
	conn.MediaBucketName = bucket.Bucket.Bucket
	conn.MediaBucketArn = bucket.Bucket.Arn
	return nil
}
