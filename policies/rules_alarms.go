package policies

import "strings"

var alarmHasAction = &Rule{
	ID:        "alarm-has-action",
	Title:     "Every CloudWatch alarm notifies someone when it goes off",
	Rationale: "An alarm without an action changes colour in a console nobody watches; the outage is found by customers.",
	Control:   "CloudWatch.15",
	Level:     Mandatory,
	Types:     tMetricAlarm,
	Check: func(c *Check, r Resource) {
		if on := r.Get("actionsEnabled"); on.State == Known {
			if b, _ := on.Bool(); !b {
				c.Fail(r, "actionsEnabled is false: the alarm notifies nobody")
				return
			}
		}
		v := r.Get("alarmActions")
		switch {
		case v.State == Unknown && len(r.PropertyDeps["alarmActions"]) > 0:
			// Wired to a topic the preview has not created yet.
		case v.State == Unknown:
			c.Unknown(r, "alarmActions")
		case len(v.Items()) == 0:
			c.Fail(r, "alarmActions is empty: the alarm notifies nobody")
		}
	},
}

// statefulTypes hold data whose loss or exhaustion is an incident: each needs an alarm watching it.
var statefulTypes = joinTokens(tDBInstance, tDBCluster, tCacheReplGroup, tCacheServerless, tCacheCluster, tSearchDomain)

func joinTokens(sets ...Tokens) Tokens {
	var out Tokens
	for _, t := range sets {
		out = append(out, t...)
	}
	return out
}

var statefulAlarmed = &Rule{
	ID:        "stateful-alarmed",
	Title:     "Every database, cache and search domain is watched by at least one alarm",
	Rationale: "A full disk, an exhausted connection pool or a red cluster is noticed before customers notice it only if an alarm watches it.",
	Level:     Mandatory,
	CheckStack: func(c *Check, s *Stack) {
		for _, r := range s.Of(statefulTypes) {
			if len(s.Referencing(r, tMetricAlarm, "dimensions")) == 0 && len(s.Referencing(r, tMetricAlarm, "metricQueries")) == 0 {
				c.Fail(r, "no MetricAlarm's dimensions or metricQueries refer to this resource")
			}
		}
	},
}

var alarmTopicEncrypted = &Rule{
	ID:        "alarm-topic-encrypted",
	Title:     "Topics that alarms and budgets notify are encrypted with a customer managed KMS key",
	Rationale: "Alarm messages name resources and thresholds; SNS encrypts at rest only with a key, and only a customer managed key's policy can let CloudWatch and Budgets publish to an encrypted topic.",
	Control:   "SNS.1",
	Level:     Mandatory,
	CheckStack: func(c *Check, s *Stack) {
		topics := map[string]Resource{}
		for _, r := range s.Of(tMetricAlarm) {
			for _, prop := range []string{"alarmActions", "okActions", "insufficientDataActions"} {
				for _, t := range s.Deps(r, prop) {
					topics[t.URN] = t
				}
			}
		}
		for _, r := range s.Of(tBudget) {
			for _, t := range s.Deps(r, "notifications") {
				topics[t.URN] = t
			}
		}
		for _, urn := range sortedKeys(topics) {
			if t := topics[urn]; tSNSTopic.Has(t.Type) {
				checkTopicKey(c, t)
			}
		}
	},
}

func checkTopicKey(c *Check, t Resource) {
	v := t.Get("kmsMasterKeyId")
	key, _ := v.Str()
	switch {
	case v.State == Unknown && len(t.PropertyDeps["kmsMasterKeyId"]) > 0:
		// A key the preview has not created yet.
	case v.State == Unknown:
		c.Unknown(t, "kmsMasterKeyId")
	case key == "":
		c.Fail(t, "kmsMasterKeyId is not set: alarm messages are stored unencrypted")
	case strings.HasSuffix(key, "alias/aws/sns"):
		c.Fail(t, "kmsMasterKeyId is the AWS managed key alias/aws/sns, whose policy does not let CloudWatch or Budgets publish")
	}
}
