package infra_test

import (
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shopstack/shopstack/components"
	"github.com/shopstack/shopstack/internal/pulumimock"
	"github.com/shopstack/shopstack/plan"
	"github.com/shopstack/shopstack/site"
	"github.com/shopstack/shopstack/stacks/infra"
)

// record runs the real program of a real stack file (with the fixed fixture site).
func record(t *testing.T, stack string) *pulumimock.Recorder {
	t.Helper()
	rec, err := plan.Record(repoRoot, stack, plan.GoldenOptions)
	require.NoError(t, err)
	return rec
}

// recordWith runs the program with a stack file's config edited.
func recordWith(t *testing.T, stack string, edit func(map[string]string), secretKeys ...string) *pulumimock.Recorder {
	t.Helper()
	return recordRun(t, stack, edit, nil, secretKeys...)
}

// recordRun is recordWith with more run options (e.g. a project directory).
func recordRun(t *testing.T, stack string, edit func(map[string]string), run []pulumimock.RunOption, secretKeys ...string) *pulumimock.Recorder {
	t.Helper()
	c := stackConfig(t, stack)
	siteDir, err := filepath.Abs(filepath.Join(repoRoot, plan.GoldenOptions.SiteDir))
	require.NoError(t, err)
	c["shopstack:siteDir"] = siteDir
	archive, err := filepath.Abs(filepath.Join(repoRoot, plan.GoldenOptions.LambdaArchive))
	require.NoError(t, err)
	c["shopstack:lambdaArchive"] = archive
	edit(c)
	opts := append([]pulumimock.RunOption{pulumimock.WithStack(stack)}, run...)
	for k, v := range c {
		secret := false
		for _, s := range secretKeys {
			secret = secret || s == k
		}
		if secret {
			opts = append(opts, pulumimock.WithSecretConfig(k, v))
		} else {
			opts = append(opts, pulumimock.WithConfig(k, v))
		}
	}
	return pulumimock.Run(t, infra.Program, opts...)
}

const (
	tProvider = "pulumi:providers:aws"
	tNetwork  = "shopstack:index:Network"
	tData     = "shopstack:index:Data"
	tApi      = "shopstack:index:Api"
	tSite     = "shopstack:index:StaticSite"
	tTaskDef  = "aws:ecs/taskDefinition:TaskDefinition"
	tService  = "aws:ecs/service:Service"
	tNatGw    = "aws:ec2/natGateway:NatGateway"
	tInstance = "aws:ec2/instance:Instance"
	tWebAcl   = "aws:wafv2/webAcl:WebAcl"
	tLB       = "aws:lb/loadBalancer:LoadBalancer"
	tObject   = "aws:s3/bucketObjectv2:BucketObjectv2"
)

func TestProgramComposesTheComponentsAtTheTop(t *testing.T) {
	t.Parallel()
	for _, stack := range []string{"dev", "prod"} {
		t.Run(stack, func(t *testing.T) {
			t.Parallel()
			rec := record(t, stack)
			for _, c := range []struct{ typ, name string }{{tNetwork, "network"}, {tData, "data"}, {tApi, "api"}, {tSite, "site"}} {
				r := rec.Must(t, c.typ, c.name)
				topLevel := r.Parent == "" || strings.HasSuffix(r.Parent, "::pulumi:pulumi:Stack::shopstack-"+stack)
				assert.True(t, topLevel, "%s is top-level, got parent %q", c.name, r.Parent)
			}
			api := rec.Must(t, tApi, "api")
			net := rec.Must(t, tNetwork, "network")
			svc := only(t, rec, tService)
			assert.True(t, strings.HasPrefix(svc.URN, strings.TrimSuffix(api.URN, "::api")), "the service is inside the Api")
			for _, subnet := range svc.Get("networkConfiguration.subnets").ArrayValue() {
				assert.True(t, privateSubnet(rec, net, subnet.StringValue()), "the service runs in a private subnet: %v", subnet)
			}
		})
	}
}

func only(t *testing.T, rec *pulumimock.Recorder, typ string) pulumimock.Resource {
	t.Helper()
	rs := rec.ByType(typ)
	require.Len(t, rs, 1, "exactly one %s", typ)
	return rs[0]
}

// privateSubnet reports whether id is the id of one of the network's private subnets.
func privateSubnet(rec *pulumimock.Recorder, net pulumimock.Resource, id string) bool {
	for _, s := range rec.ByType("aws:ec2/subnet:Subnet") {
		if s.ID == id && strings.Contains(s.Name, "private") && strings.HasPrefix(s.Parent, net.URN) {
			return true
		}
	}
	return false
}

