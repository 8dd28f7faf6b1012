package infra

import (
	"path/filepath"
	"time"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/secretsmanager"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/shopstack/shopstack/components"
	"github.com/shopstack/shopstack/site"
)

// ContainerPort is the port the shop listens on in its container (SHOP_ADDR).
const ContainerPort = 8080

// apiAccessLogPrefix is where the load balancer writes in the access log bucket.
const apiAccessLogPrefix = "api"

// DatabaseStartupWait is how long the service keeps trying the database at start before it exits with a clear
// message (SHOP_DB_WAIT): dev's Aurora Serverless v2 pauses at 0 ACU and takes about 15 s to resume (longer
// after a day paused), and the first connection is what wakes it.
const DatabaseStartupWait = 45 * time.Second

// healthCheckGrace is how long ECS ignores the load balancer's health checks after a task starts: the database
// wait plus a health-check interval to start listening and pass one, so ECS does not replace a task that is
// still waiting, and a task that gives up does so with its own log line, not the load balancer's verdict.
var healthCheckGrace = DatabaseStartupWait + 15*time.Second

// Program is the stack: typed config, a default-tags provider, then Network -> Data -> Api -> StaticSite, the
// operations (alarm topic, dashboard, budget) watching them, and the outputs.
func Program(ctx *pulumi.Context) error {
	cfg, err := LoadConfig(ctx)
	if err != nil {
		return err
	}
	prov, err := aws.NewProvider(ctx, "aws", &aws.ProviderArgs{
		Region:      pulumi.String(cfg.Region),
		DefaultTags: &aws.ProviderDefaultTagsArgs{Tags: DefaultTags(ctx)},
	})
	if err != nil {
		return err
	}
	withAWS := pulumi.Providers(prov)
	protect := ProtectStateful(cfg.ProtectStateful)
	ops, err := newOperations(ctx, cfg, prov)
	if err != nil {
		return err
	}
	net, err := components.NewNetwork(ctx, "network", &components.NetworkArgs{
		AvailabilityZones:    cfg.AvailabilityZones,
		CidrBlock:            cfg.VpcCidr,
		NatStrategy:          cfg.NatStrategy,
		FlowLogRetentionDays: cfg.FlowLogRetentionDays,
	}, withAWS)
	if err != nil {
		return err
	}
	data, err := newData(ctx, cfg, net, components.DataAlarmArgs{TopicArn: ops.topic}, withAWS, protect)
	if err != nil {
		return err
	}
	logs, err := accessLogs(ctx, cfg, withAWS, protect)
	if err != nil {
		return err
	}
	pay, err := newPayments(ctx, cfg, withAWS)
	if err != nil {
		return err
	}
	var api *components.Api
	var image pulumi.StringOutput
	if cfg.ApiCompute == components.ComputeLambda {
		api, err = newLambdaApi(ctx, cfg, net, data, ops, withAWS)
	} else {
		api, image, err = newApi(ctx, cfg, net, data, ops, logs, pay, withAWS)
	}
	if err != nil {
		return err
	}
	shop, err := newSite(ctx, cfg, api, data, ops, logs, pay, withAWS, protect)
	if err != nil {
		return err
	}
	if err := data.serveMedia(ctx, shop); err != nil {
		return err
	}
	if err := pay.rotationReminder(ctx, ops.topic, withAWS); err != nil {
		return err
	}
	if err := ops.watch(ctx, cfg, []pulumi.StringOutput{shop.DashboardWidgets, api.DashboardWidgets, data.data.DashboardWidgets}, withAWS); err != nil {
		return err
	}
	exportOutputs(ctx, cfg, shop, api, net, data, image)
	pay.export(ctx, shop.Url)
	return nil
}

// accessLogs is the one bucket for the load balancer's and the distribution's access logs, when accessLogs is on
// (nil otherwise); the Api writes under its prefix (apiAccessLogPrefix), CloudFront through CloudWatch vended-log
// delivery.
func accessLogs(ctx *pulumi.Context, cfg Config, opts ...pulumi.ResourceOption) (*components.LogBucket, error) {
	if !cfg.AccessLogs {
		return nil, nil
	}
	return components.NewLogBucket(ctx, "access-logs", &components.LogBucketArgs{
		LoadBalancerPrefixes: []string{apiAccessLogPrefix},
		CloudFront:           true,
		ExpirationDays:       cfg.AccessLogExpiration,
		ForceDestroy:         !cfg.ProtectStateful,
	}, opts...)
}

