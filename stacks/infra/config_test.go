package infra_test

import (
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shopstack/shopstack/components"
	"github.com/shopstack/shopstack/internal/pulumimock"
	"github.com/shopstack/shopstack/plan"
	"github.com/shopstack/shopstack/policies"
	"github.com/shopstack/shopstack/stacks/infra"
)

const repoRoot = "../.."

// stackConfig is the effective config of a real stack file (Pulumi.yaml defaults + Pulumi.<stack>.yaml).
func stackConfig(t *testing.T, stack string) map[string]string {
	t.Helper()
	sc, err := plan.ReadStackConfig(repoRoot, stack)
	require.NoError(t, err)
	return sc.Values
}

// loadConfig runs LoadConfig alone under the mock with the given config.
func loadConfig(t *testing.T, values map[string]string, secretKeys ...string) (infra.Config, error) {
	t.Helper()
	var cfg infra.Config
	var loadErr error
	opts := []pulumimock.RunOption{pulumimock.WithStack("t")}
	for k, v := range values {
		if slices.Contains(secretKeys, k) {
			opts = append(opts, pulumimock.WithSecretConfig(k, v))
		} else {
			opts = append(opts, pulumimock.WithConfig(k, v))
		}
	}
	pulumimock.Run(t, func(ctx *pulumi.Context) error {
		cfg, loadErr = infra.LoadConfig(ctx)
		return nil
	}, opts...)
	return cfg, loadErr
}

// TestConfigKeysMatchTheSchema holds LoadConfig and Pulumi.yaml together: every declared key is read (taking it
// away is an error naming it), and LoadConfig reads no undeclared key (the real stacks, which have only
// declared keys, load: see TestLoadConfigOfTheRealStacks).
func TestConfigKeysMatchTheSchema(t *testing.T) {
	t.Parallel()
	proj, err := plan.ReadProject(repoRoot)
	require.NoError(t, err)
	policyKeys := []string{policies.KeyBudgetUSD, policies.KeyMaxInstanceSize, policies.KeyRequiredTags, policies.KeyProductionGrade}
	for _, k := range slices.Sorted(maps.Keys(proj.Config)) {
		s := proj.Config[k]
		assert.NotEmpty(t, s.Description, "%s has a description", k)
		assert.NotNil(t, s.Default, "%s has a default (Pulumi requires a key without one in every stack)", k)
		assert.False(t, s.Secret, "%s: Pulumi rejects a default on a secret key; the program enforces encryption", k)
		if strings.HasPrefix(k, "policy") {
			assert.Contains(t, policyKeys, infra.Project+":"+k, "%s is a key the policy pack reads", k)
			continue
		}
		c := stackConfig(t, "prod")
		delete(c, infra.Project+":"+k)
		_, err := loadConfig(t, c)
		if assert.Error(t, err, "LoadConfig reads %s", k) {
			assert.Contains(t, err.Error(), infra.Project+":"+k+": missing")
		}
	}
}

func TestLoadConfigOfTheRealStacks(t *testing.T) {
	t.Parallel()
	dev, err := loadConfig(t, stackConfig(t, "dev"))
	require.NoError(t, err)
	prod, err := loadConfig(t, stackConfig(t, "prod"))
	require.NoError(t, err)

	assert.Equal(t, "us-east-1", dev.Region)
	// dev: the minimum-cost profile.
	assert.Equal(t, components.NatInstance, dev.NatStrategy)
	assert.Equal(t, components.DatabaseAuroraServerless, dev.DatabaseEngine)
	assert.Equal(t, 0.0, dev.DatabaseMinAcu)
	assert.False(t, dev.DatabaseMultiAz)
	assert.False(t, dev.DatabaseDeletionProtection)
	assert.Equal(t, components.CacheNone, dev.CacheMode)
	assert.Equal(t, components.SearchNone, dev.SearchMode)
	assert.False(t, dev.WafEnabled)
	assert.False(t, dev.ApiWafEnabled)
	assert.Positive(t, dev.ApiSpotWeight)
	assert.Equal(t, 7, dev.LogRetentionDays)
	assert.False(t, dev.ProtectStateful)
	// prod: the highly available profile.
	assert.Equal(t, components.NatGatewayPerAz, prod.NatStrategy)
	assert.Equal(t, components.DatabaseRds, prod.DatabaseEngine)
	assert.True(t, prod.DatabaseMultiAz)
	assert.True(t, prod.DatabaseDeletionProtection)
	assert.GreaterOrEqual(t, prod.DatabaseBackupRetentionDays, 7)
	assert.Equal(t, components.CacheReplicationGroup, prod.CacheMode)
	assert.GreaterOrEqual(t, prod.CacheNodes, 2)
	assert.Equal(t, components.SearchDomain, prod.SearchMode)
	assert.True(t, prod.WafEnabled)
	assert.False(t, prod.ApiWafEnabled, "the edge ACL inspects every request the internal load balancer gets")
	assert.Zero(t, prod.ApiSpotWeight)
	assert.GreaterOrEqual(t, prod.ApiMinTasks, 2)
	assert.Greater(t, prod.LogRetentionDays, dev.LogRetentionDays)
	assert.True(t, prod.ProtectStateful)
	assert.Equal(t, "site/dist", prod.SiteDir)
	assert.Empty(t, prod.ImageUri)
	assert.False(t, prod.HasAdminPass)
}

