package components

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/rds"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// DatabaseArgs configures the PostgreSQL database.
type DatabaseArgs struct {
	// Engine is DatabaseRds (default) or DatabaseAuroraServerless.
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
	// PauseInProduction lets a ProductionGrade Aurora cluster pause (MinCapacity
	// 0), which ProductionGrade otherwise refuses: the first request after an idle
	// spell then waits for the resume (about 15 s). The serverless profile's trade
	// (the lite stack, whose storefront retries "waking up"). Default false.
	PauseInProduction bool
	// IdleSessionTimeoutSeconds makes an Aurora cluster end sessions idle this long (idle_session_timeout):
	// an instance pauses only when no connection is open, and a frozen Lambda instance's pool keeps its
	// connections open until Lambda reclaims it. 0 (default) leaves sessions open; else 10 to 86400. Not for a
	// service whose idle connections must live (River's LISTEN under Fargate).
	IdleSessionTimeoutSeconds int
	// MultiAz adds a standby in another zone (rds) or a reader instance
	// (Aurora). Default false.
	MultiAz bool
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
	// MonitoringIntervalSeconds turns Enhanced Monitoring (the instances' OS metrics, published by RDS to
	// CloudWatch Logs through a role of its own) on, sampling every 1, 5, 10, 15, 30 or 60 seconds. Default
	// 0: ProductionMonitoringIntervalSeconds (60) with DataArgs.ProductionGrade, off otherwise, since the
	// samples are billed as CloudWatch Logs ingestion.
	MonitoringIntervalSeconds int
}

// MonitoringIntervals are the Enhanced Monitoring intervals RDS accepts, in seconds.
var MonitoringIntervals = []int{1, 5, 10, 15, 30, 60}

// ProductionMonitoringIntervalSeconds is the Enhanced Monitoring interval of a production-grade Data.
const ProductionMonitoringIntervalSeconds = 60

func (a *DatabaseArgs) withDefaults() DatabaseArgs {
	out := *a
	out.Engine = cmp.Or(out.Engine, DatabaseRds)
	out.InstanceClass = cmp.Or(out.InstanceClass, "db.t4g.micro")
	out.AllocatedStorageGb = cmp.Or(out.AllocatedStorageGb, 20)
	out.MaxCapacity = cmp.Or(out.MaxCapacity, 4)
	out.SecondsUntilAutoPause = cmp.Or(out.SecondsUntilAutoPause, 300)
	if out.BackupRetentionDays == nil {
		out.BackupRetentionDays = pulumi.IntRef(DefaultBackupRetentionDays)
	}
	out.Name = cmp.Or(out.Name, "shop")
	out.Username = cmp.Or(out.Username, "shop_admin")
	out.LogRetentionDays = cmp.Or(out.LogRetentionDays, 30)
	out.PerformanceInsightsRetentionDays = cmp.Or(out.PerformanceInsightsRetentionDays, 7)
	return out
}

