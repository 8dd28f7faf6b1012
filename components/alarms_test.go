package components_test

import (
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/shopstack/shopstack/components"
	"github.com/shopstack/shopstack/internal/pulumimock"
)

const (
	rtAlarm   = "aws:cloudwatch/metricAlarm:MetricAlarm"
	testTopic = "arn:aws:sns:us-east-1:123456789012:alarms"
)

// alarmsOf lists the names of the alarms below the component, without the "<component>-alarm-" prefix.
func alarmsOf(rec *pulumimock.Recorder, component string) []string {
	var out []string
	for _, a := range rec.ByType(rtAlarm) {
		out = append(out, strings.TrimPrefix(a.Name, component+"-alarm-"))
	}
	sort.Strings(out)
	return out
}

// assertNotifies checks what every alarm must do: notify the topic when it goes off and when it clears,
// say what to look at, and not page on missing data.
func assertNotifies(t *testing.T, rec *pulumimock.Recorder, parentURN string) {
	t.Helper()
	for _, a := range rec.ByType(rtAlarm) {
		assert.Equal(t, []any{testTopic}, a.Plain("alarmActions"), a.Name)
		assert.Equal(t, []any{testTopic}, a.Plain("okActions"), a.Name)
		assert.Contains(t, a.Str("alarmDescription"), "Look first", a.Name)
		assert.NotEmpty(t, a.Str("treatMissingData"), a.Name)
		assert.Equal(t, parentURN, a.Parent, a.Name)
	}
}

// widgetTitles decodes a component's DashboardWidgets and lists their titles.
func widgetTitles(t *testing.T, widgets pulumi.StringOutput) []string {
	t.Helper()
	var out []string
	for _, w := range decodeJSON[[]map[string]any](t, pulumimock.Await[string](t, widgets)) {
		assert.Equal(t, "metric", w["type"])
		out = append(out, w["properties"].(map[string]any)["title"].(string))
	}
	return out
}

func TestAlarmArgsValidation(t *testing.T) {
	t.Parallel()
	args := baseApiArgs()
	args.Alarms = components.ApiAlarmArgs{TopicArn: pulumi.String(testTopic), Target5xxPercent: 150, LatencyP99Seconds: -1}
	_, err := newApiErr(args)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "ApiArgs.Alarms.Target5xxPercent: 150 is above 100 percent")
	assert.Contains(t, err.Error(), "ApiArgs.Alarms.LatencyP99Seconds: -1; a threshold must be positive")
}
