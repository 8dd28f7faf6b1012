package infra

import (
	"fmt"
	"strconv"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/shopstack/shopstack/components"
)

// AppRole is the least-privilege PostgreSQL role the service connects as (`shop migrate` creates it; see
// app/README.md, "Where DDL runs, and why").
const AppRole = "shop_app"

// dataTier is the Data component plus what the stack derives from it for the service: environment,
// secret references, task permissions.
type dataTier struct {
	ctx  *pulumi.Context
	cfg  Config
	data *components.Data
	// taskPolicy is the service's task role: the media bucket's objects and, with search, assuming the role
	// OpenSearch maps to its master user (the domain's access policy admits only that role).
	taskPolicy []components.PolicyStatement
}

func newData(ctx *pulumi.Context, cfg Config, net *components.Network, alarms components.DataAlarmArgs,
	opts ...pulumi.ResourceOption) (*dataTier, error) {
	d, err := components.NewData(ctx, "data", &components.DataArgs{
		VpcId:             net.VpcId,
		SubnetIds:         net.PrivateSubnetIds,
		SubnetCount:       cfg.AvailabilityZones,
		ProductionGrade:   cfg.ProtectStateful,
		AllowDeletion:     !cfg.DatabaseDeletionProtection,
		SkipFinalSnapshot: !cfg.DatabaseDeletionProtection,
		Database: components.DatabaseArgs{
			Engine:             cfg.DatabaseEngine,
			InstanceClass:      cfg.DatabaseInstanceClass,
			AllocatedStorageGb: cfg.DatabaseStorageGb,
			MinCapacity:        cfg.DatabaseMinAcu,
			MaxCapacity:        cfg.DatabaseMaxAcu,
			PauseInProduction:  cfg.DatabasePauseInProduction,
			// Ends the sessions of frozen Lambda instances, so the cluster can pause (lite).
			IdleSessionTimeoutSeconds: cfg.DatabaseIdleSessionTimeout,
			MultiAz:                   cfg.DatabaseMultiAz,
			BackupRetentionDays:       pulumi.IntRef(cfg.DatabaseBackupRetentionDays),
			LogRetentionDays:          cfg.LogRetentionDays,
		},
		Cache: components.CacheArgs{
			Mode:     cfg.CacheMode,
			NodeType: cfg.CacheNodeType,
			Nodes:    cfg.CacheNodes,
			MultiAz:  cfg.CacheNodes >= 2,
		},
		Search: components.SearchArgs{
			Mode:             cfg.SearchMode,
			InstanceType:     cfg.SearchInstanceType,
			Instances:        cfg.SearchInstanceCount,
			ZoneAwareness:    cfg.SearchInstanceCount >= 2,
			VolumeGb:         cfg.SearchVolumeGb,
			LogRetentionDays: cfg.LogRetentionDays,
			// One per account: a stack creates it unless the account holds it already.
			ServiceLinkedRoleExists: cfg.SearchServiceLinkedRoleExists,
		},
		// Served at /media/* by the site's distribution, whose ARN the bucket policy names (serveMedia).
		Media:  components.MediaArgs{ServedByCloudFront: true},
		Alarms: alarms,
	}, opts...)
	if err != nil {
		return nil, err
	}
	c := d.Connection
	t := &dataTier{ctx: ctx, cfg: cfg, data: d}
	caller, err := aws.GetCallerIdentity(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("account: %w", err)
	}
	partition, err := aws.GetPartition(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("partition: %w", err)
	}
	t.taskPolicy = []components.PolicyStatement{
		// The service logs in to PostgreSQL as AppRole with an IAM token (SHOP_DB_IAM_AUTH), never as the master user:
		// rds-db:connect for exactly that database user.
		{Actions: []string{"rds-db:connect"}, Resources: []pulumi.StringInput{pulumi.Sprintf("arn:%s:rds-db:%s:%s:dbuser:%s/%s",
			partition.Partition, cfg.Region, caller.AccountId, c.DatabaseResourceId, AppRole)}},
	}
	// The media bucket: objects under uploads/, products/ and invoices/ only (components.Data.MediaTaskStatements).
	t.taskPolicy = append(t.taskPolicy, d.MediaTaskStatements()...)
	if cfg.CacheMode != components.CacheNone {
		// The cache user authenticates with IAM: the task role signs its tokens, for this cache and user only.
		t.taskPolicy = append(t.taskPolicy, components.PolicyStatement{
			Actions: []string{"elasticache:Connect"}, Resources: []pulumi.StringInput{c.CacheArn, c.CacheUserArn},
		})
	}
	if cfg.SearchMode != components.SearchNone {
		t.taskPolicy = append(t.taskPolicy, components.PolicyStatement{
			Actions: []string{"sts:AssumeRole"}, Resources: []pulumi.StringInput{c.SearchRoleArn},
		})
	}
	return t, nil
}

