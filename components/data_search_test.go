package components_test

import (
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shopstack/shopstack/components"
	"github.com/shopstack/shopstack/internal/pulumimock"
)

func TestDataSearch(t *testing.T) {
	t.Parallel()
	t.Run("an account that already holds the service-linked role", func(t *testing.T) {
		t.Parallel()
		rec, _ := runData(t, dataArgs(func(a *components.DataArgs) {
			a.Search = components.SearchArgs{Mode: components.SearchDomain, ServiceLinkedRoleExists: true}
		}))
		assert.Empty(t, rec.ByType(dtServiceRole), "an account holds one: creating a second fails")
		domain := rec.Must(t, dtDomain, "data-search")
		assert.Contains(t, domain.Dependencies, rec.Must(t, dtLogPolicy, "data-search-logs").URN, "the log policy still comes first")
	})

	t.Run("domain defaults", func(t *testing.T) {
		t.Parallel()
		rec, data := runData(t, dataArgs(func(a *components.DataArgs) { a.Search.Mode = components.SearchDomain }))

		domain := rec.Must(t, dtDomain, "data-search")
		role := rec.Must(t, dtRole, "data-search-access")
		assert.Equal(t, "t3.small.search", domain.Str("clusterConfig.instanceType"))
		assert.Equal(t, 1.0, domain.Num("clusterConfig.instanceCount"))
		assert.False(t, domain.Bool("clusterConfig.zoneAwarenessEnabled"))
		assert.Equal(t, []any{"subnet-aaa"}, domain.Plain("vpcOptions.subnetIds"), "one node, one subnet")
		assert.Equal(t, []any{rec.Must(t, dtSecGroup, "data-search-sg").ID}, domain.Plain("vpcOptions.securityGroupIds"))
		assert.True(t, domain.Bool("encryptAtRest.enabled"))
		assert.True(t, domain.Bool("nodeToNodeEncryption.enabled"))
		assert.True(t, domain.Bool("domainEndpointOptions.enforceHttps"))
		assert.Equal(t, "Policy-Min-TLS-1-2-PFS-2023-10", domain.Str("domainEndpointOptions.tlsSecurityPolicy"))
		assert.True(t, domain.Bool("advancedSecurityOptions.enabled"))
		assert.False(t, domain.Bool("advancedSecurityOptions.anonymousAuthEnabled"))
		assert.False(t, domain.Bool("advancedSecurityOptions.internalUserDatabaseEnabled"))
		assert.Equal(t, role.Out("arn").StringValue(), domain.Str("advancedSecurityOptions.masterUserOptions.masterUserArn"))
		assert.Equal(t, "gp3", domain.Str("ebsOptions.volumeType"))
		assert.True(t, domain.Bool("softwareUpdateOptions.autoSoftwareUpdateEnabled"), "AWS's default is false: updates wait for a person")

		logTypes := map[string]string{}
		for _, o := range domain.Plain("logPublishingOptions").([]any) {
			o := o.(map[string]any)
			logTypes[o["logType"].(string)] = o["cloudwatchLogGroupArn"].(string)
		}
		assert.Equal(t, map[string]string{
			"ES_APPLICATION_LOGS": rec.Must(t, dtLogGroup, "data-search-app-logs").Out("arn").StringValue(),
			"AUDIT_LOGS":          rec.Must(t, dtLogGroup, "data-search-audit-logs").Out("arn").StringValue(),
		}, logTypes)
		for _, g := range rec.ByType(dtLogGroup) {
			assert.Equal(t, 30.0, g.Num("retentionInDays"), g.Name)
		}
		logPolicy := rec.Must(t, dtLogPolicy, "data-search-logs")
		assert.Contains(t, domain.Dependencies, logPolicy.URN, "OpenSearch checks it may write before it starts")

		// A domain in a VPC needs OpenSearch's service-linked role; the first domain of an account creates it.
		slr := rec.Must(t, dtServiceRole, "data-search-service-role")
		assert.Equal(t, "opensearchservice.amazonaws.com", slr.Str("awsServiceName"))
		assert.Contains(t, domain.Dependencies, slr.URN, "the domain is created after the role")
		assert.True(t, slr.RetainOnDelete, "the account's role, which other domains may use: a destroy leaves it")

		access := dtJSON(t, rec.Must(t, dtDomainPolicy, "data-search-policy").Str("accessPolicies"))
		stmt := access["Statement"].([]any)
		require.Len(t, stmt, 1)
		assert.Equal(t, map[string]any{"AWS": role.Out("arn").StringValue()}, stmt[0].(map[string]any)["Principal"], "only the named role")
		assert.Equal(t, domain.Out("arn").StringValue()+"/*", stmt[0].(map[string]any)["Resource"])

		assert.Equal(t, "https://"+domain.Out("endpoint").StringValue(), pulumimock.Await[string](t, data.Connection.SearchEndpoint))
		assert.Equal(t, role.Out("arn").StringValue(), pulumimock.Await[string](t, data.Connection.SearchRoleArn))
	})

	t.Run("options", func(t *testing.T) {
		t.Parallel()
		rec, _ := runData(t, dataArgs(func(a *components.DataArgs) {
			a.Search = components.SearchArgs{Mode: components.SearchDomain, InstanceType: "r7g.large.search", VolumeGb: 100,
				EngineVersion: "OpenSearch_2.15", LogRetentionDays: 365}
		}))
		domain := rec.Must(t, dtDomain, "data-search")
		assert.Equal(t, "r7g.large.search", domain.Str("clusterConfig.instanceType"))
		assert.Equal(t, 100.0, domain.Num("ebsOptions.volumeSize"))
		assert.Equal(t, "OpenSearch_2.15", domain.Str("engineVersion"))
		for _, n := range []string{"data-search-app-logs", "data-search-audit-logs"} {
			assert.Equal(t, 365.0, rec.Must(t, dtLogGroup, n).Num("retentionInDays"), n)
		}
	})

	t.Run("zone aware with the caller's role", func(t *testing.T) {
		t.Parallel()
		const callerRole = "arn:aws:iam::123456789012:role/api-task"
		rec, _ := runData(t, dataArgs(func(a *components.DataArgs) {
			a.SubnetIds, a.SubnetCount = pulumi.ToStringArray(dtSubnets), 3
			a.Search = components.SearchArgs{Mode: components.SearchDomain, Instances: 2, ZoneAwareness: true, MasterRoleArn: pulumi.String(callerRole)}
		}))
		assert.Empty(t, rec.ByType(dtRole), "the caller's role is used, none created")
		domain := rec.Must(t, dtDomain, "data-search")
		assert.True(t, domain.Bool("clusterConfig.zoneAwarenessEnabled"))
		assert.Equal(t, 2.0, domain.Num("clusterConfig.zoneAwarenessConfig.availabilityZoneCount"))
		assert.Equal(t, []any{"subnet-aaa", "subnet-bbb"}, domain.Plain("vpcOptions.subnetIds"), "one subnet per zone used")
		assert.Equal(t, callerRole, domain.Str("advancedSecurityOptions.masterUserOptions.masterUserArn"))

		// Three nodes cannot split over two zones, but spread one per zone over three.
		rec, _ = runData(t, dataArgs(func(a *components.DataArgs) {
			a.SubnetIds, a.SubnetCount = pulumi.ToStringArray(dtSubnets), 3
			a.Search = components.SearchArgs{Mode: components.SearchDomain, Instances: 3, ZoneAwareness: true}
		}))
		domain = rec.Must(t, dtDomain, "data-search")
		assert.Equal(t, 3.0, domain.Num("clusterConfig.zoneAwarenessConfig.availabilityZoneCount"))
		assert.Equal(t, []any{"subnet-aaa", "subnet-bbb", "subnet-ccc"}, domain.Plain("vpcOptions.subnetIds"))
	})
}
