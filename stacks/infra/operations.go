package infra

import (
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/budgets"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/kms"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/sns"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// BudgetAlertPercents are the shares of policyBudgetUsd at which the monthly cost budget notifies the alarm
// topic: a warning with time to act, and the limit itself.
var BudgetAlertPercents = []float64{80, 100}

// operations is what the stack's people are told through: the alarm topic every component's alarms notify
// (and, when the stack is not in us-east-1, a second one there for CloudFront's alarm).
type operations struct {
	// topic is in the stack's region.
	topic pulumi.StringOutput
	// cdnTopic is in us-east-1, where CloudFront publishes its metrics.
	cdnTopic pulumi.StringOutput
}

// newOperations creates the alarm topic(s), each encrypted with its own customer managed key and
// subscribed to by every alarmEmails address.
func newOperations(ctx *pulumi.Context, cfg Config, prov *aws.Provider) (*operations, error) {
	topic, err := alarmTopic(ctx, "alarms", cfg, prov)
	if err != nil {
		return nil, err
	}
	ops := &operations{topic: topic, cdnTopic: topic}
	if cfg.Region == "us-east-1" {
		return ops, nil
	}
	useast1, err := aws.NewProvider(ctx, "aws-us-east-1", &aws.ProviderArgs{
		Region:      pulumi.String("us-east-1"),
		DefaultTags: &aws.ProviderDefaultTagsArgs{Tags: DefaultTags(ctx)},
	})
	if err != nil {
		return nil, err
	}
	if ops.cdnTopic, err = alarmTopic(ctx, "alarms-us-east-1", cfg, useast1); err != nil {
		return nil, err
	}
	return ops, nil
}

// alarmTopic is an SNS topic encrypted with a customer managed key whose policy lets CloudWatch alarms and
// AWS Budgets publish (an AWS-managed SNS key admits neither), with one email subscription per address.
func alarmTopic(ctx *pulumi.Context, name string, cfg Config, prov *aws.Provider) (pulumi.StringOutput, error) {
	withProv := pulumi.Provider(prov)
	caller, err := aws.GetCallerIdentity(ctx, nil, withProv)
	if err != nil {
		return pulumi.StringOutput{}, fmt.Errorf("account: %w", err)
	}
	partition, err := aws.GetPartition(ctx, nil, withProv)
	if err != nil {
		return pulumi.StringOutput{}, fmt.Errorf("partition: %w", err)
	}
	key, err := kms.NewKey(ctx, name+"-key", &kms.KeyArgs{
		Description:       pulumi.String("Encrypts the " + name + " SNS topic of stack " + ctx.Stack()),
		EnableKeyRotation: pulumi.Bool(true),
		Policy:            pulumi.String(alarmKeyPolicy(partition.Partition, caller.AccountId, alarmPublishers(cfg))),
	}, withProv)
	if err != nil {
		return pulumi.StringOutput{}, err
	}
	topic, err := sns.NewTopic(ctx, name, &sns.TopicArgs{KmsMasterKeyId: key.Arn}, withProv)
	if err != nil {
		return pulumi.StringOutput{}, err
	}
	if _, err := sns.NewTopicPolicy(ctx, name+"-policy", &sns.TopicPolicyArgs{
		Arn:    topic.Arn,
		Policy: topic.Arn.ApplyT(func(arn string) string { return alarmTopicPolicy(arn, caller.AccountId, alarmPublishers(cfg)) }).(pulumi.StringOutput),
	}, withProv, pulumi.Parent(topic)); err != nil {
		return pulumi.StringOutput{}, err
	}
	for i, email := range cfg.AlarmEmails {
		if _, err := sns.NewTopicSubscription(ctx, fmt.Sprintf("%s-email-%d", name, i+1), &sns.TopicSubscriptionArgs{
			Topic:    topic.Arn,
			Protocol: pulumi.String("email"),
			Endpoint: pulumi.String(email),
		}, withProv, pulumi.Parent(topic)); err != nil {
			return pulumi.StringOutput{}, err
		}
	}
	return topic.Arn, nil
}

// alarmPublishers are the services that publish to the alarm topic: alarms and budgets, and with payments
// on EventBridge, for the Stripe key rotation reminder (payments.go).
func alarmPublishers(cfg Config) []string {
	out := []string{"cloudwatch.amazonaws.com", "budgets.amazonaws.com"}
	if cfg.PaymentsOn() {
		out = append(out, "events.amazonaws.com")
	}
	return out
}

// alarmKeyPolicy keeps the key administered by the account (IAM decides who) and lets the publishers
// encrypt messages for the topic.
func alarmKeyPolicy(partition, account string, publishers []string) string {
	return mustJSON(map[string]any{
		"Version": "2012-10-17",
		"Statement": []any{
			map[string]any{
				"Sid": "AccountAdministers", "Effect": "Allow",
				"Principal": map[string]any{"AWS": fmt.Sprintf("arn:%s:iam::%s:root", partition, account)},
				"Action":    "kms:*", "Resource": "*",
			},
			map[string]any{
				"Sid": "AlarmsAndBudgetsPublish", "Effect": "Allow",
				"Principal": map[string]any{"Service": publishers},
				"Action":    []string{"kms:Decrypt", "kms:GenerateDataKey*"}, "Resource": "*",
			},
		},
	})
}

// alarmTopicPolicy lets the publishers publish, for this account's alarms and budgets only.
func alarmTopicPolicy(topicArn, account string, publishers []string) string {
	return mustJSON(map[string]any{
		"Version": "2012-10-17",
		"Statement": []any{map[string]any{
			"Sid": "AlarmsAndBudgetsPublish", "Effect": "Allow",
			"Principal": map[string]any{"Service": publishers},
			"Action":    "sns:Publish", "Resource": topicArn,
			"Condition": map[string]any{"StringEquals": map[string]any{"aws:SourceAccount": account}},
		}},
	})
}

// dashboard lays the components' golden-signal widgets out two to a row, in the order given (CDN, load
// balancer and service, then data), on one dashboard per stack.
func dashboard(ctx *pulumi.Context, widgets []pulumi.StringOutput, opts ...pulumi.ResourceOption) error {
	inputs := make([]any, len(widgets))
	for i, w := range widgets {
		inputs[i] = w
	}
	body := pulumi.All(inputs...).ApplyT(func(v []any) (string, error) {
		var laid []map[string]any
		for _, s := range v {
			var ws []map[string]any
			if err := json.Unmarshal([]byte(s.(string)), &ws); err != nil {
				return "", fmt.Errorf("dashboard widgets: %w", err)
			}
			for _, w := range ws {
				n := len(laid)
				w["x"], w["y"] = (n%2)*12, (n/2)*6
				laid = append(laid, w)
			}
		}
		b, err := json.Marshal(map[string]any{"widgets": laid})
		return string(b), err
	}).(pulumi.StringOutput)
	_, err := cloudwatch.NewDashboard(ctx, "dashboard", &cloudwatch.DashboardArgs{
		// Dashboards are not autonamed; project and stack keep two stacks apart.
		DashboardName: pulumi.String(ctx.Project() + "-" + ctx.Stack()),
		DashboardBody: body,
	}, opts...)
	return err
}

// costBudget is a monthly cost budget at policyBudgetUsd over the resources tagged with this stack (the
// provider's default tags; `stack` must be activated as a cost allocation tag in the billing console),
// notifying the alarm topic at each BudgetAlertPercents of actual spend.
func costBudget(ctx *pulumi.Context, cfg Config, topic pulumi.StringInput, opts ...pulumi.ResourceOption) error {
	var notes budgets.BudgetNotificationArray
	for _, pct := range BudgetAlertPercents {
		notes = append(notes, budgets.BudgetNotificationArgs{
			NotificationType:       pulumi.String("ACTUAL"),
			ComparisonOperator:     pulumi.String("GREATER_THAN"),
			Threshold:              pulumi.Float64(pct),
			ThresholdType:          pulumi.String("PERCENTAGE"),
			SubscriberSnsTopicArns: pulumi.StringArray{topic},
		})
	}
	_, err := budgets.NewBudget(ctx, "budget", &budgets.BudgetArgs{
		BudgetType:  pulumi.String("COST"),
		TimeUnit:    pulumi.String("MONTHLY"),
		LimitAmount: pulumi.String(strconv.Itoa(cfg.BudgetUsd)),
		LimitUnit:   pulumi.String("USD"),
		CostFilters: budgets.BudgetCostFilterArray{budgets.BudgetCostFilterArgs{
			Name:   pulumi.String("TagKeyValue"),
			Values: pulumi.StringArray{pulumi.String("user:stack$" + ctx.Stack())},
		}},
		Notifications: notes,
	}, opts...)
	return err
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic("infra: " + err.Error())
	}
	return string(b)
}

// watch puts the components' widgets on the stack's dashboard and the stack's cost under a budget.
func (o *operations) watch(ctx *pulumi.Context, cfg Config, widgets []pulumi.StringOutput, opts ...pulumi.ResourceOption) error {
	if cfg.DashboardEnabled {
		if err := dashboard(ctx, widgets, opts...); err != nil {
			return err
		}
	}
	if err := costBudget(ctx, cfg, o.topic, opts...); err != nil {
		return err
	}
	ctx.Export("alarmTopicArn", o.topic)
	return nil
}

// ServiceName is the shop's OTEL_SERVICE_NAME in this stack: its metrics carry it (components.ServiceNameDimension),
// so the alarms of two stacks sharing an account watch their own shop.
func ServiceName(ctx *pulumi.Context) string { return "shop-" + ctx.Stack() }