func TestEveryAwsResourceUsesTheDefaultTagsProvider(t *testing.T) {
	t.Parallel()
	for _, stack := range []string{"dev", "prod", "lite"} {
		t.Run(stack, func(t *testing.T) {
			t.Parallel()
			rec := record(t, stack)
			var ours []pulumimock.Resource
			tagged := map[string]bool{}
			for _, p := range rec.ByType(tProvider) {
				tags := pulumimock.Plain(p.Inputs, true)["defaultTags"]
				assert.Equal(t, map[string]any{"tags": map[string]any{
					"project": "shopstack", "stack": stack, "managed-by": "pulumi",
				}}, tags, "provider %s sets the default tags", p.Name)
				tagged[p.URN] = true
				if p.Name == "aws" {
					ours = append(ours, p)
				}
			}
			require.Len(t, ours, 1)
			assert.Equal(t, "us-east-1", ours[0].Str("region"))
			for _, r := range rec.Resources() {
				if !r.Custom || !strings.HasPrefix(r.Type, "aws:") {
					continue
				}
				// The stack's provider, or one a component made for CloudFront's us-east-1 resources
				// (certificate, log delivery), which the stack tags the same way.
				urn := r.Provider[:max(0, strings.LastIndex(r.Provider, "::"))] // a reference is <urn>::<id>
				assert.True(t, tagged[urn], "%s %s uses provider %q", r.Type, r.Name, r.Provider)
			}
		})
	}
}

func TestCustomDomainResourcesAreTaggedToo(t *testing.T) {
	t.Parallel()
	rec := recordWith(t, "prod", func(c map[string]string) {
		c["shopstack:domainName"] = "shop.example.com"
		c["shopstack:hostedZoneId"] = "Z0123456789ABCDEFGHIJ"
	})
	cert := only(t, rec, "aws:acm/certificate:Certificate")
	var certProvider pulumimock.Resource
	for _, p := range rec.ByType(tProvider) {
		if strings.HasPrefix(cert.Provider, p.URN+"::") {
			certProvider = p
		}
	}
	require.NotEmpty(t, certProvider.URN, "the certificate's provider is recorded")
	assert.Equal(t, "us-east-1", certProvider.Str("region"), "CloudFront reads certificates from us-east-1")
	assert.Equal(t, map[string]any{"tags": map[string]any{"project": "shopstack", "stack": "prod", "managed-by": "pulumi"}},
		pulumimock.Plain(certProvider.Inputs, true)["defaultTags"])
	assert.False(t, only(t, rec, "aws:cloudfront/distribution:Distribution").Bool("viewerCertificate.cloudfrontDefaultCertificate"))
}

func TestProtectOnlyStatefulResourcesAndOnlyInProd(t *testing.T) {
	t.Parallel()
	prod := record(t, "prod")
	stateful := 0
	for _, r := range prod.Resources() {
		if infra.StatefulTypes[r.Type] {
			stateful++
			assert.True(t, r.Protect, "prod %s %s is protected", r.Type, r.Name)
		} else {
			assert.False(t, r.Protect, "prod %s %s is not protected (only data-holding resources are)", r.Type, r.Name)
		}
	}
	assert.GreaterOrEqual(t, stateful, 4, "database, cache, search domain and buckets")
	for _, r := range record(t, "dev").Resources() {
		assert.False(t, r.Protect, "dev %s %s is not protected", r.Type, r.Name)
	}
}

func TestProfilesDiffer(t *testing.T) {
	t.Parallel()
	dev, prod := record(t, "dev"), record(t, "prod")

	assert.Empty(t, dev.ByType(tNatGw), "dev: no NAT gateway")
	require.Len(t, dev.ByType(tInstance), 1, "dev: one NAT instance")
	assert.False(t, dev.ByType(tInstance)[0].Bool("sourceDestCheck"))
	assert.Len(t, prod.ByType(tNatGw), 2, "prod: one NAT gateway per zone")
	assert.Empty(t, prod.ByType(tInstance))

	assert.Empty(t, dev.ByType(tWebAcl), "dev: WAF off")
	assert.Len(t, prod.ByType(tWebAcl), 1, "prod: WAF on")
	assert.Equal(t, "CLOUDFRONT", prod.Must(t, tWebAcl, "site-waf").Str("scope"), "prod: the WAF is at the edge")
	_, regional := prod.Find(tWebAcl, "api-waf")
	assert.False(t, regional, "prod: no second, regional ACL behind the edge one (apiWafEnabled false)")

	assert.False(t, only(t, dev, tLB).Bool("enableDeletionProtection"))
	assert.True(t, only(t, prod, tLB).Bool("enableDeletionProtection"))

	spotWeight := func(rec *pulumimock.Recorder) float64 {
		for _, s := range only(t, rec, tService).Get("capacityProviderStrategies").ArrayValue() {
			o := s.ObjectValue()
			if o["capacityProvider"].StringValue() == "FARGATE_SPOT" {
				return o["weight"].NumberValue()
			}
		}
		return 0
	}
	assert.Positive(t, spotWeight(dev), "dev: Fargate Spot")
	assert.Zero(t, spotWeight(prod), "prod: on-demand only")
	assert.Equal(t, "X86_64", only(t, dev, tTaskDef).Str("runtimePlatform.cpuArchitecture"), "Spot runs X86_64 only")
	assert.Equal(t, "ARM64", only(t, prod, tTaskDef).Str("runtimePlatform.cpuArchitecture"))

	assert.Equal(t, 7.0, dev.Must(t, "aws:cloudwatch/logGroup:LogGroup", "api-logs").Num("retentionInDays"))
	assert.Equal(t, 30.0, prod.Must(t, "aws:cloudwatch/logGroup:LogGroup", "api-logs").Num("retentionInDays"))
}

