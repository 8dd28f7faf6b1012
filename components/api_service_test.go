package components_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shopstack/shopstack/components"
	"github.com/shopstack/shopstack/internal/pulumimock"
)

func TestApiLogGroups(t *testing.T) {
	t.Parallel()
	t.Run("defaults: an autonamed group kept 30 days", func(t *testing.T) {
		t.Parallel()
		logs := runApi(t, baseApiArgs()).rec.Must(t, rtLogGroup, "api-logs")
		assert.Equal(t, 30.0, logs.Num("retentionInDays"))
		assert.False(t, logs.Has("name"), "autonamed")
	})

	t.Run("LogRetentionDays sets the container's and the WAF's retention", func(t *testing.T) {
		t.Parallel()
		rec := runApi(t, tunedApiArgs()).rec
		assert.Equal(t, 7.0, rec.Must(t, rtLogGroup, "api-logs").Num("retentionInDays"))
		assert.Equal(t, 7.0, rec.Must(t, rtLogGroup, "api-waf-logs").Num("retentionInDays"))
	})
}

func TestApiCluster(t *testing.T) {
	t.Parallel()
	rec := runApi(t, baseApiArgs()).rec
	cluster := rec.Must(t, rtCluster, "api-cluster")
	assert.Equal(t, []any{map[string]any{"name": "containerInsights", "value": "enabled"}}, cluster.Plain("settings"))
	capacity := rec.Must(t, rtCapacity, "api-capacity-providers")
	assert.Equal(t, []any{"FARGATE", "FARGATE_SPOT"}, capacity.Plain("capacityProviders"))
}

func TestApiTaskDefinition(t *testing.T) {
	t.Parallel()
	t.Run("defaults: a small ARM64 task, one hardened non-root container", func(t *testing.T) {
		t.Parallel()
		rec := runApi(t, baseApiArgs()).rec
		logs := rec.Must(t, rtLogGroup, "api-logs")
		task := rec.Must(t, rtTaskDef, "api-task")
		assert.Equal(t, "256", task.Str("cpu"))
		assert.Equal(t, "512", task.Str("memory"))
		assert.Equal(t, "ARM64", task.Str("runtimePlatform.cpuArchitecture"))
		assert.Equal(t, "LINUX", task.Str("runtimePlatform.operatingSystemFamily"))
		assert.Equal(t, "awsvpc", task.Str("networkMode"))
		assert.Equal(t, []any{"FARGATE"}, task.Plain("requiresCompatibilities"))
		assert.Equal(t, rec.Must(t, rtRole, "api-execution-role").Out("arn").StringValue(), task.Str("executionRoleArn"))
		assert.Equal(t, rec.Must(t, rtRole, "api-task-role").Out("arn").StringValue(), task.Str("taskRoleArn"))
		assert.Equal(t, rec.Must(t, rtCluster, "api-cluster").Out("name").StringValue(), task.Str("family"), "family follows the autonamed cluster")
		assert.False(t, task.Has("volumes"), "no volume: nothing to write to, and a Fargate bind mount would be root's (0755)")
		defs := decodeJSON[[]map[string]any](t, task.Str("containerDefinitions"))
		require.Len(t, defs, 1)
		c := defs[0]
		assert.Equal(t, "app", c["name"])
		assert.Equal(t, "123456789012.dkr.ecr.us-east-1.amazonaws.com/shop:v1", c["image"])
		assert.Equal(t, "65532:65532", c["user"], "non-root")
		assert.Equal(t, true, c["readonlyRootFilesystem"])
		assert.Equal(t, false, c["privileged"])
		assert.NotContains(t, c, "mountPoints", "the read-only root filesystem covers /tmp too")
		assert.Equal(t, map[string]any{"initProcessEnabled": true, "capabilities": map[string]any{"drop": []any{"ALL"}}}, c["linuxParameters"])
		assert.Equal(t, []any{map[string]any{"containerPort": 8080.0, "hostPort": 8080.0, "protocol": "tcp"}}, c["portMappings"])
		assert.Equal(t, []any{}, c["secrets"])
		assert.Equal(t, []any{}, c["environment"])
		hc := c["healthCheck"].(map[string]any)
		assert.Equal(t, []any{"CMD", "/shop", "healthcheck"}, hc["command"])
		assert.Equal(t, map[string]any{
			"logDriver": "awslogs",
			"options": map[string]any{
				"awslogs-group":         logs.Out("name").StringValue(),
				"awslogs-region":        "us-east-1",
				"awslogs-stream-prefix": "app",
			},
		}, c["logConfiguration"])
	})

	t.Run("secrets by ARN and plain variables, each sorted by name", func(t *testing.T) {
		t.Parallel()
		rec := runApi(t, secretsApiArgs()).rec
		defs := decodeJSON[[]map[string]any](t, rec.Must(t, rtTaskDef, "api-task").Str("containerDefinitions"))
		assert.Equal(t, []any{
			map[string]any{"name": "DATABASE_PASSWORD", "valueFrom": testDbSecret + ":password::"},
			map[string]any{"name": "DATABASE_USER", "valueFrom": testDbSecret + ":username::"},
			map[string]any{"name": "REDIS_AUTH", "valueFrom": testCacheSecret},
		}, defs[0]["secrets"])
		assert.Equal(t, []any{
			map[string]any{"name": "DB_HOST", "value": "db.internal"},
			map[string]any{"name": "LOG_LEVEL", "value": "info"},
		}, defs[0]["environment"])
	})

	t.Run("size, architecture, user and port as given", func(t *testing.T) {
		t.Parallel()
		task := runApi(t, tunedApiArgs()).rec.Must(t, rtTaskDef, "api-task")
		assert.Equal(t, "1024", task.Str("cpu"))
		assert.Equal(t, "3072", task.Str("memory"))
		assert.Equal(t, "X86_64", task.Str("runtimePlatform.cpuArchitecture"))
		defs := decodeJSON[[]map[string]any](t, task.Str("containerDefinitions"))
		assert.Equal(t, "1000:1000", defs[0]["user"])
		assert.Equal(t, 9000.0, defs[0]["portMappings"].([]any)[0].(map[string]any)["containerPort"])
	})

	t.Run("only the CPU and memory pairs Fargate allows", func(t *testing.T) {
		t.Parallel()
		valid := map[int][]int{256: {512, 1024, 2048}, 512: {1024, 4096}, 1024: {2048, 8192}, 2048: {4096, 16384},
			4096: {8192, 30720}, 8192: {16384, 61440}, 16384: {32768, 122880}}
		invalid := [][2]int{{256, 4096}, {512, 512}, {1024, 1024}, {2048, 17408}, {4096, 31744}, {8192, 18432}, {16384, 36864}, {128, 512}, {3000, 6144}}
		for cpu, mems := range valid {
			for _, mem := range mems {
				assert.Contains(t, components.FargateMemoryChoices(cpu), mem, "cpu %d mem %d", cpu, mem)
			}
		}
		for _, p := range invalid {
			assert.NotContains(t, components.FargateMemoryChoices(p[0]), p[1], "cpu %d mem %d", p[0], p[1])
		}
		assert.Len(t, components.FargateMemoryChoices(8192), 12, "16-60 GiB in 4 GiB steps")
		assert.Len(t, components.FargateMemoryChoices(16384), 12, "32-120 GiB in 8 GiB steps")

		// And the component enforces them.
		args := baseApiArgs()
		args.Cpu, args.Memory = 2048, 4096
		runApi(t, args)
		args = baseApiArgs()
		args.Cpu, args.Memory = 2048, 2048
		_, err := newApiErr(args)
		require.Error(t, err)
		assert.Contains(t, err.Error(), "ApiArgs.Memory: 2048 MiB is not allowed with Cpu 2048; allowed: [4096 5120")
	})
}

