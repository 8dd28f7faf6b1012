package main

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/protobuf/types/known/emptypb"
)

// servePackEnv makes the test binary run the pack's main, as the CLI runs the
// built pack: it prints the port of its analyzer gRPC server and serves.
const servePackEnv = "SHOPSTACK_SERVE_POLICY_PACK"

func TestMain(m *testing.M) {
	if os.Getenv(servePackEnv) == "1" {
		main()
		return
	}
	os.Exit(m.Run())
}

// TestAnalyzerProtocol starts the pack as a plugin process and talks to it the
// way the engine does: handshake, configure the stack, list the policies,
// analyze resources.
func TestAnalyzerProtocol(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), servePackEnv+"=1")
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	require.NoError(t, err)
	port, err := strconv.Atoi(strings.TrimSpace(line))
	require.NoError(t, err, "the pack must print its port first, got %q", line)

	conn, err := grpc.NewClient("127.0.0.1:"+strconv.Itoa(port), grpc.WithTransportCredentials(insecure.NewCredentials()))
	require.NoError(t, err)
	t.Cleanup(func() { _ = conn.Close() })
	client := pulumirpc.NewAnalyzerClient(conn)

	root := "."
	_, err = client.Handshake(ctx, &pulumirpc.AnalyzerHandshakeRequest{RootDirectory: &root, ProgramDirectory: &root})
	require.NoError(t, err)
	_, err = client.ConfigureStack(ctx, &pulumirpc.AnalyzerStackConfigureRequest{
		Stack: "prod", Project: "shopstack", DryRun: true,
		Config: map[string]string{"shopstack:protectStateful": "true"},
	})
	require.NoError(t, err)

	info, err := client.GetAnalyzerInfo(ctx, &emptypb.Empty{})
	require.NoError(t, err)
	assert.Equal(t, "shopstack", info.GetName())
	levels := map[string]pulumirpc.EnforcementLevel{}
	for _, p := range info.GetPolicies() {
		levels[p.GetName()] = p.GetEnforcementLevel()
	}
	assert.Equal(t, pulumirpc.EnforcementLevel_MANDATORY, levels["rds-deletion-protection"], "production grade from the stack config")
	assert.Equal(t, pulumirpc.EnforcementLevel_ADVISORY, levels[advisoryPolicy])

	analyze := func(typ, name string, in map[string]any) []*pulumirpc.AnalyzeDiagnostic {
		t.Helper()
		props, err := plugin.MarshalProperties(resource.NewPropertyMapFromMap(in), plugin.MarshalOptions{
			KeepUnknowns: true, KeepSecrets: true,
		})
		require.NoError(t, err)
		resp, err := client.Analyze(ctx, &pulumirpc.AnalyzeRequest{
			Type: typ, Name: name, Urn: "urn:pulumi:prod::shopstack::" + typ + "::" + name, Properties: props,
		})
		require.NoError(t, err)
		return resp.GetDiagnostics()
	}

	bad := analyze("aws:rds/instance:Instance", "db", map[string]any{
		"engine": "postgres", "storageEncrypted": false, "password": "hunter2hunter2",
	})
	byPolicy := map[string]*pulumirpc.AnalyzeDiagnostic{}
	for _, d := range bad {
		byPolicy[d.GetPolicyName()] = d
	}
	require.Contains(t, byPolicy, "rds-storage-encrypted")
	assert.Equal(t, pulumirpc.EnforcementLevel_MANDATORY, byPolicy["rds-storage-encrypted"].GetEnforcementLevel())
	assert.Contains(t, byPolicy["rds-storage-encrypted"].GetMessage(), "storageEncrypted is false")
	assert.Contains(t, byPolicy, "rds-no-plain-password")
	assert.Contains(t, byPolicy, "rds-deletion-protection")

	good := analyze("aws:lb/loadBalancer:LoadBalancer", "api", map[string]any{
		"dropInvalidHeaderFields": true, "enableDeletionProtection": true,
		"accessLogs": map[string]any{"bucket": "logs", "enabled": true},
	})
	assert.Empty(t, good)

	unknown := analyze("aws:cloudfront/distribution:Distribution", "cdn", map[string]any{
		"defaultRootObject": resource.MakeComputed(resource.NewProperty("")),
	})
	cannotEvaluate := 0
	for _, d := range unknown {
		if strings.Contains(d.GetMessage(), "cannot evaluate") {
			cannotEvaluate++
			assert.Equal(t, advisoryPolicy, d.GetPolicyName())
			assert.Equal(t, pulumirpc.EnforcementLevel_ADVISORY, d.GetEnforcementLevel())
		}
	}
	assert.NotZero(t, cannotEvaluate, "%v", unknown)
}