func TestSiteAssetsAndHeadersComeFromTheSitePackage(t *testing.T) {
	t.Parallel()
	rec := record(t, "dev")
	objects := rec.ByType(tObject)
	keys := map[string]string{}
	for _, o := range objects {
		keys[o.Str("key")] = o.Str("cacheControl")
	}
	assert.Equal(t, map[string]string{
		"index.html":              site.CacheControl("index.html"),
		"robots.txt":              site.CacheControl("robots.txt"),
		"assets/app-FIXTURE2.js":  site.CacheControl("assets/app-FIXTURE2.js"),
		"assets/app-FIXTURE3.css": site.CacheControl("assets/app-FIXTURE3.css"),
	}, keys)
	assert.Equal(t, site.CacheImmutable, keys["assets/app-FIXTURE2.js"])
	assert.Equal(t, site.CacheRevalidate, keys["index.html"])

	policies := rec.ByType("aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy")
	require.NotEmpty(t, policies)
	// The storefront's CSP, which may also send to the media bucket (the console's presigned uploads).
	media := rec.Must(t, "aws:s3/bucketV2:BucketV2", "data-media")
	uploads := "https://" + media.Out("bucket").StringValue() + ".s3.us-east-1.amazonaws.com"
	for _, headers := range policies {
		assert.Equal(t, components.AddCSPSources(site.ContentSecurityPolicy, "connect-src", uploads),
			headers.Str("securityHeadersConfig.contentSecurityPolicy.contentSecurityPolicy"), headers.Name)
	}
	var deepLinks int
	for _, fn := range rec.ByType("aws:cloudfront/function:Function") {
		if fn.Str("code") == site.CloudFrontFunctionCode {
			deepLinks++
		}
	}
	assert.Equal(t, 1, deepLinks, "the site's deep-link function runs at the edge")
}

func TestPrebuiltImageSkipsTheBuild(t *testing.T) {
	t.Parallel()
	const uri = "123456789012.dkr.ecr.us-east-1.amazonaws.com/shop@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	rec := recordWith(t, "prod", func(c map[string]string) { c["shopstack:imageUri"] = uri })
	assert.Empty(t, rec.ByType("awsx:ecr:Image"))
	// A stack that built its own image before keeps the repository: deleting it (non-empty, ForceDelete off in
	// prod) would fail the first deploy that sets imageUri.
	built := record(t, "prod")
	kept := only(t, rec, "awsx:ecr:Repository")
	assert.Equal(t, only(t, built, "awsx:ecr:Repository").URN, kept.URN, "the same repository, imageUri or not")
	assert.Equal(t, only(t, built, "awsx:ecr:Repository").Inputs, kept.Inputs)
	var defs []map[string]any
	require.NoError(t, json.Unmarshal([]byte(only(t, rec, tTaskDef).Str("containerDefinitions")), &defs))
	require.Len(t, defs, 3) // the service, its migration (init), then the collector sidecar
	assert.Equal(t, uri, defs[0]["image"])
	pull := rec.Must(t, "aws:iam/rolePolicy:RolePolicy", "api-execution-policy").Str("policy")
	assert.Contains(t, pull, `"arn:aws:ecr:us-east-1:123456789012:repository/shop"`, "pulls only from the image's repository")

	img := only(t, built, "awsx:ecr:Image")
	assert.Equal(t, "linux/arm64", img.Str("platform"))
	assert.Equal(t, "../app/Dockerfile", img.Str("dockerfile"))
	assert.Equal(t, "linux/amd64", only(t, record(t, "dev"), "awsx:ecr:Image").Str("platform"), "dev runs X86_64 on Spot")
}

