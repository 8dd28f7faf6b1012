package components

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// apiRoles are the task's two roles: ECS's own (image pull, logs, the listed secrets) and the application's.
type apiRoles struct{ execution, task *iam.Role }

func (b *apiBuild) roles(loc apiLocation, logs *cloudwatch.LogGroup) (apiRoles, error) {
	execution, err := b.executionRole(loc, logs)
	if err != nil {
		return apiRoles{}, err
	}
	task, err := b.taskRole(loc)
	if err != nil {
		return apiRoles{}, err
	}
	return apiRoles{execution: execution, task: task}, nil
}

func (b *apiBuild) executionRole(loc apiLocation, logs *cloudwatch.LogGroup) (*iam.Role, error) {
	a := b.args
	// ECS documents the confused-deputy conditions for task roles only; the execution role keeps the plain
	// trust ECS documents for it (iam:PassRole in this account is what guards it).
	role, err := iam.NewRole(b.ctx, b.name+"-execution-role", &iam.RoleArgs{
		Description:      pulumi.String("ECS execution role of " + b.name + ": image pull, logs, listed secrets"),
		AssumeRolePolicy: pulumi.String(ecsTasksTrustPolicy(nil)),
	}, b.parent)
	if err != nil {
		return nil, err
	}
	repoArn := a.ImageRepositoryArn
	if repoArn == nil {
		repoArn = pulumi.String(fmt.Sprintf("arn:%s:ecr:%s:%s:repository/*", loc.partition, loc.region, loc.account))
	}
	secretArns := make([]pulumi.StringInput, 0, len(a.Secrets))
	for _, k := range sortedKeys(a.Secrets) {
		secretArns = append(secretArns, a.Secrets[k])
	}
	if a.Init != nil {
		for _, k := range sortedKeys(a.Init.Secrets) {
			secretArns = append(secretArns, a.Init.Secrets[k])
		}
	}
	if _, err := iam.NewRolePolicy(b.ctx, b.name+"-execution-policy", &iam.RolePolicyArgs{
		Role:   role.Name,
		Policy: executionPolicy(repoArn, logs.Arn, a.SecretsKmsKeyArn, loc.region, secretArns),
	}, b.parent); err != nil {
		return nil, err
	}
	return role, nil
}

func (b *apiBuild) taskRole(loc apiLocation) (*iam.Role, error) {
	role, err := iam.NewRole(b.ctx, b.name+"-task-role", &iam.RoleArgs{
		Description: pulumi.String("ECS task role of " + b.name + ": only the statements the stack passes"),
		AssumeRolePolicy: pulumi.String(ecsTasksTrustPolicy(map[string]any{
			"StringEquals": map[string]any{"aws:SourceAccount": loc.account},
			"ArnLike":      map[string]any{"aws:SourceArn": fmt.Sprintf("arn:%s:ecs:%s:%s:*", loc.partition, loc.region, loc.account)},
		})),
	}, b.parent)
	if err != nil {
		return nil, err
	}
	if len(b.args.TaskPolicyStatements) > 0 {
		if _, err := iam.NewRolePolicy(b.ctx, b.name+"-task-policy", &iam.RolePolicyArgs{
			Role:   role.Name,
			Policy: taskPolicy(b.args.TaskPolicyStatements),
		}, b.parent); err != nil {
			return nil, err
		}
	}
	return role, nil
}

// ecsTasksTrustPolicy lets ECS tasks assume a role, under condition when given.
func ecsTasksTrustPolicy(condition map[string]any) string {
	return mustJSON(policyDocument{Version: "2012-10-17", Statement: []policyStatementJSON{{
		Effect:    "Allow",
		Principal: map[string]any{"Service": "ecs-tasks.amazonaws.com"},
		Action:    []string{"sts:AssumeRole"},
		Condition: condition,
	}}})
}

type policyDocument struct {
	Version   string                `json:"Version"`
	Statement []policyStatementJSON `json:"Statement"`
}