// newApi is the service: its image, environment, migration, permissions and alarms; it returns the image it runs.
func newApi(ctx *pulumi.Context, cfg Config, net *components.Network, data *dataTier, ops *operations,
	logs *components.LogBucket, pay *payments, withAWS pulumi.ResourceOption) (*components.Api, pulumi.StringOutput, error) {
	image, repoArn, err := serviceImage(ctx, cfg, withAWS)
	if err != nil {
		return nil, pulumi.StringOutput{}, err
	}
	env, secrets, err := serviceEnvironment(ctx, cfg, data, withAWS)
	if err != nil {
		return nil, pulumi.StringOutput{}, err
	}
	pay.environment(env, secrets)
	apiArgs := &components.ApiArgs{
		VpcId:                net.VpcId,
		PrivateSubnetIds:     net.PrivateSubnetIds,
		PublicSubnetIds:      net.PublicSubnetIds,
		Exposure:             components.ApiBehindCloudFront,
		Image:                image,
		ImageRepositoryArn:   repoArn,
		ContainerPort:        ContainerPort,
		Cpu:                  cfg.ApiCpu,
		Memory:               cfg.ApiMemory,
		Architecture:         cfg.ApiArchitecture,
		Environment:          env,
		Secrets:              secrets,
		SecretsKmsKeyArn:     pay.secretsKey(),
		Init:                 data.migration(pulumi.String(DatabaseStartupWait.String())),
		HealthCheckCommand:   []string{"CMD", "/shop", "healthcheck"},
		HealthCheckPath:      "/api/healthz",
		TaskPolicyStatements: data.taskPolicy,
		LogRetentionDays:     cfg.LogRetentionDays,
		MinCapacity:          cfg.ApiMinTasks,
		MaxCapacity:          cfg.ApiMaxTasks,
		FargateBase:          fargateBase(cfg),
		FargateWeight:        cfg.ApiOnDemandWeight,
		FargateSpotWeight:    cfg.ApiSpotWeight,
		DeletionProtection:   pulumi.Bool(cfg.AlbDeletionProtection),
		DisableWaf:           !cfg.ApiWafEnabled,
		WafRateLimit:         cfg.WafRateLimit,
		WafWebhooks:          pay.webhooks(),
		Alarms:               components.ApiAlarmArgs{TopicArn: ops.topic, ServiceName: ServiceName(ctx)},
		Collector:            components.ApiCollectorArgs{Enabled: true},
		// Long enough for a task that waits for the database (DatabaseStartupWait).
		HealthCheckGracePeriodSeconds: int(healthCheckGrace.Seconds()),
	}
	if logs != nil {
		apiArgs.AccessLogsBucket = logs.BucketName
		apiArgs.AccessLogsPrefix = apiAccessLogPrefix
	}
	api, err := components.NewApi(ctx, "api", apiArgs, withAWS)
	if err != nil {
		return nil, pulumi.StringOutput{}, err
	}
	return api, image, data.allowFrom(ctx, api.SecurityGroupId)
}