func TestLoadConfigErrorsNameTheKey(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		edit    func(map[string]string)
		wantErr []string
	}{
		{"missing key", func(c map[string]string) { delete(c, "shopstack:natStrategy") },
			[]string{"shopstack:natStrategy: missing"}},
		{"missing region", func(c map[string]string) { delete(c, "aws:region") },
			[]string{"aws:region: missing"}},
		{"integer of the wrong type", func(c map[string]string) { c["shopstack:apiCpu"] = "lots" },
			[]string{`shopstack:apiCpu: want an integer, got "lots"`}},
		{"boolean of the wrong type", func(c map[string]string) { c["shopstack:wafEnabled"] = "yes" },
			[]string{`shopstack:wafEnabled: want true or false, got "yes"`}},
		{"value not allowed", func(c map[string]string) { c["shopstack:cacheMode"] = "memcached" },
			[]string{`shopstack:cacheMode: "memcached" is not one of none | serverless | replicationGroup`}},
		{"out of range", func(c map[string]string) { c["shopstack:availabilityZones"] = "1" },
			[]string{"shopstack:availabilityZones: 1 is out of range [2, 3]"}},
		{"not a log retention", func(c map[string]string) { c["shopstack:logRetentionDays"] = "10" },
			[]string{"shopstack:logRetentionDays: 10 is not a CloudWatch Logs retention"}},
		{"bad CIDR", func(c map[string]string) { c["shopstack:vpcCidr"] = "10.0.0.1/33" },
			[]string{`shopstack:vpcCidr: "10.0.0.1/33" is not an IPv4 network CIDR`}},
		{"Spot with ARM64", func(c map[string]string) {
			c["shopstack:apiSpotWeight"] = "1"
			c["shopstack:apiArchitecture"] = "ARM64"
		}, []string{"shopstack:apiSpotWeight: Fargate Spot does not run ARM64 tasks"}},
		{"domain without zone", func(c map[string]string) { c["shopstack:domainName"] = "shop.example.com" },
			[]string{"shopstack:hostedZoneId: domainName and hostedZoneId go together"}},
		{"admin email without password", func(c map[string]string) { c["shopstack:adminEmail"] = "ops@example.com" },
			[]string{"shopstack:adminPassword: adminEmail and adminPassword go together"}},
		{"admin password in plain text", func(c map[string]string) {
			c["shopstack:adminEmail"] = "ops@example.com"
			c["shopstack:adminPassword"] = "hunter2hunter2"
		}, []string{"shopstack:adminPassword: is not encrypted: set it with `pulumi config set --secret adminPassword`"}},
		{"every problem at once", func(c map[string]string) {
			c["shopstack:apiMinTasks"] = "x"
			c["shopstack:searchMode"] = "elastic"
		}, []string{"shopstack:apiMinTasks: want an integer", "shopstack:searchMode: \"elastic\" is not one of"}},
		{"database floor above ceiling", func(c map[string]string) {
			c["shopstack:databaseMinAcu"], c["shopstack:databaseMaxAcu"] = "4", "2"
		}, []string{"shopstack:databaseMinAcu: 4 is above databaseMaxAcu 2"}},
		{"capacity between Aurora's 0.5 ACU steps", func(c map[string]string) { c["shopstack:databaseMinAcu"] = "0.3" },
			[]string{"shopstack:databaseMinAcu: 0.3 is not a multiple of 0.5 (Aurora Serverless v2 scales in 0.5 ACU steps)"}},
		{"capacity that is not a number", func(c map[string]string) { c["shopstack:databaseMaxAcu"] = "lots" },
			[]string{`shopstack:databaseMaxAcu: want a number of ACUs such as 0.5 or 2, got "lots"`}},
		{"capacity ceiling out of range", func(c map[string]string) { c["shopstack:databaseMaxAcu"] = "0.5" },
			[]string{"shopstack:databaseMaxAcu: 0.5 is out of range [1, 256]"}},
		{"task floor above ceiling", func(c map[string]string) {
			c["shopstack:apiMinTasks"], c["shopstack:apiMaxTasks"] = "3", "2"
		}, []string{"shopstack:apiMinTasks: 3 is above apiMaxTasks 2"}},
		{"no capacity provider", func(c map[string]string) {
			c["shopstack:apiSpotWeight"], c["shopstack:apiOnDemandWeight"] = "0", "0"
		}, []string{"shopstack:apiOnDemandWeight: apiSpotWeight and apiOnDemandWeight are both 0"}},
		{"empty site directory", func(c map[string]string) { c["shopstack:siteDir"] = "" },
			[]string{"shopstack:siteDir: must name the built storefront directory"}},
		{"instance class prefix", func(c map[string]string) { c["shopstack:databaseInstanceClass"] = "t4g.micro" },
			[]string{`shopstack:databaseInstanceClass: "t4g.micro" does not start with "db."`}},
		{"search type suffix", func(c map[string]string) { c["shopstack:searchInstanceType"] = "t3.small" },
			[]string{`shopstack:searchInstanceType: "t3.small" does not end with ".search"`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := stackConfig(t, "dev")
			tc.edit(c)
			_, err := loadConfig(t, c)
			require.Error(t, err)
			assert.Contains(t, err.Error(), `stack "t" configuration`)
			for _, want := range tc.wantErr {
				assert.Contains(t, err.Error(), want)
			}
		})
	}
}