type policyStatementJSON struct {
	Sid       string         `json:"Sid,omitempty"`
	Effect    string         `json:"Effect"`
	Principal map[string]any `json:"Principal,omitempty"`
	Action    []string       `json:"Action"`
	Resource  []string       `json:"Resource,omitempty"`
	Condition map[string]any `json:"Condition,omitempty"`
}

// secretResource strips the json-key/version suffix ECS accepts after a
// Secrets Manager ARN; IAM wants the secret's own ARN.
func secretResource(arn string) string {
	parts := strings.Split(arn, ":")
	if len(parts) > 7 && parts[2] == "secretsmanager" {
		return strings.Join(parts[:7], ":")
	}
	return arn
}

func executionPolicy(repoArn pulumi.StringInput, logGroupArn pulumi.StringOutput, kmsKey pulumi.StringInput, region string, secretArns []pulumi.StringInput) pulumi.StringOutput {
	if kmsKey == nil {
		kmsKey = pulumi.String("")
	}
	inputs := []any{repoArn, logGroupArn, kmsKey}
	for _, s := range secretArns {
		inputs = append(inputs, s)
	}
	return pulumi.All(inputs...).ApplyT(func(v []any) (string, error) {
		stmts := []policyStatementJSON{
			// GetAuthorizationToken has no resource-level permissions.
			{Sid: "EcrToken", Effect: "Allow", Action: []string{"ecr:GetAuthorizationToken"}, Resource: []string{"*"}},
			{Sid: "EcrPull", Effect: "Allow", Action: []string{"ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"}, Resource: []string{v[0].(string)}},
			// CloudWatch Logs authorises CreateLogStream against the group's
			// "log-group:NAME:*" form and PutLogEvents against its streams
			// ("log-group:NAME:log-stream:S"); "NAME:*" covers both, and
			// nothing outside this group.
			{Sid: "Logs", Effect: "Allow", Action: []string{"logs:CreateLogStream", "logs:PutLogEvents"}, Resource: []string{v[1].(string) + ":*"}},
		}
		if len(v) > 3 {
			var arns []string
			for _, s := range v[3:] {
				arn := secretResource(s.(string))
				if !slices.Contains(arns, arn) {
					arns = append(arns, arn)
				}
			}
			stmts = append(stmts, policyStatementJSON{Sid: "Secrets", Effect: "Allow", Action: []string{"secretsmanager:GetSecretValue"}, Resource: arns})
			if key := v[2].(string); key != "" {
				stmts = append(stmts, policyStatementJSON{
					Sid: "SecretsKey", Effect: "Allow", Action: []string{"kms:Decrypt"}, Resource: []string{key},
					Condition: map[string]any{"StringEquals": map[string]any{"kms:ViaService": "secretsmanager." + region + ".amazonaws.com"}},
				})
			}
		}
		b, err := json.Marshal(policyDocument{Version: "2012-10-17", Statement: stmts})
		return string(b), err
	}).(pulumi.StringOutput)
}

func taskPolicy(statements []PolicyStatement) pulumi.StringOutput {
	var inputs []any
	for _, s := range statements {
		for _, r := range s.Resources {
			inputs = append(inputs, r)
		}
	}
	return pulumi.All(inputs...).ApplyT(func(v []any) (string, error) {
		var stmts []policyStatementJSON
		i := 0
		for _, s := range statements {
			wild := slices.ContainsFunc(s.Actions, func(a string) bool { return strings.Contains(a, "*") })
			var res []string
			for range s.Resources {
				r := v[i].(string)
				i++
				if r == "*" && wild {
					return "", fmt.Errorf("task policy: wildcard actions %q on resource \"*\"", s.Actions)
				}
				res = append(res, r)
			}
			stmts = append(stmts, policyStatementJSON{Effect: "Allow", Action: slices.Clone(s.Actions), Resource: res})
		}
		b, err := json.Marshal(policyDocument{Version: "2012-10-17", Statement: stmts})
		return string(b), err
	}).(pulumi.StringOutput)
}
