// Package s3test runs the S3 stand-in for tests: versitygw, Versity's S3 gateway over a POSIX
// directory, which checks SigV4 signatures (presigned URLs included) and conditional writes.
// It is built once into the test-binary cache by internal/testbin.
package s3test

import (
	"bytes"
	"context"
	"net"
	"os/exec"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/shopstack/shopstack/internal/testbin"
)

// Versitygw is the stand-in's build.
var Versitygw = testbin.Tool{Name: "versitygw", Package: "github.com/versity/versitygw/cmd/versitygw@v1.8.0"}

// The stand-in's credentials and its one bucket.
const (
	Access = "shoptestaccess"
	Secret = "shoptestsecret0123456789"
	Bucket = "shop-media-test"
)

// Server is one running stand-in.
type Server struct {
	// Endpoint is its http:// base URL (path-style addressing).
	Endpoint string
	// Client is an S3 client for it, signed with Access and Secret.
	Client *s3.Client
}

// Env is what a process needs to reach the server through the AWS SDK's default chain, with
// Bucket as its media bucket.
func (s *Server) Env() []string {
	return []string{"AWS_ENDPOINT_URL_S3=" + s.Endpoint, "AWS_ACCESS_KEY_ID=" + Access,
		"AWS_SECRET_ACCESS_KEY=" + Secret, "AWS_REGION=us-east-1", "SHOP_MEDIA_BUCKET=" + Bucket}
}

// Start runs the stand-in on a free loopback port for the test, with Bucket created; it is
// killed when the test ends.
func Start(t *testing.T) *Server {
	t.Helper()
	bin := testbin.Path(t, Versitygw)
	ctx, stop := context.WithCancel(context.Background())
	t.Cleanup(stop)
	l, err := (&net.ListenConfig{}).Listen(ctx, "tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(ctx, bin, "--access", Access, "--secret", Secret, "--port", addr, "posix", t.TempDir()) //nolint:gosec // testbin's own build of versitygw
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		c, err := (&net.Dialer{Timeout: 200 * time.Millisecond}).DialContext(ctx, "tcp", addr)
		if err == nil {
			_ = c.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("versitygw did not listen on %s within 15 s:\n%s", addr, out.String())
		}
	}
	s := &Server{Endpoint: "http://" + addr}
	s.Client = s3.NewFromConfig(aws.Config{
		Region:      "us-east-1",
		Credentials: credentials.NewStaticCredentialsProvider(Access, Secret, ""),
	}, func(o *s3.Options) {
		o.BaseEndpoint = aws.String(s.Endpoint)
		o.UsePathStyle = true
	})
	if _, err := s.Client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(Bucket)}); err != nil {
		t.Fatal(err)
	}
	return s
}