func TestLoadConfigAdminPasswordStaysSecret(t *testing.T) {
	t.Parallel()
	c := stackConfig(t, "dev")
	c["shopstack:adminEmail"] = "ops@example.com"
	c["shopstack:adminPassword"] = "correct horse battery staple"
	cfg, err := loadConfig(t, c, "shopstack:adminPassword")
	require.NoError(t, err)
	require.True(t, cfg.HasAdminPass)
	assert.Equal(t, "correct horse battery staple", pulumimock.AwaitSecret[string](t, cfg.AdminPassword))
}

// TestLoadConfigAcceptsHalfAcuSteps: Aurora Serverless v2 scales in 0.5 ACU steps, and the stack passes them
// through to the cluster.
func TestLoadConfigAcceptsHalfAcuSteps(t *testing.T) {
	t.Parallel()
	c := stackConfig(t, "dev")
	c["shopstack:databaseMinAcu"], c["shopstack:databaseMaxAcu"] = "0.5", "2.5"
	cfg, err := loadConfig(t, c)
	require.NoError(t, err)
	assert.Equal(t, 0.5, cfg.DatabaseMinAcu)
	assert.Equal(t, 2.5, cfg.DatabaseMaxAcu)

	rec := recordWith(t, "dev", func(c map[string]string) {
		c["shopstack:databaseMinAcu"], c["shopstack:databaseMaxAcu"] = "0.5", "2.5"
	})
	cluster := rec.Must(t, "aws:rds/cluster:Cluster", "data-db")
	assert.Equal(t, 0.5, cluster.Num("serverlessv2ScalingConfiguration.minCapacity"))
	assert.Equal(t, 2.5, cluster.Num("serverlessv2ScalingConfiguration.maxCapacity"))
}