func TestApiService(t *testing.T) {
	t.Parallel()
	t.Run("defaults: private tasks on FARGATE, rolled back when they fail, started after the listener", func(t *testing.T) {
		t.Parallel()
		rec := runApi(t, baseApiArgs()).rec
		svc := rec.Must(t, rtService, "api-service")
		assert.False(t, svc.Bool("networkConfiguration.assignPublicIp"))
		assert.True(t, svc.Has("networkConfiguration.assignPublicIp"), "no public IP, said explicitly")
		assert.Equal(t, []any{"subnet-priv-a", "subnet-priv-b"}, svc.Plain("networkConfiguration.subnets"))
		assert.Equal(t, []any{rec.Must(t, rtSG, "api-task-sg").ID}, svc.Plain("networkConfiguration.securityGroups"))
		assert.True(t, svc.Bool("deploymentCircuitBreaker.enable"))
		assert.True(t, svc.Bool("deploymentCircuitBreaker.rollback"))
		assert.Equal(t, []any{
			map[string]any{"capacityProvider": "FARGATE", "base": 0.0, "weight": 1.0},
			map[string]any{"capacityProvider": "FARGATE_SPOT", "weight": 0.0},
		}, svc.Plain("capacityProviderStrategies"))
		assert.False(t, svc.Has("launchType"), "capacity providers decide")
		assert.Equal(t, 1.0, svc.Num("desiredCount"))
		assert.Equal(t, "app", svc.Str("loadBalancers[0].containerName"))
		assert.Equal(t, 8080.0, svc.Num("loadBalancers[0].containerPort"))
		assert.Equal(t, rec.Must(t, rtTG, "api-tg").Out("arn").StringValue(), svc.Str("loadBalancers[0].targetGroupArn"))
		assert.False(t, svc.Bool("enableExecuteCommand"))
		assert.Contains(t, svc.Dependencies, rec.Must(t, rtListener, "api-http").URN, "the target group is attached before the service starts")
		assert.Equal(t, 30.0, svc.Num("healthCheckGracePeriodSeconds"))
	})

	t.Run("the health-check grace period covers a slow start", func(t *testing.T) {
		t.Parallel()
		args := baseApiArgs()
		args.HealthCheckGracePeriodSeconds = 90
		assert.Equal(t, 90.0, runApi(t, args).rec.Must(t, rtService, "api-service").Num("healthCheckGracePeriodSeconds"))
	})

	t.Run("internet-facing: the tasks stay private", func(t *testing.T) {
		t.Parallel()
		svc := runApi(t, internetApiArgs()).rec.Must(t, rtService, "api-service")
		assert.Equal(t, []any{"subnet-priv-a", "subnet-priv-b"}, svc.Plain("networkConfiguration.subnets"), "tasks stay private")
		assert.False(t, svc.Bool("networkConfiguration.assignPublicIp"))
	})

	t.Run("the floor starts the service; the Fargate base and weights place it", func(t *testing.T) {
		t.Parallel()
		svc := runApi(t, tunedApiArgs()).rec.Must(t, rtService, "api-service")
		assert.Equal(t, 2.0, svc.Num("desiredCount"))
		assert.Equal(t, []any{
			map[string]any{"capacityProvider": "FARGATE", "base": 1.0, "weight": 1.0},
			map[string]any{"capacityProvider": "FARGATE_SPOT", "weight": 3.0},
		}, svc.Plain("capacityProviderStrategies"))
	})
}

