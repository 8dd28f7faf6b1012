package components_test

import (
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shopstack/shopstack/components"
	"github.com/shopstack/shopstack/internal/pulumimock"
)

func TestStaticSiteAlarms(t *testing.T) {
	t.Parallel()
	t.Run("CloudFront's 5xx error rate, in us-east-1 where CloudFront publishes it", func(t *testing.T) {
		t.Parallel()
		r := runSite(t, &components.StaticSiteArgs{AssetsDir: writeDist(t),
			Alarms: components.StaticSiteAlarmArgs{TopicArn: pulumi.String(testTopic)}})
		assert.Equal(t, []string{"cdn-5xx-rate"}, alarmsOf(r.rec, "site"))
		assertNotifies(t, r.rec, r.urn)
		a := r.rec.Must(t, rtAlarm, "site-alarm-cdn-5xx-rate")
		assert.Equal(t, "AWS/CloudFront", a.Str("namespace"))
		assert.Equal(t, "5xxErrorRate", a.Str("metricName"), "a default metric: no additional metrics subscription")
		assert.Equal(t, "Global", a.Str("dimensions.Region"))
		assert.Equal(t, r.rec.Must(t, rtDistribution, "site-cdn").Out("id").StringValue(), a.Str("dimensions.DistributionId"))
		assert.Equal(t, 5.0, a.Num("threshold"))
		provider := r.rec.Must(t, rtProvider, "site-us-east-1")
		assert.Equal(t, "us-east-1", provider.Str("region"))
		assert.Contains(t, a.Provider, provider.URN, "the alarm is created through the us-east-1 provider")
	})

	t.Run("without a topic or Disabled: no alarm and no extra provider; widgets all the same", func(t *testing.T) {
		t.Parallel()
		dir := writeDist(t)
		for _, alarms := range []components.StaticSiteAlarmArgs{{}, {Disabled: true, TopicArn: pulumi.String(testTopic)}} {
			// Without the edge WAF, which needs the us-east-1 provider of its own accord.
			r := runSite(t, &components.StaticSiteArgs{AssetsDir: dir, Alarms: alarms, Waf: components.StaticSiteWafArgs{Disabled: true}})
			assert.Empty(t, r.rec.ByType(rtAlarm))
			assert.Empty(t, r.rec.ByType(rtProvider))
			assert.Equal(t, []string{"site: CDN requests", "site: CDN error rates"}, widgetTitles(t, r.site.DashboardWidgets))
		}
	})

	t.Run("ErrorRatePercent is a percentage", func(t *testing.T) {
		t.Parallel()
		args := &components.StaticSiteArgs{AssetsDir: writeDist(t),
			Alarms: components.StaticSiteAlarmArgs{TopicArn: pulumi.String(testTopic), ErrorRatePercent: 101}}
		_, err := pulumimock.RunErr(func(ctx *pulumi.Context) error {
			_, err := components.NewStaticSite(ctx, "site", args)
			return err
		})
		require.Error(t, err)
		assert.Contains(t, err.Error(), "StaticSiteArgs.Alarms.ErrorRatePercent: 101 is above 100 percent")
	})
}
