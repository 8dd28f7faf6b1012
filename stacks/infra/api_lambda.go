package infra

import (
	"slices"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/shopstack/shopstack/components"
)

// LambdaDatabaseConns is each function instance's database pool (SHOP_DB_MAX_CONNS): an instance serves one
// request at a time, so two connections (the request's and a background job's) are all it can use, and
// lambdaReservedConcurrency × 2 bounds the connections the whole function opens.
const LambdaDatabaseConns = 2

// newLambdaApi is the service as a Lambda function (apiCompute lambda): the Fargate task's environment minus
// what Lambda sets itself, a two-connection pool, the same permissions (the database user's rds-db:connect,
// the media bucket), egress to the data stores only, and the work schedule.
func newLambdaApi(ctx *pulumi.Context, cfg Config, net *components.Network, data *dataTier, ops *operations,
	withAWS pulumi.ResourceOption) (*components.Api, error) {
	env, _, err := serviceEnvironment(ctx, cfg, data, withAWS)
	if err != nil {
		return nil, err
	}
	// Lambda sets AWS_REGION itself and refuses it in a function's configuration; SHOP_ADDR has no meaning
	// without a listener.
	delete(env, "AWS_REGION")
	delete(env, "SHOP_ADDR")
	env["SHOP_DB_MAX_CONNS"] = pulumi.Sprintf("%d", LambdaDatabaseConns)
	// The work event's marker (app/wake): a tick with nothing due reads it and leaves the database alone.
	env["SHOP_WORK_MARKER"] = pulumi.Sprintf("s3://%s/%s", data.data.Connection.MediaBucketName, data.data.MediaWorkMarkerKey())
	policy := append(slices.Clone(data.taskPolicy), data.data.MediaWorkMarkerStatements()...)
	egress := []components.ApiEgress{{
		Description: "PostgreSQL", Port: components.PostgresPort, SecurityGroupId: data.data.DatabaseSecurityGroupId,
	}}
	if cfg.CacheMode != components.CacheNone {
		egress = append(egress,
			components.ApiEgress{Description: "Valkey", Port: components.CachePort, SecurityGroupId: data.data.CacheSecurityGroupId},
			components.ApiEgress{Description: "Valkey readers", Port: components.CacheReaderPort, SecurityGroupId: data.data.CacheSecurityGroupId})
	}
	migrate, err := data.lambdaMigration(pulumi.String(DatabaseStartupWait.String()))
	if err != nil {
		return nil, err
	}
	api, err := components.NewApi(ctx, "api", &components.ApiArgs{
		Compute:              components.ComputeLambda,
		VpcId:                net.VpcId,
		PrivateSubnetIds:     net.PrivateSubnetIds,
		Exposure:             components.ApiBehindCloudFront,
		Environment:          env,
		TaskPolicyStatements: policy,
		LogRetentionDays:     cfg.LogRetentionDays,
		Alarms:               components.ApiAlarmArgs{TopicArn: ops.topic, ServiceName: ServiceName(ctx)},
		Lambda: components.ApiLambdaArgs{
			Archive:             resolve(ctx, cfg.LambdaArchive),
			MemoryMb:            cfg.LambdaMemoryMb,
			ReservedConcurrency: cfg.LambdaReservedConcurrency,
			Egress:              egress,
			Schedule:            components.ApiScheduleArgs{Expression: cfg.WorkSchedule},
			Migrate:             migrate,
		},
	}, withAWS)
	if err != nil {
		return nil, err
	}
	return api, data.allowFrom(ctx, api.SecurityGroupId)
}