func TestApiScaling(t *testing.T) {
	t.Parallel()
	t.Run("defaults: 1 to 4 tasks on CPU and on requests per target", func(t *testing.T) {
		t.Parallel()
		rec := runApi(t, baseApiArgs()).rec
		target := rec.Must(t, rtScaling, "api-scaling")
		assert.Equal(t, "ecs", target.Str("serviceNamespace"))
		assert.Equal(t, "ecs:service:DesiredCount", target.Str("scalableDimension"))
		assert.Equal(t, "service/"+rec.Must(t, rtCluster, "api-cluster").Out("name").StringValue()+"/"+rec.Must(t, rtService, "api-service").Out("name").StringValue(),
			target.Str("resourceId"))
		assert.Equal(t, []float64{1, 4}, []float64{target.Num("minCapacity"), target.Num("maxCapacity")})
		cpu := rec.Must(t, rtScalingPolicy, "api-scale-cpu")
		assert.Equal(t, "TargetTrackingScaling", cpu.Str("policyType"))
		assert.Equal(t, "ECSServiceAverageCPUUtilization", cpu.Str("targetTrackingScalingPolicyConfiguration.predefinedMetricSpecification.predefinedMetricType"))
		assert.Equal(t, 60.0, cpu.Num("targetTrackingScalingPolicyConfiguration.targetValue"))
		reqs := rec.Must(t, rtScalingPolicy, "api-scale-requests")
		assert.Equal(t, "ALBRequestCountPerTarget", reqs.Str("targetTrackingScalingPolicyConfiguration.predefinedMetricSpecification.predefinedMetricType"))
		assert.Equal(t, rec.Must(t, rtLB, "api-alb").Out("arnSuffix").StringValue()+"/"+rec.Must(t, rtTG, "api-tg").Out("arnSuffix").StringValue(),
			reqs.Str("targetTrackingScalingPolicyConfiguration.predefinedMetricSpecification.resourceLabel"))
		assert.Equal(t, 1000.0, reqs.Num("targetTrackingScalingPolicyConfiguration.targetValue"))
		for _, p := range []pulumimock.Resource{cpu, reqs} {
			assert.Equal(t, target.Str("resourceId"), p.Str("resourceId"))
		}
	})

	t.Run("capacities and targets as given", func(t *testing.T) {
		t.Parallel()
		rec := runApi(t, tunedApiArgs()).rec
		target := rec.Must(t, rtScaling, "api-scaling")
		assert.Equal(t, []float64{2, 10}, []float64{target.Num("minCapacity"), target.Num("maxCapacity")})
		assert.Equal(t, 70.0, rec.Must(t, rtScalingPolicy, "api-scale-cpu").Num("targetTrackingScalingPolicyConfiguration.targetValue"))
		assert.Equal(t, 500.0, rec.Must(t, rtScalingPolicy, "api-scale-requests").Num("targetTrackingScalingPolicyConfiguration.targetValue"))
	})
}