func (a *DataArgs) validateDatabase(e *argErrors) {
	d := a.Database
	if !slices.Contains(DatabaseEngines, d.Engine) {
		e.bad("Database.Engine", "%q is not one of %s", d.Engine, quoted(DatabaseEngines))
	}
	if !strings.HasPrefix(d.InstanceClass, "db.") {
		e.bad("Database.InstanceClass", "%q does not start with \"db.\"", d.InstanceClass)
	}
	if d.AllocatedStorageGb < 20 || d.AllocatedStorageGb > 65536 {
		e.bad("Database.AllocatedStorageGb", "%d is out of range [20, 65536] (gp3)", d.AllocatedStorageGb)
	}
	if d.MaxAllocatedStorageGb != 0 && d.MaxAllocatedStorageGb <= d.AllocatedStorageGb {
		e.bad("Database.MaxAllocatedStorageGb", "%d must be 0 (no autoscaling) or above AllocatedStorageGb %d",
			d.MaxAllocatedStorageGb, d.AllocatedStorageGb)
	}
	if d.MinCapacity < 0 || d.MaxCapacity > 256 || d.MinCapacity > d.MaxCapacity || d.MaxCapacity < 1 {
		e.bad("Database.MinCapacity/MaxCapacity", "%g-%g ACU; want 0 <= MinCapacity <= MaxCapacity, 1 <= MaxCapacity <= 256",
			d.MinCapacity, d.MaxCapacity)
	}
	if halfSteps := func(acu float64) bool { return math.Mod(acu*2, 1) == 0 }; !halfSteps(d.MinCapacity) || !halfSteps(d.MaxCapacity) {
		e.bad("Database.MinCapacity/MaxCapacity", "%g-%g ACU; want multiples of 0.5 (Aurora Serverless v2 steps)",
			d.MinCapacity, d.MaxCapacity)
	}
	if t := d.IdleSessionTimeoutSeconds; t != 0 && (t < 10 || t > 86400) {
		e.bad("Database.IdleSessionTimeoutSeconds", "%d is out of range [10, 86400] (0: off)", t)
	}
	if d.SecondsUntilAutoPause < 300 || d.SecondsUntilAutoPause > 86400 {
		e.bad("Database.SecondsUntilAutoPause", "%d is out of range [300, 86400]", d.SecondsUntilAutoPause)
	}
	switch backups := *d.BackupRetentionDays; {
	case backups == 0 && d.Engine == DatabaseAuroraServerless:
		e.bad("Database.BackupRetentionDays", "0 is not allowed for %s; want 1-35 (Aurora always keeps backups)", d.Engine)
	case backups < 0 || backups > 35:
		e.bad("Database.BackupRetentionDays", "%d is out of range; want 1-35, or 0 to turn automated backups off (rds only)", backups)
	}
	e.retention("Database.LogRetentionDays", d.LogRetentionDays)
	if n := d.MonitoringIntervalSeconds; n != 0 && !slices.Contains(MonitoringIntervals, n) {
		e.bad("Database.MonitoringIntervalSeconds", "%d; want 0 (off) or one of %v", n, MonitoringIntervals)
	}
	if p := d.PerformanceInsightsRetentionDays; p != 7 && (p%31 != 0 || p < 31 || p > 731) {
		e.bad("Database.PerformanceInsightsRetentionDays", "%d; want 7 or a multiple of 31 up to 731", p)
	}
	if !identifier(d.Name, 63) {
		e.bad("Database.Name", "%q; want a letter then letters, digits or _ (at most 63)", d.Name)
	}
	if !identifier(d.Username, 63) || slices.Contains([]string{"postgres", "rdsadmin", "admin"}, d.Username) {
		e.bad("Database.Username", "%q; want a letter then letters, digits or _, not a reserved name", d.Username)
	}

	if !a.ProductionGrade {
		return
	}
	if *d.BackupRetentionDays < ProductionMinBackupRetentionDays {
		rejectInProduction(e, "Database.BackupRetentionDays", "%d is below %d days", *d.BackupRetentionDays, ProductionMinBackupRetentionDays)
	}
	if !d.MultiAz {
		rejectInProduction(e, "Database.MultiAz", "must be true")
	}
	if d.Engine == DatabaseAuroraServerless && d.MinCapacity == 0 && !d.PauseInProduction {
		rejectInProduction(e, "Database.MinCapacity", "0 pauses the cluster when idle; want at least 0.5 ACU, or set Database.PauseInProduction")
	}
}

