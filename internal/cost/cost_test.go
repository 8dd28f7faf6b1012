package cost_test

import (
	"math"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shopstack/shopstack/internal/cost"
)

func table(t *testing.T) *cost.Table {
	t.Helper()
	tb, err := cost.Prices()
	require.NoError(t, err)
	return tb
}

func price(t *testing.T, tb *cost.Table, key string) float64 {
	t.Helper()
	for _, p := range tb.Prices {
		if p.Key == key {
			return p.USD
		}
	}
	t.Fatalf("no price %q", key)
	return 0
}

func TestPriceTableEntriesHaveSourceAndDate(t *testing.T) {
	t.Parallel()
	tb := table(t)
	assert.Equal(t, "us-east-1", tb.Region)
	assert.InDelta(t, 730, tb.HoursPerMonth, 0)
	for _, p := range tb.Prices {
		assert.True(t, strings.HasPrefix(p.Source, "https://aws.amazon.com/"), "%s: source %q", p.Key, p.Source)
		assert.Regexp(t, `^\d{4}-\d{2}-\d{2}$`, p.AsOf, p.Key)
		assert.Positive(t, p.USD, p.Key)
		assert.NotEmpty(t, p.Unit, p.Key)
	}
}

func one(t *testing.T, rs ...cost.Resource) cost.Estimate {
	t.Helper()
	e := table(t).Estimate(rs)
	require.Empty(t, e.Unpriced)
	return e
}