// allowFrom lets the service's security group in to every data service.
func (t *dataTier) allowFrom(ctx *pulumi.Context, sg pulumi.StringOutput) error {
	return t.data.AllowFrom(ctx, "api", sg)
}

// environment adds the service's data settings. The service has no database or cache password at all: it
// connects to PostgreSQL as AppRole with an RDS IAM token per connection (the migration, before it, has the
// master secret; see migration), and to the cache with an ElastiCache IAM authentication token
// (SigV4, valid 15 minutes; a connection re-authenticates within 12 hours) for SHOP_CACHE_NAME as the URL's
// user, with the task role's credentials, and sends it as the AUTH password.
func (t *dataTier) environment(env map[string]pulumi.StringInput) {
	c := t.data.Connection
	env["DATABASE_URL"] = pulumi.Sprintf("postgres://%s@%s:%d/%s?sslmode=require",
		AppRole, c.DatabaseHost, c.DatabasePort, c.DatabaseName)
	env["SHOP_DB_IAM_AUTH"] = pulumi.String("true")
	env["SHOP_DB_APP_ROLE"] = pulumi.String(AppRole)
	if t.cfg.CacheMode != components.CacheNone {
		env["SHOP_CACHE_URL"] = pulumi.Sprintf("rediss://%s@%s:%d", c.CacheUsername, c.CacheHost, c.CachePort)
		env["SHOP_CACHE_IAM_AUTH"] = pulumi.String("true")
		env["SHOP_CACHE_NAME"] = c.CacheName
		// A serverless cache's token names its resource type (ResourceType=ServerlessCache).
		env["SHOP_CACHE_SERVERLESS"] = pulumi.String(strconv.FormatBool(t.cfg.CacheMode == components.CacheServerless))
	}
	if t.cfg.SearchMode != components.SearchNone {
		env["SHOP_SEARCH_URL"] = c.SearchEndpoint
		env["SHOP_SEARCH_ROLE_ARN"] = c.SearchRoleArn
	}
	env["SHOP_MEDIA_BUCKET"] = c.MediaBucketName
	// Product images are served by CloudFront at this path (StaticSiteMediaArgs.PathPrefix).
	env["SHOP_MEDIA_PUBLIC_BASE"] = pulumi.String(components.DefaultMediaPathPrefix)
}

// mediaRoute is the site's /media/* route to the media bucket.
func (t *dataTier) mediaRoute() *components.StaticSiteMediaArgs {
	return &components.StaticSiteMediaArgs{
		BucketRegionalDomainName: t.data.Connection.MediaBucketRegionalDomainName,
		PathPrefix:               components.DefaultMediaPathPrefix,
		// The admin console PUTs product pictures straight to the bucket (presigned): the CSP admits it.
		UploadOrigin: t.data.Connection.MediaUploadOrigin,
	}
}

// serveMedia lets the site's distribution read the product images and the site's pages PUT uploads
// (the bucket policy and CORS rule, made once the distribution exists).
func (t *dataTier) serveMedia(ctx *pulumi.Context, shop *components.StaticSite) error {
	return t.data.ServeMedia(ctx, components.MediaDistributionArgs{
		DistributionArn: shop.DistributionArn,
		UploadOrigins:   []pulumi.StringInput{shop.Url},
	})
}

