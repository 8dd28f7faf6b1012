package components

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/lambda"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/scheduler"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// workSchedule is `name-work` (an EventBridge Scheduler schedule) and `name-work-role`, the role it invokes
// the function with: Scheduler of this account may assume it, and it may invoke this function only. A tick
// that fails is not retried (the next one comes a minute later, and the jobs it would have run are still
// due), and the schedule needs no dead-letter queue for the same reason.
func (b *apiBuild) workSchedule(loc apiLocation, fn *lambda.Function) error {
	s := b.args.Lambda.Schedule
	if s.Disabled {
		return nil
	}
	trust := mustJSON(policyDocument{Version: "2012-10-17", Statement: []policyStatementJSON{{
		Effect:    "Allow",
		Principal: map[string]any{"Service": "scheduler.amazonaws.com"},
		Action:    []string{"sts:AssumeRole"},
		Condition: map[string]any{
			"StringEquals": map[string]any{"aws:SourceAccount": loc.account},
			"ArnLike": map[string]any{"aws:SourceArn": fmt.Sprintf("arn:%s:scheduler:%s:%s:schedule/default/*",
				loc.partition, loc.region, loc.account)},
		},
	}}})
	role, err := iam.NewRole(b.ctx, b.name+"-work-role", &iam.RoleArgs{
		Description:      pulumi.String("EventBridge Scheduler role of " + b.name + ": invokes its function, nothing else"),
		AssumeRolePolicy: pulumi.String(trust),
	}, b.parent)
	if err != nil {
		return err
	}
	policy, err := iam.NewRolePolicy(b.ctx, b.name+"-work-policy", &iam.RolePolicyArgs{
		Role: role.Name,
		Policy: taskPolicy([]PolicyStatement{{
			Actions: []string{"lambda:InvokeFunction"}, Resources: []pulumi.StringInput{fn.Arn},
		}}),
	}, b.parent)
	if err != nil {
		return err
	}
	_, err = scheduler.NewSchedule(b.ctx, b.name+"-work", &scheduler.ScheduleArgs{
		Description:        pulumi.String("Runs the due background jobs of " + b.name),
		ScheduleExpression: pulumi.String(s.Expression),
		FlexibleTimeWindow: scheduler.ScheduleFlexibleTimeWindowArgs{Mode: pulumi.String("OFF")},
		Target: scheduler.ScheduleTargetArgs{
			Arn:         fn.Arn,
			RoleArn:     role.Arn,
			Input:       pulumi.String(s.Input),
			RetryPolicy: scheduler.ScheduleTargetRetryPolicyArgs{MaximumRetryAttempts: pulumi.Int(0)},
		},
	}, b.parent, pulumi.DependsOn([]pulumi.Resource{policy}))
	return err
}
