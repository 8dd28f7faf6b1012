package redis

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// iamTokenLifetime is how long an ElastiCache IAM token is valid, the most ElastiCache accepts.
// A token is checked only when a connection authenticates, so a connection outlives it; a new
// connection gets a new token.
const iamTokenLifetime = 15 * time.Minute

// emptyPayloadHash is the SHA-256 of an empty body, which a presigned GET signs.
var emptyPayloadHash = func() string { h := sha256.Sum256(nil); return hex.EncodeToString(h[:]) }()

// IAMAuth is ElastiCache IAM authentication (Valkey 7.2+, Redis OSS 7+): the password of every
// new connection is a SigV4-presigned "connect" request for the cache and user, signed locally
// with creds (no call to AWS), as AWS documents for the service name "elasticache". cacheName
// is the replication group id or serverless cache name; serverless caches sign with
// ResourceType=ServerlessCache.
type IAMAuth struct {
	Region     string
	CacheName  string
	User       string
	Serverless bool
	Creds      aws.CredentialsProvider
}

// Credentials returns the user and a fresh token; it is Config.Credentials.
func (a IAMAuth) Credentials(ctx context.Context) (string, string, error) {
	token, err := a.Token(ctx)
	return a.User, token, err
}

// Token signs one token.
func (a IAMAuth) Token(ctx context.Context) (string, error) {
	if a.Region == "" || a.CacheName == "" || a.User == "" || a.Creds == nil {
		return "", errors.New("elasticache iam auth: region, cache name, user and credentials are required")
	}
	q := url.Values{"Action": {"connect"}, "User": {a.User}}
	if a.Serverless {
		q.Set("ResourceType", "ServerlessCache")
	}
	q.Set("X-Amz-Expires", fmt.Sprint(int(iamTokenLifetime.Seconds())))
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+a.CacheName+"/?"+q.Encode(), nil)
	if err != nil {
		return "", fmt.Errorf("elasticache iam auth: %w", err)
	}
	creds, err := a.Creds.Retrieve(ctx)
	if err != nil {
		return "", fmt.Errorf("elasticache iam auth: credentials: %w", err)
	}
	signed, _, err := v4.NewSigner().PresignHTTP(ctx, creds, req, emptyPayloadHash, "elasticache", a.Region, time.Now())
	if err != nil {
		return "", fmt.Errorf("elasticache iam auth: sign: %w", err)
	}
	return strings.TrimPrefix(signed, "http://"), nil
}