func TestBuiltImageIsPulledOnlyFromItsRepository(t *testing.T) {
	t.Parallel()
	for _, stack := range []string{"dev", "prod"} {
		t.Run(stack, func(t *testing.T) {
			t.Parallel()
			rec := record(t, stack)
			url := rec.Must(t, "awsx:ecr:Repository", "api-images").Out("url")
			require.True(t, url.IsString(), "the repository has a URL")
			arn := infra.RepositoryArn(url.StringValue())
			require.NotEmpty(t, arn, "%q is an ECR repository URL", url.StringValue())

			img := rec.Must(t, "awsx:ecr:Image", "api-image")
			assert.Equal(t, url.StringValue(), img.Str("repositoryUrl"), "the image is pushed to the stack's repository")
			uri := img.Out("imageUri").StringValue()
			assert.True(t, strings.HasPrefix(uri, url.StringValue()+"@sha256:"), "the task runs the pushed digest: %s", uri)
			var defs []struct{ Image string }
			require.NoError(t, json.Unmarshal([]byte(only(t, rec, tTaskDef).Str("containerDefinitions")), &defs))
			require.Len(t, defs, 3) // the service, its migration (init), then the collector sidecar
			assert.Equal(t, uri, defs[0].Image)

			var pull []string
			for _, st := range rolePolicy(t, rec, "api-execution-policy") {
				if st.Sid == "EcrPull" {
					pull = st.Resource
				}
			}
			assert.Equal(t, []string{arn}, pull, "image pull is scoped to exactly this repository")
		})
	}
}

func TestProdDeliversAccessLogsToAHardenedBucket(t *testing.T) {
	t.Parallel()
	prod := record(t, "prod")
	logs := prod.Must(t, "shopstack:index:LogBucket", "access-logs")
	bucket := prod.Must(t, "aws:s3/bucketV2:BucketV2", "access-logs-bucket")
	assert.Equal(t, logs.URN, bucket.Parent)
	assert.True(t, bucket.Protect, "prod keeps its logs through a destroy")
	assert.Equal(t, 90.0, prod.Must(t, "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2", "access-logs-bucket-lifecycle").
		Num("rules[0].expiration.days"), "accessLogExpirationDays from Pulumi.prod.yaml")
	policy := prod.Must(t, "aws:s3/bucketPolicy:BucketPolicy", "access-logs-bucket-policy")
	assert.Contains(t, policy.Str("policy"), `"AWS":"arn:aws:iam::127311923021:root"`, "us-east-1's ELB log delivery")
	assert.Contains(t, policy.Str("policy"), bucket.Out("arn").StringValue()+"/api/AWSLogs/123456789012/*")

	alb := only(t, prod, tLB)
	assert.True(t, alb.Bool("accessLogs.enabled"))
	assert.Equal(t, bucket.Out("bucket").StringValue(), alb.Str("accessLogs.bucket"))
	assert.Equal(t, "api", alb.Str("accessLogs.prefix"), "the prefix the bucket policy grants")
	assert.True(t, alb.DependsOn("accessLogs", policy.URN), "the load balancer is created after its permission to write")

	dist := only(t, prod, "aws:cloudfront/distribution:Distribution")
	assert.False(t, dist.Has("loggingConfig"), "legacy logging would need bucket ACLs")
	dest := prod.Must(t, "aws:cloudwatch/logDeliveryDestination:LogDeliveryDestination", "site-log-destination")
	assert.Equal(t, bucket.Out("arn").StringValue(), dest.Str("deliveryDestinationConfiguration.destinationResourceArn"))
	assert.Equal(t, dist.Out("arn").StringValue(),
		prod.Must(t, "aws:cloudwatch/logDeliverySource:LogDeliverySource", "site-log-source").Str("resourceArn"))

	dev := record(t, "dev")
	assert.Empty(t, dev.ByType("shopstack:index:LogBucket", "aws:cloudwatch/logDelivery:LogDelivery"), "dev stays at its idle minimum")
	assert.False(t, only(t, dev, tLB).Has("accessLogs"))
}

func TestDatabaseLogGroupsKeepTheStacksRetention(t *testing.T) {
	t.Parallel()
	for stack, want := range map[string]struct {
		name string
		days float64
	}{
		"dev":  {"/aws/rds/cluster/shopstack-dev-data-db/postgresql", 7},
		"prod": {"/aws/rds/instance/shopstack-prod-data-db/postgresql", 30},
	} {
		g := record(t, stack).Must(t, "aws:cloudwatch/logGroup:LogGroup", "data-db-postgresql-logs")
		assert.Equal(t, want.name, g.Str("name"), stack)
		assert.Equal(t, want.days, g.Num("retentionInDays"), "%s: logRetentionDays", stack)
	}
}