func TestEstimateSyntheticResources(t *testing.T) {
	t.Parallel()
	tb := table(t)
	h := tb.HoursPerMonth
	taskDef := cost.Resource{URN: "td", Type: "aws:ecs/taskDefinition:TaskDefinition",
		Inputs:  map[string]any{"cpu": "512", "memory": "1024", "runtimePlatform": map[string]any{"cpuArchitecture": "ARM64"}},
		Outputs: map[string]any{"arn": "arn:aws:ecs:us-east-1:123456789012:task-definition/api:1"}}
	tests := []struct {
		name string
		rs   []cost.Resource
		want float64
	}{
		{"internet-facing ALB in two subnets", []cost.Resource{{Type: "aws:lb/loadBalancer:LoadBalancer",
			Inputs: map[string]any{"loadBalancerType": "application", "subnets": []any{"a", "b"}}}},
			h * (price(t, tb, "alb.hour") + 2*price(t, tb, "vpc.public_ipv4"))},
		{"internal ALB has no public IPs (alb alias token)", []cost.Resource{{Type: "aws:alb/loadBalancer:LoadBalancer",
			Inputs: map[string]any{"internal": true, "subnets": []any{"a", "b"}}}},
			h * price(t, tb, "alb.hour")},
		{"NAT gateway and its EIP", []cost.Resource{{Type: "aws:ec2/natGateway:NatGateway"}, {Type: "aws:ec2/eip:Eip"}},
			h * (price(t, tb, "vpc.nat_gateway.hour") + price(t, tb, "vpc.public_ipv4"))},
		{"NAT instance with public IP and 8 GB root", []cost.Resource{{Type: "aws:ec2/instance:Instance",
			Inputs: map[string]any{"instanceType": "t4g.nano", "associatePublicIpAddress": true}}},
			h*(price(t, tb, "ec2.t4g.nano")+price(t, tb, "vpc.public_ipv4")) + 8*price(t, tb, "ebs.gp3")},
		{"two on-demand ARM tasks", []cost.Resource{taskDef, {Type: "aws:ecs/service:Service", Inputs: map[string]any{
			"desiredCount": 2.0, "taskDefinition": "arn:aws:ecs:us-east-1:123456789012:task-definition/api:1",
			"capacityProviderStrategies": []any{map[string]any{"capacityProvider": "FARGATE", "weight": 1.0}}}}},
			2 * h * (0.5*price(t, tb, "fargate.arm64.vcpu") + 1*price(t, tb, "fargate.arm64.gb"))},
		{"Spot weight on ARM is priced on-demand", []cost.Resource{taskDef, {Type: "aws:ecs/service:Service", Inputs: map[string]any{
			"desiredCount": 1.0, "capacityProviderStrategies": []any{map[string]any{"capacityProvider": "FARGATE_SPOT", "weight": 1.0}}}}},
			h * (0.5*price(t, tb, "fargate.arm64.vcpu") + 1*price(t, tb, "fargate.arm64.gb"))},
		{"x86 Spot task from the autoscaling minimum", []cost.Resource{
			{Type: "aws:ecs/taskDefinition:TaskDefinition", Inputs: map[string]any{"cpu": "256", "memory": "512"}},
			{Type: "aws:appautoscaling/target:Target", Inputs: map[string]any{"scalableDimension": "ecs:service:DesiredCount", "minCapacity": 1.0}},
			{Type: "aws:ecs/service:Service", Inputs: map[string]any{
				"capacityProviderStrategies": []any{map[string]any{"capacityProvider": "FARGATE_SPOT", "weight": 1.0}}}}},
			h * (0.25*price(t, tb, "fargate.spot.vcpu") + 0.5*price(t, tb, "fargate.spot.gb"))},
		{"Multi-AZ RDS with managed password", []cost.Resource{{Type: "aws:rds/instance:Instance", Inputs: map[string]any{
			"engine": "postgres", "instanceClass": "db.t4g.micro", "multiAz": true, "allocatedStorage": 20.0, "manageMasterUserPassword": true}}},
			2*h*price(t, tb, "rds.postgres.db.t4g.micro") + 20*price(t, tb, "rds.gp3.multi_az") + price(t, tb, "secretsmanager.secret")},
		{"Aurora Serverless v2 at 0 ACU costs only storage", []cost.Resource{
			{Type: "aws:rds/cluster:Cluster", Inputs: map[string]any{"serverlessv2ScalingConfiguration": map[string]any{"minCapacity": 0.0}}},
			{Type: "aws:rds/clusterInstance:ClusterInstance", Inputs: map[string]any{"instanceClass": "db.serverless"}}},
			price(t, tb, "aurora.storage")},
		{"Aurora writer and reader at 0.5 ACU", []cost.Resource{
			{Type: "aws:rds/cluster:Cluster", Inputs: map[string]any{"serverlessv2ScalingConfiguration": map[string]any{"minCapacity": 0.5}},
				Outputs: map[string]any{"id": "c1"}},
			{Type: "aws:rds/clusterInstance:ClusterInstance", Inputs: map[string]any{"instanceClass": "db.serverless", "clusterIdentifier": "c1"}},
			{Type: "aws:rds/clusterInstance:ClusterInstance", Inputs: map[string]any{"instanceClass": "db.serverless", "clusterIdentifier": "c1"}}},
			price(t, tb, "aurora.storage") + 2*0.5*h*price(t, tb, "aurora.serverless_v2.acu")},
		{"Valkey replication group of two", []cost.Resource{{Type: "aws:elasticache/replicationGroup:ReplicationGroup",
			Inputs: map[string]any{"engine": "valkey", "nodeType": "cache.t4g.micro", "numCacheClusters": 2.0}}},
			2 * h * price(t, tb, "elasticache.valkey.cache.t4g.micro")},
		{"Valkey serverless minimum", []cost.Resource{{Type: "aws:elasticache/serverlessCache:ServerlessCache",
			Inputs: map[string]any{"engine": "valkey"}}},
			0.1 * h * price(t, tb, "elasticache.serverless.valkey.gb")},
		{"OpenSearch two nodes with 10 GB each", []cost.Resource{{Type: "aws:opensearch/domain:Domain", Inputs: map[string]any{
			"clusterConfig": map[string]any{"instanceType": "t3.small.search", "instanceCount": 2.0},
			"ebsOptions":    map[string]any{"ebsEnabled": true, "volumeSize": 10.0}}}},
			2*h*price(t, tb, "opensearch.t3.small.search") + 20*price(t, tb, "opensearch.gp3")},
		{"WAF ACL with five rules", []cost.Resource{{Type: "aws:wafv2/webAcl:WebAcl", Inputs: map[string]any{
			"rules": []any{1, 2, 3, 4, 5}}}},
			price(t, tb, "waf.web_acl") + 5*price(t, tb, "waf.rule")},
		{"log group, secret, key, zone, alarm, target tracking", []cost.Resource{
			{Type: "aws:cloudwatch/logGroup:LogGroup"}, {Type: "aws:secretsmanager/secret:Secret"}, {Type: "aws:kms/key:Key"},
			{Type: "aws:route53/zone:Zone"}, {Type: "aws:cloudwatch/metricAlarm:MetricAlarm"},
			{Type: "aws:appautoscaling/policy:Policy", Inputs: map[string]any{"policyType": "TargetTrackingScaling"}}},
			price(t, tb, "cloudwatch.logs.idle_gb")*price(t, tb, "cloudwatch.logs.ingest") + price(t, tb, "secretsmanager.secret") +
				price(t, tb, "kms.key") + price(t, tb, "route53.zone") + 3*price(t, tb, "cloudwatch.alarm")},
		{"usage-based and free resources add nothing", []cost.Resource{
			{Type: "aws:s3/bucketV2:BucketV2"}, {Type: "aws:cloudfront/distribution:Distribution"}, {Type: "aws:ec2/vpc:Vpc"},
			{Type: "shopstack:index:Network"}, {Type: "pulumi:providers:aws"}, {Type: "aws:iam/role:Role"}},
			0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := one(t, tc.rs...)
			assert.InDelta(t, math.Round(tc.want*100)/100, e.MonthlyUSD, 0.011)
			for _, it := range e.Items {
				assert.NotEmpty(t, it.Basis)
			}
		})
	}
}

