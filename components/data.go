package components

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/vpc"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// DataType is the Data component's type token.
const DataType = "shopstack:index:Data"

// DatabaseEngine picks the PostgreSQL flavour.
type DatabaseEngine string

const (
	// DatabaseRds is an RDS for PostgreSQL 16 instance on gp3 storage.
	DatabaseRds DatabaseEngine = "rds"
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
	DatabaseEngines = []DatabaseEngine{DatabaseRds, DatabaseAuroraServerless}
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
	// ProductionGrade turns Enhanced Monitoring on (every 60 s unless
	// Database.MonitoringIntervalSeconds says otherwise) and rejects settings
	// that lose data or availability: backups
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
	// Alarms switches and tunes the alarms of every service created (defaults on DataAlarmArgs).
	Alarms DataAlarmArgs
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
	// DatabaseResourceId is the instance's or cluster's resource id (db-… / cluster-…), which
	// names it in an rds-db:connect grant (arn:aws:rds-db:region:account:dbuser:<id>/<user>).
	// IAM database authentication is on for both engines.
	DatabaseResourceId pulumi.StringOutput

	CacheHost pulumi.StringOutput
	CachePort pulumi.IntOutput
	// CacheUsername is the user to connect as. It authenticates with IAM, so there is no password: the client
	// signs a token with its own credentials, which need elasticache:Connect on CacheArn and CacheUserArn.
	CacheUsername pulumi.StringOutput
	// CacheName is the replication group id or the serverless cache's name: the host an IAM token is signed
	// for (with ResourceType=ServerlessCache for a serverless cache).
	CacheName pulumi.StringOutput
	// CacheArn is the replication group's or the serverless cache's ARN.
	CacheArn pulumi.StringOutput
	// CacheUserArn is the cache user's ARN.
	CacheUserArn pulumi.StringOutput

	// SearchEndpoint is "https://<host>" of the OpenSearch domain.
	SearchEndpoint  pulumi.StringOutput
	SearchDomainArn pulumi.StringOutput
	// SearchRoleArn is the role that OpenSearch maps to its master user.
	SearchRoleArn pulumi.StringOutput

	MediaBucketName pulumi.StringOutput
	MediaBucketArn  pulumi.StringOutput
	// MediaBucketRegionalDomainName is the bucket's origin domain for CloudFront (StaticSiteMediaArgs).
	MediaBucketRegionalDomainName pulumi.StringOutput
	// MediaUploadOrigin is the origin of the presigned URLs browsers PUT uploads to
	// ("https://<bucket>.s3.<region>.amazonaws.com", the AWS SDK's virtual-hosted form), for the pages' CSP.
	MediaUploadOrigin pulumi.StringOutput
}