func TestAdminPasswordIsNeverPlain(t *testing.T) {
	t.Parallel()
	const password = "correct-horse-battery-staple-4711"
	rec := recordWith(t, "dev", func(c map[string]string) {
		c["shopstack:adminEmail"] = "ops@example.com"
		c["shopstack:adminPassword"] = password
	}, "shopstack:adminPassword")

	version := rec.Must(t, "aws:secretsmanager/secretVersion:SecretVersion", "admin-password")
	assert.True(t, version.IsSecret("secretString"), "the secret's value is a Pulumi secret")
	for _, r := range rec.Resources() {
		b, err := json.Marshal(pulumimock.Plain(r.Inputs, true))
		require.NoError(t, err)
		assert.NotContains(t, string(b), password, "%s %s holds the password in plain text", r.Type, r.Name)
	}
	var defs []map[string]any
	require.NoError(t, json.Unmarshal([]byte(only(t, rec, tTaskDef).Str("containerDefinitions")), &defs))
	env := map[string]any{}
	for _, e := range defs[0]["environment"].([]any) {
		m := e.(map[string]any)
		env[m["name"].(string)] = m["value"]
	}
	secrets := map[string]any{}
	for _, e := range defs[0]["secrets"].([]any) {
		m := e.(map[string]any)
		secrets[m["name"].(string)] = m["valueFrom"]
	}
	assert.Equal(t, "ops@example.com", env["SHOP_ADMIN_EMAIL"])
	assert.NotContains(t, env, "SHOP_ADMIN_PASSWORD")
	assert.Equal(t, rec.Must(t, "aws:secretsmanager/secret:Secret", "admin-password").Out("arn").StringValue(), secrets["SHOP_ADMIN_PASSWORD"])
}

func TestRepositoryArn(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "arn:aws:ecr:eu-west-1:123456789012:repository/api-images-1a2b3c",
		infra.RepositoryArn("123456789012.dkr.ecr.eu-west-1.amazonaws.com/api-images-1a2b3c"))
	assert.Equal(t, "arn:aws-cn:ecr:cn-north-1:123456789012:repository/shop",
		infra.RepositoryArn("123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/shop"))
	for _, bad := range []string{"", "ghcr.io/shop", "123456789012.dkr.ecr.eu-west-1.amazonaws.com/"} {
		assert.Empty(t, infra.RepositoryArn(bad), bad)
	}
}

// container returns the service container's environment and secrets (the first; the migration and the
// collector follow).
func container(t *testing.T, rec *pulumimock.Recorder) (env, secrets map[string]string) {
	t.Helper()
	return containerAt(t, rec, 0)
}

// containerAt returns the environment and secrets of the task's i-th container.
func containerAt(t *testing.T, rec *pulumimock.Recorder, i int) (env, secrets map[string]string) {
	t.Helper()
	var defs []struct {
		Environment []struct{ Name, Value string }
		Secrets     []struct{ Name, ValueFrom string }
		User        string
	}
	require.NoError(t, json.Unmarshal([]byte(only(t, rec, tTaskDef).Str("containerDefinitions")), &defs))
	require.Len(t, defs, 3) // the service, its migration (init), then the collector sidecar
	env, secrets = map[string]string{}, map[string]string{}
	for _, e := range defs[i].Environment {
		env[e.Name] = e.Value
	}
	for _, s := range defs[i].Secrets {
		secrets[s.Name] = s.ValueFrom
	}
	return env, secrets
}

