package policies_test

import "github.com/shopstack/shopstack/policies"

const (
	tAlarm  = "aws:cloudwatch/metricAlarm:MetricAlarm"
	tTopic  = "aws:sns/topic:Topic"
	tKey    = "aws:kms/key:Key"
	tBudget = "aws:budgets/budget:Budget"
)

// alarmRuleCases are the fixtures of rules_alarms.go.
func alarmRuleCases() []ruleCase {
	rs := func(r ...policies.Resource) []policies.Resource { return r }
	key := res(tKey, "alarms-key", obj{})
	topic := dep(res(tTopic, "alarms", obj{}), "kmsMasterKeyId", key)
	plainTopic := res(tTopic, "alarms", obj{})
	notifying := func(t policies.Resource) policies.Resource {
		return dep(dep(res(tAlarm, "db-cpu", obj{}), "alarmActions", t), "okActions", t)
	}
	db := res(tDB, "db", goodDB)
	return []ruleCase{
		{rule: "alarm-has-action", name: "notifies a topic", rs: rs(res(tAlarm, "cpu", obj{"alarmActions": []any{"arn:aws:sns:us-east-1:1:alarms"}})), want: pass},
		{rule: "alarm-has-action", name: "topic not created yet in a preview", rs: rs(dep(res(tAlarm, "cpu", obj{"alarmActions": unknown()}), "alarmActions", topic)), want: pass},
		{rule: "alarm-has-action", name: "no actions", rs: rs(res(tAlarm, "cpu", obj{})), want: fires, on: "cpu"},
		{rule: "alarm-has-action", name: "empty actions", rs: rs(res(tAlarm, "cpu", obj{"alarmActions": []any{}})), want: fires},
		{rule: "alarm-has-action", name: "actions disabled", rs: rs(res(tAlarm, "cpu", obj{"alarmActions": []any{"arn:aws:sns:us-east-1:1:a"}, "actionsEnabled": false})), want: fires},
		{rule: "alarm-has-action", name: "unknown without a source", rs: rs(res(tAlarm, "cpu", obj{"alarmActions": unknown()})), want: cantTell},

		{rule: "stateful-alarmed", name: "database watched through dimensions", rs: rs(db, dep(res(tAlarm, "db-cpu", obj{}), "dimensions", db)), want: pass},
		{rule: "stateful-alarmed", name: "cache watched through metric math", rs: func() []policies.Resource {
			cache := res(tRepl, "cache", obj{})
			return rs(cache, dep(res(tAlarm, "cache-cpu", obj{}), "metricQueries", cache))
		}(), want: pass},
		{rule: "stateful-alarmed", name: "search domain without an alarm", rs: rs(res(tSearch, "search", goodSearch)), want: fires, on: "search"},
		{rule: "stateful-alarmed", name: "alarm naming the database by string only", rs: rs(db, res(tAlarm, "db-cpu", obj{"dimensions": obj{"DBInstanceIdentifier": "db"}})), want: fires, on: "db"},
		{rule: "stateful-alarmed", name: "aurora cluster without an alarm", rs: rs(res(tDBCluster, "db", obj{})), want: fires},

		{rule: "alarm-topic-encrypted", name: "customer managed key", rs: rs(key, topic, notifying(topic)), want: pass},
		{rule: "alarm-topic-encrypted", name: "key given as an ARN", rs: rs(res(tTopic, "alarms", obj{"kmsMasterKeyId": "arn:aws:kms:us-east-1:1:key/k"}), notifying(res(tTopic, "alarms", obj{}))), want: pass},
		{rule: "alarm-topic-encrypted", name: "unencrypted alarm topic", rs: rs(plainTopic, notifying(plainTopic)), want: fires, on: "alarms"},
		{rule: "alarm-topic-encrypted", name: "AWS managed key", rs: func() []policies.Resource {
			t := res(tTopic, "alarms", obj{"kmsMasterKeyId": "alias/aws/sns"})
			return rs(t, notifying(t))
		}(), want: fires},
		{rule: "alarm-topic-encrypted", name: "unencrypted budget topic", rs: rs(plainTopic, dep(res(tBudget, "budget", obj{}), "notifications", plainTopic)), want: fires},
		{rule: "alarm-topic-encrypted", name: "a topic no alarm notifies is not this rule's", rs: rs(plainTopic), want: pass},
		{rule: "alarm-topic-encrypted", name: "key unknown without a source", rs: func() []policies.Resource {
			t := res(tTopic, "alarms", obj{"kmsMasterKeyId": unknown()})
			return rs(t, notifying(t))
		}(), want: cantTell},
	}
}