// migration is the init container every task runs before the service: `shop migrate` as the master user,
// whose password ECS injects as PGPASSWORD from the RDS-managed secret (rotated every 7 days by RDS: each task
// reads the current one when it starts). It applies the schema under an advisory lock (concurrent tasks wait
// for each other) and creates or re-grants AppRole with rds_iam; the service then connects as AppRole with an
// IAM token, so the master secret never reaches the process that serves requests.
func (t *dataTier) migration(wait pulumi.StringInput) *components.ApiInitArgs {
	c := t.data.Connection
	return &components.ApiInitArgs{
		Command: []string{"migrate"},
		Environment: map[string]pulumi.StringInput{
			"DATABASE_URL": pulumi.Sprintf("postgres://%s@%s:%d/%s?sslmode=require",
				c.DatabaseUsername, c.DatabaseHost, c.DatabasePort, c.DatabaseName),
			"SHOP_DB_APP_ROLE": pulumi.String(AppRole),
			"SHOP_DB_WAIT":     wait,
		},
		Secrets: map[string]pulumi.StringInput{"PGPASSWORD": pulumi.Sprintf("%s:password::", c.DatabaseSecretArn)},
	}
}

// lambdaMigration is the migration function of a Lambda-run shop (apiCompute lambda): `shop migrate` as the
// schema owner (the master user) authenticated with an RDS IAM token, since the function can read no secret
// (no NAT, no paid Secrets Manager endpoint); its role may rds-db:connect as exactly that user. The master
// user must hold rds_iam for that: granted once by hand with the master password (stacks/README.md, lite).
func (t *dataTier) lambdaMigration(wait pulumi.StringInput) (*components.ApiLambdaMigrateArgs, error) {
	c := t.data.Connection
	user, err := t.dbUserArn(c.DatabaseUsername)
	if err != nil {
		return nil, err
	}
	return &components.ApiLambdaMigrateArgs{
		Environment: map[string]pulumi.StringInput{
			"DATABASE_URL": pulumi.Sprintf("postgres://%s@%s:%d/%s?sslmode=require",
				c.DatabaseUsername, c.DatabaseHost, c.DatabasePort, c.DatabaseName),
			"SHOP_DB_IAM_AUTH": pulumi.String("true"),
			"SHOP_DB_APP_ROLE": pulumi.String(AppRole),
			"SHOP_DB_WAIT":     wait,
		},
		Statements: []components.PolicyStatement{{Actions: []string{"rds-db:connect"}, Resources: []pulumi.StringInput{user}}},
	}, nil
}

// dbUserArn is the rds-db:connect resource of one database user of this stack's database.
func (t *dataTier) dbUserArn(user pulumi.StringInput) (pulumi.StringOutput, error) {
	caller, err := aws.GetCallerIdentity(t.ctx, nil)
	if err != nil {
		return pulumi.StringOutput{}, fmt.Errorf("account: %w", err)
	}
	partition, err := aws.GetPartition(t.ctx, nil)
	if err != nil {
		return pulumi.StringOutput{}, fmt.Errorf("partition: %w", err)
	}
	return pulumi.Sprintf("arn:%s:rds-db:%s:%s:dbuser:%s/%s", partition.Partition, t.cfg.Region, caller.AccountId,
		t.data.Connection.DatabaseResourceId, user), nil
}

// export adds the data outputs an operator needs (no secret values: only where they are kept).
func (t *dataTier) export(ctx *pulumi.Context) {
	c := t.data.Connection
	ctx.Export("databaseEndpoint", pulumi.Sprintf("%s:%d", c.DatabaseHost, c.DatabasePort))
	ctx.Export("databaseSecretArn", c.DatabaseSecretArn)
	ctx.Export("mediaBucket", c.MediaBucketName)
	if t.cfg.CacheMode != components.CacheNone {
		ctx.Export("cacheEndpoint", pulumi.Sprintf("%s:%d", c.CacheHost, c.CachePort))
	}
	if t.cfg.SearchMode != components.SearchNone {
		ctx.Export("searchEndpoint", c.SearchEndpoint)
	}
}
