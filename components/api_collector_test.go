package components_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shopstack/shopstack/components"
)

func collectorApiArgs() *components.ApiArgs {
	args := baseApiArgs()
	args.Collector = components.ApiCollectorArgs{Enabled: true}
	return args
}

// containerDefs decodes the task definition's containers by name.
func containerDefs(t *testing.T, r apiRun) map[string]map[string]any {
	t.Helper()
	out := map[string]map[string]any{}
	for _, c := range decodeJSON[[]map[string]any](t, r.rec.Must(t, rtTaskDef, "api-task").Str("containerDefinitions")) {
		out[c["name"].(string)] = c
	}
	return out
}

func TestApiCollector(t *testing.T) {
	t.Parallel()
	t.Run("a non-essential, non-root, read-only sidecar logging to its own group", func(t *testing.T) {
		t.Parallel()
		r := runApi(t, collectorApiArgs())
		defs := containerDefs(t, r)
		require.Contains(t, defs, "otel-collector")
		c := defs["otel-collector"]
		assert.Equal(t, false, c["essential"], "its crash never stops the shop")
		assert.Equal(t, "10001:10001", c["user"])
		assert.Equal(t, true, c["readonlyRootFilesystem"])
		assert.Equal(t, false, c["privileged"])
		assert.NotContains(t, c, "mountPoints", "its pipeline writes no files, and the task has no volume")
		assert.Equal(t, components.DefaultCollectorImage, c["image"])
		logs := r.rec.Must(t, rtLogGroup, "api-collector-logs")
		assert.Equal(t, 30.0, logs.Num("retentionInDays"))
		opts := c["logConfiguration"].(map[string]any)["options"].(map[string]any)
		assert.Equal(t, logs.Out("name").StringValue(), opts["awslogs-group"])
		assert.Equal(t, 30.0, r.rec.Must(t, rtLogGroup, "api-metrics-logs").Num("retentionInDays"), "the EMF group too")
		assert.Equal(t, true, defs["app"]["essential"], "the shop's container is unchanged")
	})

	t.Run("OTLP on localhost only, traces to X-Ray, metrics as EMF under the alarms' namespace", func(t *testing.T) {
		t.Parallel()
		r := runApi(t, collectorApiArgs())
		defs := containerDefs(t, r)
		env := defs["otel-collector"]["environment"].([]any)[0].(map[string]any)
		require.Equal(t, "AOT_CONFIG_CONTENT", env["name"])
		config := env["value"].(string)
		assert.Contains(t, config, "endpoint: 127.0.0.1:4318")
		assert.Contains(t, config, "endpoint: 127.0.0.1:4317")
		assert.NotContains(t, config, "0.0.0.0")
		assert.Contains(t, config, "namespace: "+components.ServiceMetricsNamespace)
		assert.Contains(t, config, "log_group_name: "+r.rec.Must(t, rtLogGroup, "api-metrics-logs").Out("name").StringValue())
		assert.Contains(t, config, "exporters: [awsxray]")
		var appEnv []string
		for _, e := range defs["app"]["environment"].([]any) {
			m := e.(map[string]any)
			appEnv = append(appEnv, m["name"].(string)+"="+m["value"].(string))
		}
		assert.Contains(t, appEnv, "OTEL_EXPORTER_OTLP_ENDPOINT="+components.CollectorOtlpEndpoint)
	})

	t.Run("the task role gets exactly the collector's calls; the execution role its log group", func(t *testing.T) {
		t.Parallel()
		r := runApi(t, collectorApiArgs())
		task := decodeJSON[iamDoc](t, r.rec.Must(t, rtRolePolicy, "api-task-collector-policy").Str("policy"))
		require.Len(t, task.Statement, 2)
		assert.Equal(t, []string{"xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules",
			"xray:GetSamplingTargets"}, task.Statement[0].Action)
		metrics := r.rec.Must(t, rtLogGroup, "api-metrics-logs").Out("arn").StringValue()
		assert.Equal(t, []string{metrics, metrics + ":*"}, task.Statement[1].Resource)
		for _, a := range append(task.Statement[0].Action, task.Statement[1].Action...) {
			assert.False(t, strings.Contains(a, "*"), a)
		}
		exec := decodeJSON[iamDoc](t, r.rec.Must(t, rtRolePolicy, "api-execution-collector-logs").Str("policy"))
		assert.Equal(t, []string{r.rec.Must(t, rtLogGroup, "api-collector-logs").Out("arn").StringValue() + ":*"},
			exec.Statement[0].Resource)
	})

	t.Run("off by default: one container, no collector resources", func(t *testing.T) {
		t.Parallel()
		r := runApi(t, baseApiArgs())
		assert.Len(t, containerDefs(t, r), 1)
		_, found := r.rec.Find(rtLogGroup, "api-collector-logs")
		assert.False(t, found)
	})
}
