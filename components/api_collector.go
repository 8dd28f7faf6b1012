package components

import (
	"cmp"
	"encoding/json"
	"fmt"
	"maps"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// DefaultCollectorImage is the AWS Distro for OpenTelemetry collector the sidecar runs by default.
const DefaultCollectorImage = "public.ecr.aws/aws-observability/aws-otel-collector:v0.42.0"

// CollectorOtlpEndpoint is where the service sends OTLP/HTTP: the sidecar, on the task's localhost.
const CollectorOtlpEndpoint = "http://localhost:4318"

const collectorName = "otel-collector"

// ApiCollectorArgs adds an OpenTelemetry collector beside the service: it receives OTLP on localhost only,
// sends traces to X-Ray (Transaction Search) and metrics to CloudWatch as embedded metric format logs under
// ServiceMetricsNamespace, with the dimensions the Api's alarms read.
type ApiCollectorArgs struct {
	// Enabled adds the sidecar, its log groups and its permissions, and sets the service's
	// OTEL_EXPORTER_OTLP_ENDPOINT. Default false.
	Enabled bool
	// Image is the collector image. Default DefaultCollectorImage (a public image: no pull permission).
	Image string
}

// collector registers the sidecar's log groups and permissions and keeps its container definition; it
// also points the service at it. The sidecar is not essential, so its crash never stops the shop.
func (b *apiBuild) collector(loc apiLocation, roles apiRoles) error {
	if !b.args.Collector.Enabled {
		return nil
	}
	retention := pulumi.Int(b.args.LogRetentionDays)
	logs, err := cloudwatch.NewLogGroup(b.ctx, b.name+"-collector-logs", &cloudwatch.LogGroupArgs{RetentionInDays: retention}, b.parent)
	if err != nil {
		return err
	}
	// The EMF log group the collector writes metrics to; created here so it has a retention.
	metrics, err := cloudwatch.NewLogGroup(b.ctx, b.name+"-metrics-logs", &cloudwatch.LogGroupArgs{RetentionInDays: retention}, b.parent)
	if err != nil {
		return err
	}
	if err := b.collectorPermissions(roles, logs, metrics); err != nil {
		return err
	}
	env := maps.Clone(b.args.Environment)
	if env == nil {
		env = map[string]pulumi.StringInput{}
	}
	env["OTEL_EXPORTER_OTLP_ENDPOINT"] = pulumi.String(CollectorOtlpEndpoint)
	env["OTEL_EXPORTER_OTLP_PROTOCOL"] = pulumi.String("http/protobuf")
	b.args.Environment = env
	image := cmp.Or(b.args.Collector.Image, DefaultCollectorImage)
	b.sidecar = pulumi.All(logs.Name, metrics.Name).ApplyT(func(v []any) (string, error) {
		def, err := json.Marshal(collectorContainer(image, v[0].(string), collectorConfig(loc.region, v[1].(string)), loc.region))
		return string(def), err
	}).(pulumi.StringOutput)
	return nil
}

// collectorPermissions are exactly what the sidecar needs: its own log group through the execution role
// (awslogs), and through the task role X-Ray's segment and sampling calls (which take no resource) and the
// metrics log group's streams.
func (b *apiBuild) collectorPermissions(roles apiRoles, logs, metrics *cloudwatch.LogGroup) error {
	if _, err := iam.NewRolePolicy(b.ctx, b.name+"-execution-collector-logs", &iam.RolePolicyArgs{
		Role: roles.execution.Name,
		Policy: logs.Arn.ApplyT(func(arn string) string {
			return mustJSON(policyDocument{Version: "2012-10-17", Statement: []policyStatementJSON{{
				Effect: "Allow", Action: []string{"logs:CreateLogStream", "logs:PutLogEvents"}, Resource: []string{arn + ":*"},
			}}})
		}).(pulumi.StringOutput),
	}, b.parent); err != nil {
		return err
	}
	_, err := iam.NewRolePolicy(b.ctx, b.name+"-task-collector-policy", &iam.RolePolicyArgs{
		Role: roles.task.Name,
		Policy: metrics.Arn.ApplyT(func(arn string) string {
			return mustJSON(policyDocument{Version: "2012-10-17", Statement: []policyStatementJSON{
				{Sid: "Traces", Effect: "Allow", Resource: []string{"*"}, Action: []string{"xray:PutTraceSegments",
					"xray:PutTelemetryRecords", "xray:GetSamplingRules", "xray:GetSamplingTargets"}},
				{Sid: "Metrics", Effect: "Allow", Resource: []string{arn, arn + ":*"},
					Action: []string{"logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"}},
			}})
		}).(pulumi.StringOutput),
	}, b.parent)
	return err
}

// withSidecar appends the collector's container definition (when there is one) to the task's.
func (b *apiBuild) withSidecar(defs pulumi.StringOutput) pulumi.StringOutput {
	if b.sidecar == (pulumi.StringOutput{}) {
		return defs
	}
	return pulumi.All(defs, b.sidecar).ApplyT(func(v []any) (string, error) {
		var all []json.RawMessage
		if err := json.Unmarshal([]byte(v[0].(string)), &all); err != nil {
			return "", err
		}
		out, err := json.Marshal(append(all, json.RawMessage(v[1].(string))))
		return string(out), err
	}).(pulumi.StringOutput)
}

func collectorContainer(image, logGroup, config, region string) map[string]any {
	return map[string]any{
		"name":                   collectorName,
		"image":                  image,
		"essential":              false,
		"user":                   "10001:10001",
		"readonlyRootFilesystem": true,
		"privileged":             false,
		"memoryReservation":      64,
		"environment":            []keyValue{{Name: "AOT_CONFIG_CONTENT", Value: config}},
		"linuxParameters": map[string]any{
			"initProcessEnabled": true,
			"capabilities":       map[string]any{"drop": []string{"ALL"}},
		},
		"logConfiguration": map[string]any{
			"logDriver": "awslogs",
			"options": map[string]string{
				"awslogs-group": logGroup, "awslogs-region": region, "awslogs-stream-prefix": collectorName,
			},
		},
	}
}

// collectorConfig is the collector's pipeline: OTLP on localhost in; traces to X-Ray; metrics as EMF under
// ServiceMetricsNamespace, each order metric with the ServiceNameDimension alone (what the alarms read)
// and with its reason, request metrics per route. Only declared metrics are published, so a new label
// never multiplies the custom metric bill.
func collectorConfig(region, metricsLogGroup string) string {
	return fmt.Sprintf(`receivers:
  otlp:
    protocols:
      grpc:
        endpoint: 127.0.0.1:4317
      http:
        endpoint: 127.0.0.1:4318
processors:
  batch:
    timeout: 10s
exporters:
  awsxray:
    region: %[1]s
  awsemf:
    region: %[1]s
    namespace: %[2]s
    log_group_name: %[3]s
    log_stream_name: "{TaskId}"
    resource_to_telemetry_conversion:
      enabled: true
    dimension_rollup_option: NoDimensionRollup
    metric_declarations:
      - dimensions: [[%[4]s], [%[4]s, reason]]
        metric_name_selectors: ["^orders\\."]
      - dimensions: [[%[4]s, http.route]]
        metric_name_selectors: ["^http\\.server\\."]
service:
  pipelines:
    traces:
      receivers: [otlp]
      processors: [batch]
      exporters: [awsxray]
    metrics:
      receivers: [otlp]
      processors: [batch]
      exporters: [awsemf]
`, region, ServiceMetricsNamespace, metricsLogGroup, ServiceNameDimension)
}