func TestServiceIsWiredToTheData(t *testing.T) {
	t.Parallel()
	for _, stack := range []string{"dev", "prod"} {
		t.Run(stack, func(t *testing.T) {
			t.Parallel()
			rec := record(t, stack)
			env, secrets := container(t, rec)

			var dbHost, dbSecret string
			if db, ok := rec.Find("aws:rds/instance:Instance", "data-db"); ok {
				dbHost = db.Out("address").StringValue()
				dbSecret = db.Out("masterUserSecrets[0].secretArn").StringValue()
			} else {
				cluster := rec.Must(t, "aws:rds/cluster:Cluster", "data-db")
				dbHost = cluster.Out("endpoint").StringValue()
				dbSecret = cluster.Out("masterUserSecrets[0].secretArn").StringValue()
			}
			require.NotEmpty(t, dbHost)
			require.NotEmpty(t, dbSecret)
			// The service connects as the least-privilege role with an IAM token, never as the master user.
			assert.Equal(t, "postgres://"+infra.AppRole+"@"+dbHost+":5432/shop?sslmode=require", env["DATABASE_URL"],
				"no password in the URL")
			assert.Equal(t, "true", env["SHOP_DB_IAM_AUTH"])
			assert.NotContains(t, secrets, "PGPASSWORD", "the master secret never reaches the service's container")
			// The migration, before it in every task, runs as the master user with the RDS-managed secret.
			initEnv, initSecrets := containerAt(t, rec, 1)
			assert.Equal(t, "postgres://shop_admin@"+dbHost+":5432/shop?sslmode=require", initEnv["DATABASE_URL"])
			assert.Equal(t, infra.AppRole, initEnv["SHOP_DB_APP_ROLE"])
			assert.Equal(t, dbSecret+":password::", initSecrets["PGPASSWORD"], "the password comes from the RDS-managed secret")
			// The task role may connect as exactly that database user.
			var resourceID string
			if db, ok := rec.Find("aws:rds/instance:Instance", "data-db"); ok {
				resourceID = db.Out("resourceId").StringValue()
			} else {
				resourceID = rec.Must(t, "aws:rds/cluster:Cluster", "data-db").Out("clusterResourceId").StringValue()
			}
			require.NotEmpty(t, resourceID)
			assert.Contains(t, rec.Must(t, "aws:iam/rolePolicy:RolePolicy", "api-task-policy").Str("policy"),
				`"Action":["rds-db:connect"],"Resource":["arn:aws:rds-db:us-east-1:123456789012:dbuser:`+resourceID+`/`+infra.AppRole+`"]`)
			assert.Equal(t, ":8080", env["SHOP_ADDR"])

			// The service's client IP (login throttle, request log) is the header the distribution's
			// /api/* function overwrites with the viewer's address, the one the WAF's rate rule keys on.
			header := env["SHOP_CLIENT_IP_HEADER"]
			require.NotEmpty(t, header, "behind CloudFront, X-Forwarded-For's last public hop is an edge shared by many shoppers")
			assert.Contains(t, rec.Must(t, "aws:cloudfront/function:Function", "site-api-viewer-ip").Str("code"),
				"request.headers['"+strings.ToLower(header)+"'] = { value: event.viewer.ip };")
			if acl, ok := rec.Find("aws:wafv2/webAcl:WebAcl", "api-waf"); ok {
				assert.Equal(t, header, acl.Str("rules[0].statement.rateBasedStatement.forwardedIpConfig.headerName"))
			} else if _, edge := rec.Find("aws:wafv2/webAcl:WebAcl", "site-waf"); !edge {
				assert.Equal(t, "dev", stack, "prod has the WAF")
			}

			media := rec.Must(t, "aws:s3/bucketV2:BucketV2", "data-media")
			assert.Equal(t, media.Out("bucket").StringValue(), env["SHOP_MEDIA_BUCKET"])

			_, hasCache := env["SHOP_CACHE_URL"]
			_, hasSearch := env["SHOP_SEARCH_URL"]
			if stack == "dev" {
				assert.False(t, hasCache, "dev has no cache")
				assert.False(t, hasSearch, "dev has no search domain")
			} else {
				// The cache: IAM authentication, so no password exists, in a secret or anywhere else.
				group := rec.Must(t, "aws:elasticache/replicationGroup:ReplicationGroup", "data-cache")
				user := rec.Must(t, "aws:elasticache/user:User", "data-cache-user")
				assert.Equal(t, "rediss://"+user.Str("userName")+"@"+group.Out("primaryEndpointAddress").StringValue()+":6379",
					env["SHOP_CACHE_URL"], "TLS to the cache, as the IAM user, no password in the URL")
				assert.Equal(t, "true", env["SHOP_CACHE_IAM_AUTH"])
				assert.Equal(t, group.Out("replicationGroupId").StringValue(), env["SHOP_CACHE_NAME"], "what the token is signed for")
				assert.Equal(t, "false", env["SHOP_CACHE_SERVERLESS"])
				assert.NotContains(t, secrets, "SHOP_CACHE_PASSWORD")
				assert.False(t, group.Has("authToken"))
				assert.True(t, strings.HasPrefix(env["SHOP_SEARCH_URL"], "https://"))
				taskPolicy := rec.Must(t, "aws:iam/rolePolicy:RolePolicy", "api-task-policy").Str("policy")
				assert.Contains(t, taskPolicy, "sts:AssumeRole")
				assert.Contains(t, taskPolicy, rec.Must(t, "aws:iam/role:Role", "data-search-access").Out("arn").StringValue())
				var connect [][]string
				for _, st := range rolePolicy(t, rec, "api-task-policy") {
					if slices.Contains(st.Action, "elasticache:Connect") {
						connect = append(connect, st.Resource)
					}
				}
				assert.Equal(t, [][]string{{group.Out("arn").StringValue(), user.Out("arn").StringValue()}}, connect,
					"the task role may connect to exactly this cache as exactly this user")
			}
			for _, v := range rec.ByType("aws:secretsmanager/secretVersion:SecretVersion") {
				assert.True(t, v.IsSecret("secretString"), "%s: a secret's value is a Pulumi secret", v.Name)
			}
			for name, v := range env {
				for _, secretish := range []string{"PASSWORD", "TOKEN", "SECRET"} {
					assert.NotContains(t, name, secretish, "%s=%s is a plain environment variable", name, v)
				}
			}

			// The data services admit the service's security group, and nothing else.
			taskSG := rec.Must(t, "aws:ec2/securityGroup:SecurityGroup", "api-task-sg").ID
			var admitted int
			for _, rule := range rec.ByType("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule") {
				if !strings.HasPrefix(rule.Name, "data-") {
					continue
				}
				admitted++
				assert.Equal(t, taskSG, rule.Str("referencedSecurityGroupId"), rule.Name)
				assert.False(t, rule.Has("cidrIpv4"), rule.Name)
			}
			assert.Positive(t, admitted)
		})
	}
}

