package components

import (
	"encoding/json"
	"strconv"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/appautoscaling"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ecs"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

const containerName = "app"

// logGroup is the container's log group; the WAF's is its own (see waf).
func (b *apiBuild) logGroup() (*cloudwatch.LogGroup, error) {
	return cloudwatch.NewLogGroup(b.ctx, b.name+"-logs", &cloudwatch.LogGroupArgs{
		RetentionInDays: pulumi.Int(b.args.LogRetentionDays),
	}, b.parent)
}

// apiCluster is the ECS cluster and its capacity providers, which the service must wait for.
type apiCluster struct {
	cluster  *ecs.Cluster
	capacity *ecs.ClusterCapacityProviders
}

func (b *apiBuild) cluster() (apiCluster, error) {
	a := b.args
	cluster, err := ecs.NewCluster(b.ctx, b.name+"-cluster", &ecs.ClusterArgs{
		Settings: ecs.ClusterSettingArray{
			ecs.ClusterSettingArgs{Name: pulumi.String("containerInsights"), Value: pulumi.String("enabled")},
		},
	}, b.parent)
	if err != nil {
		return apiCluster{}, err
	}
	capacity, err := ecs.NewClusterCapacityProviders(b.ctx, b.name+"-capacity-providers", &ecs.ClusterCapacityProvidersArgs{
		ClusterName:       cluster.Name,
		CapacityProviders: pulumi.StringArray{pulumi.String("FARGATE"), pulumi.String("FARGATE_SPOT")},
		DefaultCapacityProviderStrategies: ecs.ClusterCapacityProvidersDefaultCapacityProviderStrategyArray{
			ecs.ClusterCapacityProvidersDefaultCapacityProviderStrategyArgs{
				CapacityProvider: pulumi.String("FARGATE"), Base: pulumi.Int(a.FargateBase), Weight: pulumi.Int(a.FargateWeight),
			},
			ecs.ClusterCapacityProvidersDefaultCapacityProviderStrategyArgs{
				CapacityProvider: pulumi.String("FARGATE_SPOT"), Weight: pulumi.Int(a.FargateSpotWeight),
			},
		},
	}, b.parent)
	if err != nil {
		return apiCluster{}, err
	}
	return apiCluster{cluster: cluster, capacity: capacity}, nil
}

// taskDefinition has no volumes: the root filesystem is read-only and the service writes no files. A Fargate
// bind mount (the only scratch volume short of EFS) is owned by root with mode 0755, so the non-root user could
// not write to one anyway; a service that needs scratch space needs an EFS access point owned by its uid.
func (b *apiBuild) taskDefinition(loc apiLocation, logs *cloudwatch.LogGroup, roles apiRoles, cluster *ecs.Cluster) (*ecs.TaskDefinition, error) {
	a := b.args
	return ecs.NewTaskDefinition(b.ctx, b.name+"-task", &ecs.TaskDefinitionArgs{
		// The family follows the autonamed cluster, so two stacks never share one.
		Family:                  cluster.Name,
		Cpu:                     pulumi.String(strconv.Itoa(a.Cpu)),
		Memory:                  pulumi.String(strconv.Itoa(a.Memory)),
		NetworkMode:             pulumi.String("awsvpc"),
		RequiresCompatibilities: pulumi.StringArray{pulumi.String("FARGATE")},
		RuntimePlatform: ecs.TaskDefinitionRuntimePlatformArgs{
			CpuArchitecture:       pulumi.String(string(a.Architecture)),
			OperatingSystemFamily: pulumi.String("LINUX"),
		},
		ExecutionRoleArn:     roles.execution.Arn,
		TaskRoleArn:          roles.task.Arn,
		ContainerDefinitions: b.withSidecar(containerDefinitions(a, logs.Name, loc.region)),
	}, b.parent)
}

type keyValue struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

type secretRef struct {
	Name      string `json:"name"`
	ValueFrom string `json:"valueFrom"`
}

// containerDefinitions renders the service's container and, with Init, the init container the
// service's waits for.
func containerDefinitions(a *ApiArgs, logGroupName pulumi.StringOutput, region string) pulumi.StringOutput {
	vars := &containerVars{}
	svcEnv, svcSecrets := vars.add(a.Environment), vars.add(a.Secrets)
	var initEnv, initSecrets varKeys
	if a.Init != nil {
		initEnv, initSecrets = vars.add(a.Init.Environment), vars.add(a.Init.Secrets)
	}
	inputs := append([]any{a.Image, logGroupName}, vars.inputs...)
	return pulumi.All(inputs...).ApplyT(func(v []any) (string, error) {
		image, group, values := v[0].(string), v[1].(string), v[2:]
		logs := func(prefix string) map[string]any {
			return map[string]any{"logDriver": "awslogs", "options": map[string]string{
				"awslogs-group": group, "awslogs-region": region, "awslogs-stream-prefix": prefix,
			}}
		}
		svc := map[string]any{
			"name":                   containerName,
			"image":                  image,
			"essential":              true,
			"user":                   a.User,
			"readonlyRootFilesystem": true,
			"privileged":             false,
			"portMappings": []map[string]any{{
				"containerPort": a.ContainerPort, "hostPort": a.ContainerPort, "protocol": "tcp",
			}},
			"linuxParameters": hardenedLinux(),
			"environment":     environmentOf(svcEnv, values),
			"secrets":         secretsOf(svcSecrets, values),
			"healthCheck": map[string]any{
				"command": a.HealthCheckCommand, "interval": 30, "timeout": 5, "retries": 3, "startPeriod": 15,
			},
			"logConfiguration": logs(containerName),
		}
		defs := []map[string]any{svc}
		if a.Init != nil {
			svc["dependsOn"] = []map[string]any{{"containerName": initContainerName, "condition": "SUCCESS"}}
			defs = append(defs, map[string]any{
				"name": initContainerName, "image": image, "essential": false, "command": a.Init.Command,
				"user": a.User, "readonlyRootFilesystem": true, "privileged": false,
				"linuxParameters":  hardenedLinux(),
				"environment":      environmentOf(initEnv, values),
				"secrets":          secretsOf(initSecrets, values),
				"logConfiguration": logs(initContainerName),
			})
		}
		b, err := json.Marshal(defs)
		return string(b), err
	}).(pulumi.StringOutput)
}

// hardenedLinux is every container's Linux setup: an init process reaps children, and every
// capability is dropped.
func hardenedLinux() map[string]any {
	return map[string]any{"initProcessEnabled": true, "capabilities": map[string]any{"drop": []string{"ALL"}}}
}

func (b *apiBuild) service(cluster apiCluster, taskDef *ecs.TaskDefinition, taskSG *ec2.SecurityGroup, front apiLoadBalancer) (*ecs.Service, error) {
	a := b.args
	return ecs.NewService(b.ctx, b.name+"-service", &ecs.ServiceArgs{
		Cluster:         cluster.cluster.Arn,
		TaskDefinition:  taskDef.Arn,
		DesiredCount:    pulumi.Int(a.MinCapacity),
		PlatformVersion: pulumi.String("LATEST"),
		CapacityProviderStrategies: ecs.ServiceCapacityProviderStrategyArray{
			ecs.ServiceCapacityProviderStrategyArgs{
				CapacityProvider: pulumi.String("FARGATE"), Base: pulumi.Int(a.FargateBase), Weight: pulumi.Int(a.FargateWeight),
			},
			ecs.ServiceCapacityProviderStrategyArgs{
				CapacityProvider: pulumi.String("FARGATE_SPOT"), Weight: pulumi.Int(a.FargateSpotWeight),
			},
		},
		NetworkConfiguration: ecs.ServiceNetworkConfigurationArgs{
			Subnets:        a.PrivateSubnetIds,
			SecurityGroups: pulumi.StringArray{taskSG.ID()},
			AssignPublicIp: pulumi.Bool(false),
		},
		LoadBalancers: ecs.ServiceLoadBalancerArray{ecs.ServiceLoadBalancerArgs{
			TargetGroupArn: front.targetGroup.Arn,
			ContainerName:  pulumi.String(containerName),
			ContainerPort:  pulumi.Int(a.ContainerPort),
		}},
		DeploymentCircuitBreaker: ecs.ServiceDeploymentCircuitBreakerArgs{
			Enable: pulumi.Bool(true), Rollback: pulumi.Bool(true),
		},
		Alarms:                          b.rollbackAlarms(),
		DeploymentMinimumHealthyPercent: pulumi.Int(100),
		DeploymentMaximumPercent:        pulumi.Int(200),
		HealthCheckGracePeriodSeconds:   pulumi.Int(a.HealthCheckGracePeriodSeconds),
		EnableEcsManagedTags:            pulumi.Bool(true),
		PropagateTags:                   pulumi.String("SERVICE"),
		EnableExecuteCommand:            pulumi.Bool(false),
	}, b.parent,
		// Autoscaling owns the running count after the first deployment.
		pulumi.IgnoreChanges([]string{"desiredCount"}),
		pulumi.DependsOn(append(front.listeners, cluster.capacity)))
}

// scaling tracks average CPU and the load balancer's requests per target.
func (b *apiBuild) scaling(cluster *ecs.Cluster, svc *ecs.Service, front apiLoadBalancer) error {
	a := b.args
	target, err := appautoscaling.NewTarget(b.ctx, b.name+"-scaling", &appautoscaling.TargetArgs{
		ServiceNamespace:  pulumi.String("ecs"),
		ScalableDimension: pulumi.String("ecs:service:DesiredCount"),
		ResourceId:        pulumi.Sprintf("service/%s/%s", cluster.Name, svc.Name),
		MinCapacity:       pulumi.Int(a.MinCapacity),
		MaxCapacity:       pulumi.Int(a.MaxCapacity),
	}, b.parent)
	if err != nil {
		return err
	}
	for _, p := range []struct {
		suffix, metric string
		target         float64
		label          pulumi.StringInput
	}{
		{"cpu", "ECSServiceAverageCPUUtilization", a.CpuTargetPercent, nil},
		{"requests", "ALBRequestCountPerTarget", a.RequestsPerTarget, pulumi.Sprintf("%s/%s", front.alb.ArnSuffix, front.targetGroup.ArnSuffix)},
	} {
		spec := appautoscaling.PolicyTargetTrackingScalingPolicyConfigurationPredefinedMetricSpecificationArgs{
			PredefinedMetricType: pulumi.String(p.metric),
		}
		if p.label != nil {
			spec.ResourceLabel = p.label
		}
		if _, err := appautoscaling.NewPolicy(b.ctx, b.name+"-scale-"+p.suffix, &appautoscaling.PolicyArgs{
			PolicyType:        pulumi.String("TargetTrackingScaling"),
			ServiceNamespace:  target.ServiceNamespace,
			ScalableDimension: target.ScalableDimension,
			ResourceId:        target.ResourceId,
			TargetTrackingScalingPolicyConfiguration: appautoscaling.PolicyTargetTrackingScalingPolicyConfigurationArgs{
				TargetValue:                   pulumi.Float64(p.target),
				PredefinedMetricSpecification: spec,
				ScaleInCooldown:               pulumi.Int(300),
				ScaleOutCooldown:              pulumi.Int(60),
			},
		}, b.parent); err != nil {
			return err
		}
	}
	return nil
}