// identifier reports whether s is a PostgreSQL-style identifier of at most limit characters.
func identifier(s string, limit int) bool {
	letter := func(r rune) bool { return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' }
	if s == "" || len(s) > limit || !letter(rune(s[0])) {
		return false
	}
	for _, r := range s {
		if !letter(r) && (r < '0' || r > '9') && r != '_' {
			return false
		}
	}
	return true
}

// databaseBase is what the RDS instance and the Aurora cluster share: their identifier, where they run, the
// log groups they export to, their monitoring and what happens when they are deleted.
type databaseBase struct {
	id            string
	sg            *ec2.SecurityGroup
	subnets       *rds.SubnetGroup
	logGroups     []pulumi.Resource
	exports       pulumi.StringArray
	finalSnapshot pulumi.StringPtrInput
	monitoring    databaseMonitoring
}

// databaseMonitoring is Enhanced Monitoring: interval 0 is off, and then there is no role.
type databaseMonitoring struct {
	interval int
	roleArn  pulumi.StringOutput
	ready    pulumi.Resource // the role's managed policy attachment
}

// resources is what an instance with this monitoring waits for: RDS checks, when monitoring is turned on, that
// the role may publish.
func (m databaseMonitoring) resources() []pulumi.Resource {
	if m.ready == nil {
		return nil
	}
	return []pulumi.Resource{m.ready}
}

// monitor sets an instance's Enhanced Monitoring inputs; nothing when it is off (AWS's default, 0).
func (m databaseMonitoring) monitor(interval *pulumi.IntPtrInput, roleArn *pulumi.StringPtrInput) {
	if m.interval > 0 {
		*interval, *roleArn = pulumi.Int(m.interval), m.roleArn
	}
}

// database creates the parts both engines share, then the RDS instance or the Aurora Serverless cluster.
func (d *Data) database(ctx *pulumi.Context, name string, a DataArgs, sg *ec2.SecurityGroup, conn *Connection) error {
	db := a.Database
	subnets, err := rds.NewSubnetGroup(ctx, name+"-db-subnets", &rds.SubnetGroupArgs{
		Description: pulumi.String(name + " database: private subnets"),
		SubnetIds:   a.SubnetIds,
	}, pulumi.Parent(d))
	if err != nil {
		return err
	}
	base := databaseBase{
		// A fixed name rather than an autoname: see databaseLogGroups.
		id:      stackName(ctx, name, "db", 63),
		sg:      sg,
		subnets: subnets,
	}
	if !a.SkipFinalSnapshot {
		base.finalSnapshot = pulumi.String(stackName(ctx, name, "db-final", 255))
	}
	if base.logGroups, base.exports, err = d.databaseLogGroups(ctx, name, db, base.id); err != nil {
		return err
	}
	if db.MonitoringIntervalSeconds > 0 {
		if base.monitoring, err = d.monitoringRole(ctx, name, db.MonitoringIntervalSeconds); err != nil {
			return err
		}
	}
	conn.DatabasePort = pulumi.Int(PostgresPort).ToIntOutput()
	conn.DatabaseName = pulumi.String(db.Name).ToStringOutput()
	conn.DatabaseUsername = pulumi.String(db.Username).ToStringOutput()

	if db.Engine == DatabaseRds {
		return d.rdsInstance(ctx, name, a, base, conn)
	}
	return d.auroraCluster(ctx, name, a, base, conn)
}

// databaseLogGroups creates the log groups the database exports to, and returns them with the export names.
// RDS creates them on its own, without a retention (logs kept forever), unless they exist. Creating them
// first needs the identifier id before the database exists, so it is a fixed name (stackName) rather than an
// autoname; a change that replaces the database then fails on the name instead of creating a second one
// next to it.
func (d *Data) databaseLogGroups(ctx *pulumi.Context, name string, db DatabaseArgs, id string) ([]pulumi.Resource, pulumi.StringArray, error) {
	exports := []string{"postgresql", "upgrade"}
	kind := "instance"
	if db.Engine == DatabaseAuroraServerless {
		exports, kind = []string{"postgresql"}, "cluster"
	}
	var groups []pulumi.Resource
	var exported pulumi.StringArray
	for _, export := range exports {
		g, err := cloudwatch.NewLogGroup(ctx, name+"-db-"+export+"-logs", &cloudwatch.LogGroupArgs{
			Name:            pulumi.Sprintf("/aws/rds/%s/%s/%s", kind, id, export),
			RetentionInDays: pulumi.Int(db.LogRetentionDays),
		}, pulumi.Parent(d))
		if err != nil {
			return nil, nil, err
		}
		groups = append(groups, g)
		exported = append(exported, pulumi.String(export))
	}
	return groups, exported, nil
}

// monitoringRole is the role RDS publishes Enhanced Monitoring metrics with, trusted by RDS's monitoring
// service for this account only, with AWS's managed policy for exactly that (it writes to the RDSOSMetrics
// log group).
func (d *Data) monitoringRole(ctx *pulumi.Context, name string, interval int) (databaseMonitoring, error) {
	parent := pulumi.Parent(d)
	caller, err := aws.GetCallerIdentity(ctx, nil, parent)
	if err != nil {
		return databaseMonitoring{}, fmt.Errorf("account: %w", err)
	}
	partition, err := aws.GetPartition(ctx, nil, parent)
	if err != nil {
		return databaseMonitoring{}, fmt.Errorf("partition: %w", err)
	}
	role, err := iam.NewRole(ctx, name+"-db-monitoring", &iam.RoleArgs{
		Description: pulumi.String(name + " database: RDS Enhanced Monitoring publishes the OS metrics with it"),
		AssumeRolePolicy: pulumi.String(mustJSON(map[string]any{
			"Version": "2012-10-17",
			"Statement": []any{map[string]any{
				"Effect":    "Allow",
				"Principal": map[string]any{"Service": "monitoring.rds.amazonaws.com"},
				"Action":    "sts:AssumeRole",
				"Condition": map[string]any{"StringEquals": map[string]any{"aws:SourceAccount": caller.AccountId}},
			}},
		})),
	}, parent)
	if err != nil {
		return databaseMonitoring{}, err
	}
	attachment, err := iam.NewRolePolicyAttachment(ctx, name+"-db-monitoring", &iam.RolePolicyAttachmentArgs{
		Role:      role.Name,
		PolicyArn: pulumi.Sprintf("arn:%s:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole", partition.Partition),
	}, parent)
	if err != nil {
		return databaseMonitoring{}, err
	}
	return databaseMonitoring{interval: interval, roleArn: role.Arn, ready: attachment}, nil
}

// databaseParameters make clients use TLS and put DDL and slow statements in the exported logs. Both
// engines' parameter groups set them, applied at once.
var databaseParameters = []struct{ name, value string }{
	{"rds.force_ssl", "1"},
	{"log_statement", "ddl"},
	{"log_min_duration_statement", "1000"},
}

const databaseParametersDescription = " database: TLS only, DDL and slow statement logging"

func (d *Data) rdsParameterGroup(ctx *pulumi.Context, name string) (*rds.ParameterGroup, error) {
	var params rds.ParameterGroupParameterArray
	for _, p := range databaseParameters {
		params = append(params, &rds.ParameterGroupParameterArgs{
			Name: pulumi.String(p.name), Value: pulumi.String(p.value), ApplyMethod: pulumi.String("immediate"),
		})
	}
	return rds.NewParameterGroup(ctx, name+"-db-params", &rds.ParameterGroupArgs{
		Family:      pulumi.String("postgres16"),
		Description: pulumi.String(name + databaseParametersDescription),
		Parameters:  params,
	}, pulumi.Parent(d))
}

func (d *Data) auroraParameterGroup(ctx *pulumi.Context, name string, db DatabaseArgs) (*rds.ClusterParameterGroup, error) {
	var params rds.ClusterParameterGroupParameterArray
	for _, p := range databaseParameters {
		params = append(params, &rds.ClusterParameterGroupParameterArgs{
			Name: pulumi.String(p.name), Value: pulumi.String(p.value), ApplyMethod: pulumi.String("immediate"),
		})
	}
	if db.IdleSessionTimeoutSeconds > 0 {
		// In milliseconds. The server ends sessions idle this long, so the pools of frozen Lambda instances do
		// not keep a cluster that may pause awake; pgx replaces a closed connection on its next acquire.
		params = append(params, &rds.ClusterParameterGroupParameterArgs{
			Name: pulumi.String("idle_session_timeout"), Value: pulumi.Sprintf("%d", db.IdleSessionTimeoutSeconds*1000),
			ApplyMethod: pulumi.String("immediate"),
		})
	}
	return rds.NewClusterParameterGroup(ctx, name+"-db-params", &rds.ClusterParameterGroupArgs{
		Family:      pulumi.String("aurora-postgresql16"),
		Description: pulumi.String(name + databaseParametersDescription),
		Parameters:  params,
	}, pulumi.Parent(d))
}

// rdsInstance is RDS for PostgreSQL 16 on gp3, private, encrypted, with Performance Insights.
func (d *Data) rdsInstance(ctx *pulumi.Context, name string, a DataArgs, base databaseBase, conn *Connection) error {
	db := a.Database
	pg, err := d.rdsParameterGroup(ctx, name)
	if err != nil {
		return err
	}
	var maxStorage pulumi.IntPtrInput
	if db.MaxAllocatedStorageGb > 0 {
		maxStorage = pulumi.Int(db.MaxAllocatedStorageGb)
	}
	// EngineVersion is the major version only: RDS picks the current minor, and the provider reads "16" as a
	// prefix of what runs, so AWS's minor upgrades do not show as drift (engineVersionFollowsAWS makes sure).
	args := &rds.InstanceArgs{
		Identifier:                         pulumi.String(base.id),
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
		DbSubnetGroupName:                  base.subnets.Name,
		VpcSecurityGroupIds:                pulumi.StringArray{base.sg.ID()},
		PubliclyAccessible:                 pulumi.Bool(false),
		Port:                               pulumi.Int(PostgresPort),
		MultiAz:                            pulumi.Bool(db.MultiAz),
		BackupRetentionPeriod:              pulumi.Int(*db.BackupRetentionDays),
		DeleteAutomatedBackups:             pulumi.Bool(false),
		DeletionProtection:                 pulumi.Bool(!a.AllowDeletion),
		SkipFinalSnapshot:                  pulumi.Bool(a.SkipFinalSnapshot),
		FinalSnapshotIdentifier:            base.finalSnapshot,
		EnabledCloudwatchLogsExports:       base.exports,
		PerformanceInsightsEnabled:         pulumi.Bool(true),
		PerformanceInsightsRetentionPeriod: pulumi.Int(db.PerformanceInsightsRetentionDays),
		PerformanceInsightsKmsKeyId:        a.KmsKeyArn,
		AutoMinorVersionUpgrade:            pulumi.Bool(true),
		CopyTagsToSnapshot:                 pulumi.Bool(true),
	}
	base.monitoring.monitor(&args.MonitoringInterval, &args.MonitoringRoleArn)
	inst, err := rds.NewInstance(ctx, name+"-db", args, pulumi.Parent(d), engineVersionFollowsAWS(),
		pulumi.DependsOn(slices.Concat(base.logGroups, base.monitoring.resources())))
	if err != nil {
		return err
	}
	d.watched.db = inst.Identifier
	conn.DatabaseHost = inst.Address
	conn.DatabaseReaderHost = inst.Address
	conn.DatabaseResourceId = inst.ResourceId
	conn.DatabaseSecretArn = inst.MasterUserSecrets.ApplyT(func(s []rds.InstanceMasterUserSecret) string {
		return firstSecretArn(s, func(m rds.InstanceMasterUserSecret) *string { return m.SecretArn })
	}).(pulumi.StringOutput)
	return nil
}

// auroraCluster is Aurora PostgreSQL 16 with Serverless v2 capacity: a writer and, with MultiAz, a reader.
func (d *Data) auroraCluster(ctx *pulumi.Context, name string, a DataArgs, base databaseBase, conn *Connection) error {
	db := a.Database
	params, err := d.auroraParameterGroup(ctx, name, db)
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
		ClusterIdentifier: pulumi.String(base.id),
		Engine:            pulumi.String("aurora-postgresql"),
		EngineMode:        pulumi.String("provisioned"),
		// The version the cluster is created with: 16.3 is the first Aurora PostgreSQL 16 release that scales
		// to 0 ACU, and a major-only "16" would leave the minor to AWS's default (Aurora wants a full version).
		// AWS then upgrades minors itself; engineVersionFollowsAWS keeps a deploy from reverting them.
		EngineVersion:                    pulumi.String("16.4"),
		DatabaseName:                     pulumi.String(db.Name),
		MasterUsername:                   pulumi.String(db.Username),
		ManageMasterUserPassword:         pulumi.Bool(true),
		MasterUserSecretKmsKeyId:         a.KmsKeyArn,
		IamDatabaseAuthenticationEnabled: pulumi.Bool(true),
		StorageEncrypted:                 pulumi.Bool(true),
		KmsKeyId:                         a.KmsKeyArn,
		DbSubnetGroupName:                base.subnets.Name,
		VpcSecurityGroupIds:              pulumi.StringArray{base.sg.ID()},
		DbClusterParameterGroupName:      params.Name,
		Port:                             pulumi.Int(PostgresPort),
		Serverlessv2ScalingConfiguration: scaling,
		BackupRetentionPeriod:            pulumi.Int(*db.BackupRetentionDays),
		DeleteAutomatedBackups:           pulumi.Bool(false),
		DeletionProtection:               pulumi.Bool(!a.AllowDeletion),
		SkipFinalSnapshot:                pulumi.Bool(a.SkipFinalSnapshot),
		FinalSnapshotIdentifier:          base.finalSnapshot,
		EnabledCloudwatchLogsExports:     base.exports,
		CopyTagsToSnapshot:               pulumi.Bool(true),
	}, pulumi.Parent(d), engineVersionFollowsAWS(), pulumi.DependsOn(base.logGroups))
	if err != nil {
		return err
	}
	if err := d.auroraInstances(ctx, name, a, base, cluster); err != nil {
		return err
	}
	d.watched.db = cluster.ClusterIdentifier
	conn.DatabaseHost = cluster.Endpoint
	conn.DatabaseReaderHost = cluster.ReaderEndpoint
	conn.DatabaseResourceId = cluster.ClusterResourceId
	conn.DatabaseSecretArn = cluster.MasterUserSecrets.ApplyT(func(s []rds.ClusterMasterUserSecret) string {
		return firstSecretArn(s, func(m rds.ClusterMasterUserSecret) *string { return m.SecretArn })
	}).(pulumi.StringOutput)
	return nil
}