// The edge web ACL takes the stack's WAF settings, and the /api/* behaviour
// sends the service what it decides on: CloudFront-Forwarded-Proto (its
// session cookie is Secure only over HTTPS), Origin and Sec-Fetch-Site (the
// cross-site refusal), the viewer's address.
func TestEdgeWafAndTheApiOriginRequestPolicy(t *testing.T) {
	t.Parallel()
	for _, stack := range []string{"dev", "prod"} {
		t.Run(stack, func(t *testing.T) {
			t.Parallel()
			rec := record(t, stack)
			cfg := stackConfig(t, stack)
			dist := rec.Must(t, "aws:cloudfront/distribution:Distribution", "site-cdn")
			acl, edge := rec.Find(tWebAcl, "site-waf")
			assert.Equal(t, cfg["shopstack:wafEnabled"] == "true", edge, "wafEnabled decides the edge ACL")
			if edge {
				assert.Equal(t, acl.Out("arn").StringValue(), dist.Str("webAclId"))
				assert.Equal(t, cfg["shopstack:wafRateLimit"], strconv.Itoa(int(acl.Num("rules[0].statement.rateBasedStatement.limit"))))
				assert.Equal(t, cfg["shopstack:logRetentionDays"],
					strconv.Itoa(int(rec.Must(t, "aws:cloudwatch/logGroup:LogGroup", "site-waf-logs").Num("retentionInDays"))))
			} else {
				assert.False(t, dist.Has("webAclId"))
			}

			policy := rec.Must(t, "aws:cloudfront/originRequestPolicy:OriginRequestPolicy", "site-api-requests")
			assert.Equal(t, policy.ID, dist.Str("orderedCacheBehaviors[0].originRequestPolicyId"))
			assert.Equal(t, "/api/*", dist.Str("orderedCacheBehaviors[0].pathPattern"))
			headers := policy.Plain("headersConfig.headers.items")
			for _, h := range []string{"CloudFront-Forwarded-Proto", "Origin", "Sec-Fetch-Site", components.ViewerIpHeader} {
				assert.Contains(t, headers, h)
			}
			assert.Equal(t, "all", policy.Str("cookiesConfig.cookieBehavior"))
			assert.Equal(t, "all", policy.Str("queryStringsConfig.queryStringBehavior"))
		})
	}
}

// With the edge ACL gone, production has no WAF at all: the pack refuses it
// (CloudFront.6 for the distribution, ELB.16 for the load balancer it fronts).
func TestProdWithoutTheEdgeWafIsRefused(t *testing.T) {
	t.Parallel()
	var values map[string]string
	rec := recordWith(t, "prod", func(c map[string]string) {
		c["shopstack:wafEnabled"] = "false"
		values = c
	})
	rep, err := plan.RunPolicies("prod", values, rec.Resources(), nil)
	require.NoError(t, err)
	var refused []string
	for _, f := range rep.Mandatory() {
		refused = append(refused, f.Rule+" "+f.Name)
	}
	assert.Contains(t, refused, "cloudfront-waf site-cdn")
	assert.Contains(t, refused, "alb-waf-association api-alb")
}

// TestSearchDomainGetsItsServiceLinkedRole: a fresh account has no OpenSearch service-linked role, and a domain in
// a VPC cannot be created without it, so prod creates it first; an account that holds it already (only one
// can exist) says so in the stack's config.
func TestSearchDomainGetsItsServiceLinkedRole(t *testing.T) {
	t.Parallel()
	const tSLR = "aws:iam/serviceLinkedRole:ServiceLinkedRole"
	prod := record(t, "prod")
	slr := prod.Must(t, tSLR, "data-search-service-role")
	assert.Equal(t, "opensearchservice.amazonaws.com", slr.Str("awsServiceName"))
	assert.Contains(t, prod.Must(t, "aws:opensearch/domain:Domain", "data-search").Dependencies, slr.URN)
	assert.Empty(t, record(t, "dev").ByType(tSLR), "dev has no search domain")

	existing := recordWith(t, "prod", func(c map[string]string) { c["shopstack:searchServiceLinkedRoleExists"] = "true" })
	assert.Empty(t, existing.ByType(tSLR))
	existing.Must(t, "aws:opensearch/domain:Domain", "data-search")
}

