package components_test

import (
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shopstack/shopstack/components"
)

func TestApiRoles(t *testing.T) {
	t.Parallel()
	t.Run("defaults: ECS tasks only; the task role of this account's tasks only", func(t *testing.T) {
		t.Parallel()
		rec := runApi(t, baseApiArgs()).rec
		for _, name := range []string{"api-execution-role", "api-task-role"} {
			role := rec.Must(t, rtRole, name)
			assert.False(t, role.Has("name"), "autonamed")
			assert.Empty(t, role.Plain("managedPolicyArns"), "no managed policies: %s", name)
			trust := decodeJSON[iamDoc](t, role.Str("assumeRolePolicy"))
			require.Len(t, trust.Statement, 1)
			assert.Equal(t, map[string]any{"Service": "ecs-tasks.amazonaws.com"}, trust.Statement[0].Principal)
			assert.Equal(t, []string{"sts:AssumeRole"}, trust.Statement[0].Action)
			if name == "api-task-role" {
				assert.Equal(t, "123456789012", trust.Statement[0].Condition["StringEquals"]["aws:SourceAccount"])
				assert.Equal(t, "arn:aws:ecs:us-east-1:123456789012:*", trust.Statement[0].Condition["ArnLike"]["aws:SourceArn"])
			} else {
				assert.Empty(t, trust.Statement[0].Condition, "ECS documents no source conditions for the execution role")
			}
		}
		exec := decodeJSON[iamDoc](t, rec.Must(t, rtRolePolicy, "api-execution-policy").Str("policy"))
		logsArn := rec.Must(t, rtLogGroup, "api-logs").Out("arn").StringValue()
		require.Len(t, exec.Statement, 3, "pull and logs only: no secrets were listed")
		assert.Equal(t, []string{"ecr:GetAuthorizationToken"}, exec.Statement[0].Action)
		assert.Equal(t, []string{"*"}, exec.Statement[0].Resource, "GetAuthorizationToken has no resource-level permission")
		assert.Equal(t, []string{"ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"}, exec.Statement[1].Action)
		assert.Equal(t, []string{"arn:aws:ecr:us-east-1:123456789012:repository/*"}, exec.Statement[1].Resource)
		assert.Equal(t, []string{"logs:CreateLogStream", "logs:PutLogEvents"}, exec.Statement[2].Action)
		assert.Equal(t, []string{logsArn + ":*"}, exec.Statement[2].Resource,
			"CreateLogStream is authorised on the group's NAME:* ARN, which a :log-stream:* resource does not match")
		assert.False(t, strings.HasSuffix(logsArn, ":*"), "the provider's log group ARN has no :* of its own")
		_, hasTaskPolicy := rec.Find(rtRolePolicy, "api-task-policy")
		assert.False(t, hasTaskPolicy, "the task role has no permissions unless the stack passes some")
	})

	t.Run("the execution role reads exactly the listed secrets; the task role gets exactly the statements", func(t *testing.T) {
		t.Parallel()
		rec := runApi(t, secretsApiArgs()).rec
		exec := decodeJSON[iamDoc](t, rec.Must(t, rtRolePolicy, "api-execution-policy").Str("policy"))
		require.Len(t, exec.Statement, 5)
		assert.Equal(t, []string{"kms:Decrypt"}, exec.Statement[4].Action)
		assert.Equal(t, []string{"arn:aws:kms:us-east-1:123456789012:key/1234"}, exec.Statement[4].Resource)
		assert.Equal(t, "secretsmanager.us-east-1.amazonaws.com", exec.Statement[4].Condition["StringEquals"]["kms:ViaService"])
		assert.Equal(t, []string{"arn:aws:ecr:us-east-1:123456789012:repository/shop"}, exec.Statement[1].Resource)
		assert.Equal(t, "Secrets", exec.Statement[3].Sid)
		assert.Equal(t, []string{"secretsmanager:GetSecretValue"}, exec.Statement[3].Action)
		assert.Equal(t, []string{testDbSecret, testCacheSecret}, exec.Statement[3].Resource, "exactly the listed secrets, JSON-key suffixes stripped")

		task := decodeJSON[iamDoc](t, rec.Must(t, rtRolePolicy, "api-task-policy").Str("policy"))
		require.Len(t, task.Statement, 2)
		assert.Equal(t, []string{"s3:GetObject", "s3:PutObject"}, task.Statement[0].Action)
		assert.Equal(t, []string{"arn:aws:s3:::media/*"}, task.Statement[0].Resource)
		assert.Equal(t, []string{"es:ESHttp*"}, task.Statement[1].Action)
		assert.Equal(t, rec.Must(t, rtRole, "api-task-role").Out("name").StringValue(), rec.Must(t, rtRolePolicy, "api-task-policy").Str("role"))
	})

	// A computed "*" escapes validation, so the policy document refuses it at deploy time.
	t.Run("a computed \"*\" resource with wildcard actions fails", func(t *testing.T) {
		t.Parallel()
		args := baseApiArgs()
		args.TaskPolicyStatements = []components.PolicyStatement{{
			Actions:   []string{"s3:*"},
			Resources: []pulumi.StringInput{pulumi.String("*").ToStringOutput()},
		}}
		_, err := newApiErr(args)
		require.Error(t, err)
		assert.Contains(t, err.Error(), `task policy: wildcard actions ["s3:*"] on resource "*"`)
	})
}