// auroraInstances are the cluster's db.serverless instances: the writer first in promotion order.
func (d *Data) auroraInstances(ctx *pulumi.Context, name string, a DataArgs, base databaseBase, cluster *rds.Cluster) error {
	roles := []string{"writer"}
	if a.Database.MultiAz {
		roles = append(roles, "reader")
	}
	for i, role := range roles {
		args := &rds.ClusterInstanceArgs{
			// No engineVersion: an Aurora instance runs its cluster's (AWS manages it through the cluster), so
			// the instances have no version of their own to drift from.
			ClusterIdentifier:                  cluster.ID(),
			Engine:                             cluster.Engine,
			InstanceClass:                      pulumi.String("db.serverless"),
			DbSubnetGroupName:                  base.subnets.Name,
			PubliclyAccessible:                 pulumi.Bool(false),
			AutoMinorVersionUpgrade:            pulumi.Bool(true),
			PerformanceInsightsEnabled:         pulumi.Bool(true),
			PerformanceInsightsRetentionPeriod: pulumi.Int(a.Database.PerformanceInsightsRetentionDays),
			PerformanceInsightsKmsKeyId:        a.KmsKeyArn,
			CopyTagsToSnapshot:                 pulumi.Bool(true),
			PromotionTier:                      pulumi.Int(i),
		}
		base.monitoring.monitor(&args.MonitoringInterval, &args.MonitoringRoleArn)
		if _, err := rds.NewClusterInstance(ctx, name+"-db-"+role, args, pulumi.Parent(d),
			pulumi.DependsOn(base.monitoring.resources())); err != nil {
			return err
		}
	}
	return nil
}

// firstSecretArn is the ARN of the RDS-managed master secret, the first of the instance's or cluster's master
// user secrets; "" before RDS has created it.
func firstSecretArn[T any](secrets []T, arn func(T) *string) string {
	if len(secrets) == 0 || arn(secrets[0]) == nil {
		return ""
	}
	return *arn(secrets[0])
}
