package components_test

import (
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shopstack/shopstack/components"
)

const testMasterSecret = "arn:aws:secretsmanager:us-east-1:123456789012:secret:rds!db-master-AbCdEf"

func initApiArgs() *components.ApiArgs {
	a := baseApiArgs()
	a.Environment = map[string]pulumi.StringInput{"DATABASE_URL": pulumi.String("postgres://shop_app@db:5432/shop")}
	a.Init = &components.ApiInitArgs{
		Command:     []string{"migrate"},
		Environment: map[string]pulumi.StringInput{"DATABASE_URL": pulumi.String("postgres://shop_admin@db:5432/shop")},
		Secrets:     map[string]pulumi.StringInput{"PGPASSWORD": pulumi.String(testMasterSecret + ":password::")},
	}
	return a
}

func TestApiInitContainer(t *testing.T) {
	t.Parallel()
	t.Run("runs first, hardened, with its own variables; the service waits for it to succeed", func(t *testing.T) {
		t.Parallel()
		rec := runApi(t, initApiArgs()).rec
		defs := decodeJSON[[]map[string]any](t, rec.Must(t, rtTaskDef, "api-task").Str("containerDefinitions"))
		require.Len(t, defs, 2)
		svc, init := defs[0], defs[1]
		assert.Equal(t, "app", svc["name"])
		assert.Equal(t, []any{map[string]any{"containerName": "init", "condition": "SUCCESS"}}, svc["dependsOn"])
		assert.Equal(t, "init", init["name"])
		assert.Equal(t, svc["image"], init["image"], "the same image")
		assert.Equal(t, false, init["essential"], "it exits; a task does not stop because it did")
		assert.Equal(t, []any{"migrate"}, init["command"])
		assert.Equal(t, "65532:65532", init["user"])
		assert.Equal(t, true, init["readonlyRootFilesystem"])
		assert.Equal(t, svc["linuxParameters"], init["linuxParameters"])
		assert.Equal(t, []any{map[string]any{"name": "DATABASE_URL", "value": "postgres://shop_admin@db:5432/shop"}}, init["environment"])
		assert.Equal(t, []any{map[string]any{"name": "PGPASSWORD", "valueFrom": testMasterSecret + ":password::"}}, init["secrets"])
		assert.Equal(t, []any{map[string]any{"name": "DATABASE_URL", "value": "postgres://shop_app@db:5432/shop"}}, svc["environment"])
		assert.Equal(t, []any{}, svc["secrets"], "the master secret never reaches the service's container")
		assert.Equal(t, "init", init["logConfiguration"].(map[string]any)["options"].(map[string]any)["awslogs-stream-prefix"])

		exec := decodeJSON[iamDoc](t, rec.Must(t, rtRolePolicy, "api-execution-policy").Str("policy"))
		var secrets []string
		for _, s := range exec.Statement {
			if s.Sid == "Secrets" {
				secrets = s.Resource
			}
		}
		assert.Equal(t, []string{testMasterSecret}, secrets, "the execution role reads the init container's secret for it")
	})

	t.Run("without Init: one container, nothing to wait for", func(t *testing.T) {
		t.Parallel()
		defs := decodeJSON[[]map[string]any](t, runApi(t, baseApiArgs()).rec.Must(t, rtTaskDef, "api-task").Str("containerDefinitions"))
		require.Len(t, defs, 1)
		assert.NotContains(t, defs[0], "dependsOn")
	})

	t.Run("a command is required and its variables are checked like the service's", func(t *testing.T) {
		t.Parallel()
		a := initApiArgs()
		a.Init.Command = nil
		a.Init.Environment["bad name"] = pulumi.String("x")
		a.Init.Secrets["DATABASE_URL"] = pulumi.String(testMasterSecret)
		_, err := newApiErr(a)
		require.Error(t, err)
		assert.ErrorContains(t, err, `ApiArgs.Init.Command: required`)
		assert.ErrorContains(t, err, `ApiArgs.Init.Environment: "bad name" is not an environment variable name`)
		assert.ErrorContains(t, err, `ApiArgs.Init.Environment["DATABASE_URL"]: also in Secrets`)
	})
}