// newSite is the storefront on the CDN, with /api/* routed to the Api.
func newSite(ctx *pulumi.Context, cfg Config, api *components.Api, data *dataTier, ops *operations, logs *components.LogBucket,
	pay *payments, opts ...pulumi.ResourceOption) (*components.StaticSite, error) {
	siteArgs := &components.StaticSiteArgs{
		AssetsDir:             resolve(ctx, cfg.SiteDir),
		CacheControl:          site.CacheControl,
		ContentSecurityPolicy: pay.contentSecurityPolicy(site.ContentSecurityPolicy),
		PermissionsPolicy:     site.PermissionsPolicy,
		ViewerRequestFunction: site.CloudFrontFunctionCode,
		PriceClass:            cfg.PriceClass,
		ApiOrigin:             api.Origin,
		Webhooks:              pay.webhooks(),
		Media:                 data.mediaRoute(),
		Waf: components.StaticSiteWafArgs{
			Disabled:         !cfg.WafEnabled,
			RateRuleOnly:     !cfg.WafManagedRules,
			RateLimit:        cfg.WafRateLimit,
			LogRetentionDays: cfg.LogRetentionDays,
		},
		PricingPlan:  cfg.EdgePricingPlan,
		ForceDestroy: !cfg.ProtectStateful,
		Alarms:       components.StaticSiteAlarmArgs{TopicArn: ops.cdnTopic},
	}
	if logs != nil {
		siteArgs.AccessLogBucketArn = logs.BucketArn
	}
	if cfg.DomainName != "" {
		siteArgs.Domain = cfg.DomainName
		siteArgs.HostedZoneId = pulumi.String(cfg.HostedZoneId)
	}
	return components.NewStaticSite(ctx, "site", siteArgs, append(opts, TagProviders(ctx))...)
}

// exportOutputs are the stack's outputs: where the shop is and what an operator looks up (no secret values).
func exportOutputs(ctx *pulumi.Context, cfg Config, shop *components.StaticSite, api *components.Api, net *components.Network,
	data *dataTier, image pulumi.StringOutput) {
	ctx.Export("siteUrl", shop.Url)
	ctx.Export("apiUrl", pulumi.Sprintf("%s/api", shop.Url))
	ctx.Export("usesDefaultCertificate", shop.UsesDefaultCertificate)
	ctx.Export("distributionId", shop.DistributionId)
	ctx.Export("siteBucket", shop.BucketName)
	if cfg.ApiCompute == components.ComputeLambda {
		ctx.Export("functionName", api.FunctionName)
	} else {
		ctx.Export("clusterName", api.ClusterName)
		ctx.Export("serviceName", api.ServiceName)
		ctx.Export("imageUri", image)
	}
	ctx.Export("serviceLogGroup", api.LogGroupName)
	ctx.Export("wafEnabled", shop.WafEnabled)
	ctx.Export("vpcId", net.VpcId)
	data.export(ctx)
}

// DefaultTags are set on every taggable AWS resource through the provider.
func DefaultTags(ctx *pulumi.Context) pulumi.StringMap {
	return pulumi.StringMap{
		"project":    pulumi.String(ctx.Project()),
		"stack":      pulumi.String(ctx.Stack()),
		"managed-by": pulumi.String("pulumi"),
	}
}

// StatefulTypes are the resource types that hold data: ProtectStateful protects exactly these.
var StatefulTypes = map[string]bool{
	"aws:rds/instance:Instance":                         true,
	"aws:rds/cluster:Cluster":                           true,
	"aws:rds/clusterInstance:ClusterInstance":           true,
	"aws:elasticache/replicationGroup:ReplicationGroup": true,
	"aws:elasticache/serverlessCache:ServerlessCache":   true,
	"aws:opensearch/domain:Domain":                      true,
	"aws:s3/bucketV2:BucketV2":                          true,
}

// ProtectStateful sets Pulumi's protect on every stateful resource a component creates (when on), and on
// nothing else: protecting a whole component would also pin its uploaded site objects and its security
// groups, which a normal deploy replaces. Protect is a value in Pulumi.<stack>.yaml (protectStateful).
func ProtectStateful(on bool) pulumi.ResourceOption {
	return pulumi.Transformations([]pulumi.ResourceTransformation{
		func(a *pulumi.ResourceTransformationArgs) *pulumi.ResourceTransformationResult {
			if !on || !StatefulTypes[a.Type] {
				return nil
			}
			return &pulumi.ResourceTransformationResult{Props: a.Props, Opts: append(a.Opts, pulumi.Protect(true))}
		},
	})
}

