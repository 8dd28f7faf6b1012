package redis_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shopstack/shopstack/app/redis"
)

// The token is a SigV4 presigned "connect" for the cache and user, without its scheme, and its
// signature is the one the signer computes for exactly those parameters at its X-Amz-Date.
func TestIAMAuthTokenIsAPresignedConnect(t *testing.T) {
	t.Parallel()
	creds := credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "")
	for _, serverless := range []bool{false, true} {
		a := redis.IAMAuth{Region: "eu-west-1", CacheName: "shopstack-prod-data-cache", User: "shopstack-prod-data-cache-app",
			Serverless: serverless, Creds: creds}
		user, token, err := a.Credentials(context.Background())
		require.NoError(t, err)
		assert.Equal(t, a.User, user)
		require.True(t, strings.HasPrefix(token, "shopstack-prod-data-cache/?"), token)
		u, err := url.Parse("http://" + token)
		require.NoError(t, err)
		q := u.Query()
		assert.Equal(t, "connect", q.Get("Action"))
		assert.Equal(t, a.User, q.Get("User"))
		assert.Equal(t, serverless, q.Get("ResourceType") == "ServerlessCache")
		assert.Regexp(t, `^AKIDEXAMPLE/\d{8}/eu-west-1/elasticache/aws4_request$`, q.Get("X-Amz-Credential"))
		assert.Equal(t, "900", q.Get("X-Amz-Expires"))

		at, err := time.Parse("20060102T150405Z", q.Get("X-Amz-Date"))
		require.NoError(t, err)
		unsigned := url.Values{}
		for k, v := range q {
			if !strings.HasPrefix(k, "X-Amz-") || k == "X-Amz-Expires" {
				unsigned[k] = v
			}
		}
		req, err := http.NewRequest(http.MethodGet, "http://"+u.Host+"/?"+unsigned.Encode(), nil)
		require.NoError(t, err)
		c, err := creds.Retrieve(context.Background())
		require.NoError(t, err)
		again, _, err := v4.NewSigner().PresignHTTP(context.Background(), c, req,
			"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "elasticache", "eu-west-1", at)
		require.NoError(t, err)
		want, err := url.Parse(again)
		require.NoError(t, err)
		assert.Equal(t, want.Query().Get("X-Amz-Signature"), q.Get("X-Amz-Signature"))
	}
	_, err := redis.IAMAuth{Region: "eu-west-1", Creds: creds}.Token(context.Background())
	assert.ErrorContains(t, err, "cache name")
}