// SecretArns lists the secrets a service reading this connection needs: the database master secret (the
// cache has none, its user authenticates with IAM).
func (c Connection) SecretArns() pulumi.StringArrayOutput {
	return pulumi.All(c.DatabaseSecretArn).ApplyT(func(v []any) []string {
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
	// DashboardWidgets are the golden-signal graphs (a JSON array of DashboardWidget) for the stack's dashboard.
	DashboardWidgets pulumi.StringOutput

	name    string
	ingress []dataIngress
	watched dataWatched

	// The media bucket and its settings, for ServeMedia and MediaTaskStatements (data_media_access.go).
	mediaBucket *privateBucket
	mediaArgs   MediaArgs
	mediaKmsKey pulumi.StringInput
	mediaServed bool
}

// dataIngress is one security group a caller may be let in to, on one port.
type dataIngress struct {
	suffix string
	sg     *ec2.SecurityGroup
	port   int
}

func (a *DataArgs) withDefaults() DataArgs {
	out := *a
	out.SubnetCount = cmp.Or(out.SubnetCount, 2)
	out.Database = a.Database.withDefaults()
	if out.ProductionGrade {
		out.Database.MonitoringIntervalSeconds = cmp.Or(out.Database.MonitoringIntervalSeconds, ProductionMonitoringIntervalSeconds)
	}
	out.Cache = a.Cache.withDefaults()
	out.Search = a.Search.withDefaults()
	out.Media = a.Media.withDefaults()
	out.Alarms = a.Alarms.withDefaults()
	return out
}

func (a *DataArgs) validate() error {
	e := newArgErrors("DataArgs")
	if a.VpcId == nil {
		e.bad("VpcId", "required")
	}
	if a.SubnetIds == nil {
		e.bad("SubnetIds", "required (the network's private subnets)")
	}
	if a.SubnetCount < 2 {
		e.bad("SubnetCount", "%d; RDS and ElastiCache need subnets in at least 2 zones", a.SubnetCount)
	}
	if a.ProductionGrade && a.AllowDeletion {
		rejectInProduction(e, "AllowDeletion", "must be false: deletion protection stays on")
	}
	if a.ProductionGrade && a.SkipFinalSnapshot {
		rejectInProduction(e, "SkipFinalSnapshot", "must be false: deleting the database keeps a final snapshot")
	}
	a.validateDatabase(e)
	a.validateCache(e)
	a.validateSearch(e)
	a.validateMedia(e)
	a.validateAlarms(e)
	return e.err()
}

// rejectInProduction records a setting that DataArgs.ProductionGrade rejects.
func rejectInProduction(e *argErrors, field, format string, args ...any) {
	e.bad(field, "%s (ProductionGrade)", fmt.Sprintf(format, args...))
}

// NewData creates the database, cache, search domain and media bucket.
func NewData(ctx *pulumi.Context, name string, args *DataArgs, opts ...pulumi.ResourceOption) (*Data, error) {
	fail := func(err error) (*Data, error) { return nil, componentError("data", name, err) }
	if args == nil {
		args = &DataArgs{}
	}
	a := args.withDefaults()
	if err := a.validate(); err != nil {
		return fail(err)
	}

	d := &Data{name: name}
	if err := ctx.RegisterComponentResource(DataType, name, d, opts...); err != nil {
		return fail(err)
	}
	groups, err := d.securityGroups(ctx, name, a)
	if err != nil {
		return fail(err)
	}
	conn := absentConnection()
	if err := d.database(ctx, name, a, groups.db, &conn); err != nil {
		return fail(err)
	}
	if a.Cache.Mode != CacheNone {
		if err := d.cache(ctx, name, a, groups.cache, &conn); err != nil {
			return fail(err)
		}
	}
	if a.Search.Mode == SearchDomain {
		if err := d.search(ctx, name, a, groups.search, &conn); err != nil {
			return fail(err)
		}
	}
	if err := d.media(ctx, name, a, &conn); err != nil {
		return fail(err)
	}
	if err := d.alarms(ctx, name, a); err != nil {
		return fail(err)
	}
	for i, sg := range a.AllowedSecurityGroupIds {
		if err := d.AllowFrom(ctx, fmt.Sprintf("allowed-%d", i+1), sg); err != nil {
			return fail(err)
		}
	}

	d.Connection = conn
	if err := d.registerOutputs(ctx, a); err != nil {
		return fail(err)
	}
	return d, nil
}

// absentConnection is the Connection before any service exists: a service that is never created keeps
// "" and 0, so a caller can wire every field without checking the modes.
func absentConnection() Connection {
	empty := pulumi.String("").ToStringOutput()
	zero := pulumi.Int(0).ToIntOutput()
	return Connection{
		CacheHost: empty, CachePort: zero, CacheUsername: empty, CacheName: empty, CacheArn: empty, CacheUserArn: empty,
		SearchEndpoint: empty, SearchDomainArn: empty, SearchRoleArn: empty,
	}
}

func (d *Data) registerOutputs(ctx *pulumi.Context, a DataArgs) error {
	conn := d.Connection
	d.DatabaseEngine = pulumi.String(string(a.Database.Engine)).ToStringOutput()
	d.CacheMode = pulumi.String(string(a.Cache.Mode)).ToStringOutput()
	d.SearchMode = pulumi.String(string(a.Search.Mode)).ToStringOutput()
	return ctx.RegisterResourceOutputs(d, pulumi.Map{
		"databaseHost":            conn.DatabaseHost,
		"databaseReaderHost":      conn.DatabaseReaderHost,
		"databasePort":            conn.DatabasePort,
		"databaseName":            conn.DatabaseName,
		"databaseSecretArn":       conn.DatabaseSecretArn,
		"cacheHost":               conn.CacheHost,
		"cachePort":               conn.CachePort,
		"cacheName":               conn.CacheName,
		"cacheArn":                conn.CacheArn,
		"cacheUserArn":            conn.CacheUserArn,
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

// dataGroups are the services' security groups; cache and search are nil when the service is not created.
type dataGroups struct{ db, cache, search *ec2.SecurityGroup }

// securityGroups creates a group per service that exists and records the ports AllowFrom opens in each.
func (d *Data) securityGroups(ctx *pulumi.Context, name string, a DataArgs) (dataGroups, error) {
	var g dataGroups
	var err error
	empty := pulumi.String("").ToStringOutput()
	d.CacheSecurityGroupId, d.SearchSecurityGroupId = empty, empty

	if g.db, err = d.securityGroup(ctx, name, "db", a.VpcId); err != nil {
		return g, err
	}
	d.DatabaseSecurityGroupId = g.db.ID().ToStringOutput()
	d.ingress = append(d.ingress, dataIngress{"db", g.db, PostgresPort})

	if a.Cache.Mode != CacheNone {
		if g.cache, err = d.securityGroup(ctx, name, "cache", a.VpcId); err != nil {
			return g, err
		}
		d.CacheSecurityGroupId = g.cache.ID().ToStringOutput()
		d.ingress = append(d.ingress, dataIngress{"cache", g.cache, CachePort})
		if a.Cache.Mode == CacheServerless {
			d.ingress = append(d.ingress, dataIngress{"cache-reader", g.cache, CacheReaderPort})
		}
	}

	if a.Search.Mode == SearchDomain {
		if g.search, err = d.securityGroup(ctx, name, "search", a.VpcId); err != nil {
			return g, err
		}
		d.SearchSecurityGroupId = g.search.ID().ToStringOutput()
		d.ingress = append(d.ingress, dataIngress{"search", g.search, SearchPort})
	}
	return g, nil
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

// stackName is a physical name for the few AWS resources the provider does not
// autoname: unique per project, stack and component. It keeps to the strictest
// of their rules (ElastiCache user and group ids, RDS snapshot identifiers):
// lower-case letters, digits and single hyphens, a letter first, no hyphen last,
// at most limit characters. When that meant changing or cutting the name, a hash
// of the original ends it, so "a_b" and "a.b", or two long names sharing a
// prefix, still get different names.
func stackName(ctx *pulumi.Context, name, suffix string, limit int) string {
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
	if s == full && len(s) <= limit {
		return s
	}
	sum := sha256.Sum256([]byte(full))
	tag := hex.EncodeToString(sum[:4])
	if len(s) > limit-len(tag)-1 {
		s = strings.TrimRight(s[:limit-len(tag)-1], "-")
	}
	return s + "-" + tag
}