// TagProviders gives the stack's default tags to every AWS provider a component creates for itself (StaticSite's
// us-east-1 provider for the CloudFront certificate, and its flat-rate plan's v7 provider), so those resources are
// tagged like the rest.
func TagProviders(ctx *pulumi.Context) pulumi.ResourceOption {
	return pulumi.Transformations([]pulumi.ResourceTransformation{
		func(a *pulumi.ResourceTransformationArgs) *pulumi.ResourceTransformationResult {
			if a.Type != "pulumi:providers:aws" {
				return nil
			}
			switch args := a.Props.(type) {
			case *aws.ProviderArgs:
				if args.DefaultTags != nil {
					return nil
				}
				tagged := *args
				tagged.DefaultTags = &aws.ProviderDefaultTagsArgs{Tags: DefaultTags(ctx)}
				return &pulumi.ResourceTransformationResult{Props: &tagged, Opts: a.Opts}
			case pulumi.Map:
				// A provider of another plugin version, registered by token (StaticSite's flat-rate plan).
				if _, set := args["defaultTags"]; set {
					return nil
				}
				tagged := pulumi.Map{"defaultTags": pulumi.Map{"tags": DefaultTags(ctx)}}
				for k, v := range args {
					tagged[k] = v
				}
				return &pulumi.ResourceTransformationResult{Props: tagged, Opts: a.Opts}
			}
			return nil
		},
	})
}

// fargateBase keeps one task on on-demand capacity unless the stack runs Spot only.
func fargateBase(cfg Config) int {
	if cfg.ApiOnDemandWeight == 0 {
		return 0
	}
	return 1
}

// resolve makes a project-relative path absolute: Pulumi runs the program in its main directory (stacks/),
// while config paths are relative to the project root (where Pulumi.yaml is).
func resolve(ctx *pulumi.Context, p string) string {
	if filepath.IsAbs(p) || ctx.RootDirectory() == "" {
		return p
	}
	return filepath.Join(ctx.RootDirectory(), p)
}

// serviceEnvironment is the shop's configuration (app/README.md): plain settings as environment variables,
// credentials only as Secrets Manager references the task's execution role resolves at start.
func serviceEnvironment(ctx *pulumi.Context, cfg Config, data *dataTier, opts ...pulumi.ResourceOption) (map[string]pulumi.StringInput, map[string]pulumi.StringInput, error) {
	env := map[string]pulumi.StringInput{
		"SHOP_ADDR":    pulumi.Sprintf(":%d", ContainerPort),
		"AWS_REGION":   pulumi.String(cfg.Region),
		"SHOP_DB_WAIT": pulumi.String(DatabaseStartupWait.String()),
		// The Api runs behind CloudFront, whose /api/* function sets this header (api.Origin's
		// ViewerIpHeader, the Api's default) to the viewer's address: the login throttle then keys on
		// the shopper, not on the CloudFront edge that X-Forwarded-For ends with.
		"SHOP_CLIENT_IP_HEADER": pulumi.String(components.ViewerIpHeader),
		// The same function passes the viewer's Host: the service's cross-site check compares a
		// page's Origin with it, since the Host that reaches the service is the origin's.
		"SHOP_VIEWER_HOST_HEADER": pulumi.String(components.ViewerHostHeader),
		"OTEL_SERVICE_NAME":       pulumi.String(ServiceName(ctx)),
		"SHOP_NAME":               pulumi.String(cfg.ShopName),
	}
	if cfg.ShopAddress != "" {
		env["SHOP_ADDRESS"] = pulumi.String(cfg.ShopAddress)
	}
	if cfg.ShopContactEmail != "" {
		env["SHOP_CONTACT_EMAIL"] = pulumi.String(cfg.ShopContactEmail)
	}
	secrets := map[string]pulumi.StringInput{}
	data.environment(env)
	if cfg.HasAdminPass {
		s, err := secretsmanager.NewSecret(ctx, "admin-password", &secretsmanager.SecretArgs{
			Description: pulumi.String("shop admin password (SHOP_ADMIN_PASSWORD), from the stack's secret config"),
		}, opts...)
		if err != nil {
			return nil, nil, err
		}
		if _, err := secretsmanager.NewSecretVersion(ctx, "admin-password", &secretsmanager.SecretVersionArgs{
			SecretId:     s.ID(),
			SecretString: cfg.AdminPassword,
		}, append(opts, pulumi.Parent(s))...); err != nil {
			return nil, nil, err
		}
		env["SHOP_ADMIN_EMAIL"] = pulumi.String(cfg.AdminEmail)
		secrets["SHOP_ADMIN_PASSWORD"] = s.Arn
	}
	return env, secrets, nil
}
