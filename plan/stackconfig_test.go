package plan_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shopstack/shopstack/plan"
)

const repoRoot = ".."

// fakeRepo is a directory with the real Pulumi.yaml and the given stack file.
func fakeRepo(t *testing.T, stackFile string) string {
	t.Helper()
	dir := t.TempDir()
	proj, err := os.ReadFile(filepath.Join(repoRoot, "Pulumi.yaml"))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "Pulumi.yaml"), proj, 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "Pulumi.t.yaml"), []byte(stackFile), 0o600))
	return dir
}

func TestReadStackConfigAppliesSchemaDefaults(t *testing.T) {
	t.Parallel()
	proj, err := plan.ReadProject(repoRoot)
	require.NoError(t, err)
	sc, err := plan.ReadStackConfig(fakeRepo(t, "config:\n  aws:region: eu-west-1\n  shopstack:cacheNodes: 3\n"), "t")
	require.NoError(t, err)
	assert.Equal(t, "eu-west-1", sc.Values["aws:region"])
	assert.Equal(t, "3", sc.Values["shopstack:cacheNodes"], "the stack value wins")
	for key, s := range proj.Config {
		if s.Default == nil {
			assert.NotContains(t, sc.Values, "shopstack:"+key)
			continue
		}
		if key != "cacheNodes" {
			assert.Contains(t, sc.Values, "shopstack:"+key, "default of %s applied", key)
		}
	}
	assert.Equal(t, "10.0.0.0/16", sc.Values["shopstack:vpcCidr"])
	assert.Equal(t, "true", sc.Values["shopstack:protectStateful"])
	assert.Empty(t, sc.SecretKeys)
}

func TestReadStackConfigRejectsBadValues(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, file, wantErr string
	}{
		{"integer given a string", "config:\n  shopstack:apiCpu: lots\n", `Pulumi.t.yaml: shopstack:apiCpu: want an integer, got string "lots"`},
		{"boolean given a string", "config:\n  shopstack:wafEnabled: \"yes\"\n", `Pulumi.t.yaml: shopstack:wafEnabled: want a boolean, got string "yes"`},
		{"string given a number", "config:\n  shopstack:natStrategy: 2\n", `Pulumi.t.yaml: shopstack:natStrategy: want a string, got int 2`},
		{"undeclared key", "config:\n  shopstack:natStrategyy: none\n", `Pulumi.t.yaml: shopstack:natStrategyy: not declared in Pulumi.yaml's config schema`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := plan.ReadStackConfig(fakeRepo(t, tc.file), "t")
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.wantErr)
		})
	}
}

func TestReadStackConfigKeepsEncryptedValuesSecret(t *testing.T) {
	t.Parallel()
	sc, err := plan.ReadStackConfig(fakeRepo(t, "config:\n  shopstack:adminPassword:\n    secure: AAABAKx0ZXN0\n"), "t")
	require.NoError(t, err)
	assert.Equal(t, []string{"shopstack:adminPassword"}, sc.SecretKeys)
	assert.NotContains(t, sc.Values["shopstack:adminPassword"], "AAABAKx0ZXN0", "ciphertext is never passed on")
}

func TestReadStackConfigMissingStack(t *testing.T) {
	t.Parallel()
	_, err := plan.ReadStackConfig(repoRoot, "nosuchstack")
	require.ErrorContains(t, err, `stack "nosuchstack"`)
}

func TestStacksAreDevLiteAndProd(t *testing.T) {
	t.Parallel()
	stacks, err := plan.Stacks(repoRoot)
	require.NoError(t, err)
	assert.Equal(t, []string{"dev", "lite", "prod"}, stacks)
}