// TestServiceWaitsForAResumingDatabase: dev's Aurora pauses at 0 ACU and takes about 15 s to resume on the first
// connection. The service's startup wait covers that at least twice, and ECS's health-check grace period
// covers the wait plus one load balancer check, so a waiting task is not replaced before it is ready or has
// said why it gave up.
func TestServiceWaitsForAResumingDatabase(t *testing.T) {
	t.Parallel()
	for _, stack := range []string{"dev", "prod"} {
		rec := record(t, stack)
		env, _ := container(t, rec)
		wait, err := time.ParseDuration(env["SHOP_DB_WAIT"])
		require.NoError(t, err, "%s: SHOP_DB_WAIT=%q", stack, env["SHOP_DB_WAIT"])
		assert.GreaterOrEqual(t, wait, 30*time.Second, "%s: twice Aurora's ~15 s resume from 0 ACU", stack)
		grace := time.Duration(rec.Must(t, tService, "api-service").Num("healthCheckGracePeriodSeconds")) * time.Second
		interval := time.Duration(rec.Must(t, "aws:lb/targetGroup:TargetGroup", "api-tg").Num("healthCheck.interval")) * time.Second
		assert.GreaterOrEqual(t, grace, wait+interval, "%s: ECS must not replace a task still waiting for the database", stack)
	}
	cluster := record(t, "dev").Must(t, "aws:rds/cluster:Cluster", "data-db")
	assert.Equal(t, 0.0, cluster.Num("serverlessv2ScalingConfiguration.minCapacity"), "the case this covers: dev pauses")
}

// TestServiceWritesNoFiles: the container's root filesystem is read-only and the task has no volume (a Fargate
// bind mount is root's, mode 0755, which uid 65532 cannot write). That holds only while the service writes no
// files: this fails when app/ starts to (temp files, multipart uploads spilled to TMPDIR, os.Create ...), so
// the change that needs scratch space also brings a writable volume for the service's user.
func TestServiceWritesNoFiles(t *testing.T) {
	t.Parallel()
	writers := []string{"os.CreateTemp", "os.MkdirTemp", "os.TempDir", "ioutil.TempFile", "ioutil.TempDir",
		"os.Create(", "os.WriteFile", "os.OpenFile", "os.Mkdir", "os.Rename", "ParseMultipartForm", "MultipartForm",
		"FormFile", `"/tmp`}
	root := filepath.Join(repoRoot, "app")
	files := 0
	// bench and drill are commands an operator runs from a checkout (main packages the image does not build);
	// media/local.go is the media store of a machine without a bucket (SHOP_MEDIA_DIR), which the task never
	// uses: the stack sets SHOP_MEDIA_BUCKET (asserted below).
	tools := []string{"/bench/", "/drill/", "/media/local.go"}
	require.NoError(t, filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") ||
			slices.ContainsFunc(tools, func(dir string) bool { return strings.Contains(filepath.ToSlash(p), dir) }) {
			return err
		}
		files++
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for _, w := range writers {
			assert.NotContains(t, string(b), w, "%s writes files: the task's filesystem is read-only, with no volume", p)
		}
		return nil
	}))
	require.Positive(t, files)

	dockerfile, err := os.ReadFile(filepath.Join(root, "Dockerfile"))
	require.NoError(t, err)
	assert.Contains(t, string(dockerfile), "USER 65532:65532")
	for _, stack := range []string{"dev", "prod"} {
		rec := record(t, stack)
		task := only(t, rec, tTaskDef)
		assert.False(t, task.Has("volumes"), stack)
		var defs []map[string]any
		require.NoError(t, json.Unmarshal([]byte(task.Str("containerDefinitions")), &defs))
		for _, c := range defs { // the service and the collector sidecar alike
			assert.Equal(t, true, c["readonlyRootFilesystem"], "%s %s", stack, c["name"])
			assert.NotContains(t, c, "mountPoints", "%s %s", stack, c["name"])
		}
		assert.Equal(t, "65532:65532", defs[0]["user"], stack)
		env := map[string]string{}
		for _, kv := range defs[0]["environment"].([]any) {
			m := kv.(map[string]any)
			env[m["name"].(string)], _ = m["value"].(string)
		}
		assert.NotEmpty(t, env["SHOP_MEDIA_BUCKET"], "%s: the task keeps media in the bucket, never on its disk", stack)
		assert.NotContains(t, env, "SHOP_MEDIA_DIR", stack)
	}
}