func TestEstimateKinds(t *testing.T) {
	t.Parallel()
	e := one(t,
		cost.Resource{URN: "u1", Type: "aws:s3/bucketV2:BucketV2"},
		cost.Resource{URN: "u2", Type: "aws:ec2/vpc:Vpc"},
		cost.Resource{URN: "u3", Type: "aws:kms/key:Key"},
		cost.Resource{URN: "u4", Type: "aws:ec2/vpcEndpoint:VpcEndpoint", Inputs: map[string]any{"vpcEndpointType": "Gateway"}},
	)
	require.Len(t, e.Items, 4)
	assert.Equal(t, []cost.Kind{cost.Usage, cost.Free, cost.Priced, cost.Free},
		[]cost.Kind{e.Items[0].Kind, e.Items[1].Kind, e.Items[2].Kind, e.Items[3].Kind})
	assert.Equal(t, "u1", e.Items[0].URN)
	assert.True(t, strings.HasPrefix(e.Items[0].Basis, "usage-based: "))
	assert.True(t, strings.HasPrefix(e.Items[1].Basis, "free: "))
}

func TestEstimateReportsUnknownTypesAndClasses(t *testing.T) {
	t.Parallel()
	e := table(t).Estimate([]cost.Resource{
		{Type: "aws:sqs/queue:Queue"},
		{Type: "aws:rds/instance:Instance", Inputs: map[string]any{"engine": "postgres", "instanceClass": "db.x9.huge"}},
		{Type: "aws:ec2/vpc:Vpc"},
	})
	assert.Equal(t, []string{"aws:rds/instance:Instance", "aws:sqs/queue:Queue"}, e.Unpriced)
	assert.Contains(t, e.Items[0].Basis, "UNPRICED")
	assert.Zero(t, e.MonthlyUSD)
}

func TestDatabaseLogExportsArePriced(t *testing.T) {
	t.Parallel()
	tb := table(t)
	base := map[string]any{"engine": "postgres", "instanceClass": "db.t4g.micro", "allocatedStorage": 20.0}
	withLogs := map[string]any{"engine": "postgres", "instanceClass": "db.t4g.micro", "allocatedStorage": 20.0,
		"enabledCloudwatchLogsExports": []any{"postgresql", "upgrade"}}
	a := one(t, cost.Resource{Type: "aws:rds/instance:Instance", Inputs: base})
	b := one(t, cost.Resource{Type: "aws:rds/instance:Instance", Inputs: withLogs})
	want := 2 * price(t, tb, "cloudwatch.logs.idle_gb") * price(t, tb, "cloudwatch.logs.ingest")
	assert.InDelta(t, want, b.MonthlyUSD-a.MonthlyUSD, 0.011)
	assert.Contains(t, b.Items[0].Basis, "2 exported log streams")
}

// Enhanced Monitoring is billed as CloudWatch Logs ingestion of one sample per interval; the sample size is an
// assumption (AWS publishes none), so the test pins the arithmetic, not AWS's bill.
func TestEnhancedMonitoringIsPricedAsLogIngestion(t *testing.T) {
	t.Parallel()
	tb := table(t)
	base := map[string]any{"engine": "postgres", "instanceClass": "db.t4g.micro", "allocatedStorage": 20.0}
	monitored := map[string]any{"engine": "postgres", "instanceClass": "db.t4g.micro", "allocatedStorage": 20.0,
		"monitoringInterval": 60.0}
	a := one(t, cost.Resource{Type: "aws:rds/instance:Instance", Inputs: base})
	b := one(t, cost.Resource{Type: "aws:rds/instance:Instance", Inputs: monitored})
	samples := tb.HoursPerMonth * 60 // one a minute
	gb := samples * 5 / (1024 * 1024)
	assert.InDelta(t, gb*price(t, tb, "cloudwatch.logs.ingest"), b.MonthlyUSD-a.MonthlyUSD, 0.011)
	assert.InDelta(t, 0.10, b.MonthlyUSD-a.MonthlyUSD, 0.011, "about ten cents a month at 60 s")
	assert.Contains(t, b.Items[0].Basis, "Enhanced Monitoring every 60s: 43800 samples")

	cluster := cost.Resource{Type: "aws:rds/cluster:Cluster", Inputs: map[string]any{"serverlessv2ScalingConfiguration": map[string]any{"minCapacity": 0.5}}}
	writer := cost.Resource{Type: "aws:rds/clusterInstance:ClusterInstance", Inputs: map[string]any{"instanceClass": "db.serverless", "monitoringInterval": 1.0}}
	e := one(t, cluster, writer)
	assert.Contains(t, e.Items[1].Basis, "Enhanced Monitoring every 1s: 2628000 samples", "an Aurora instance too; every second costs 60 times more")
}
