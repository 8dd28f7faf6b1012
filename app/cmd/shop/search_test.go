package main

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shopstack/shopstack/app/shop"
)

func TestLoadSearchConfig(t *testing.T) {
	env := func(kv ...string) func(string) string {
		m := map[string]string{}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return func(k string) string { return m[k] }
	}
	c, err := loadSearchConfig(env())
	require.NoError(t, err)
	assert.Equal(t, searchConfig{Index: "products"}, c, "unset: PostgreSQL search")

	c, err = loadSearchConfig(env("SHOP_SEARCH_URL", "https://search-shop.eu-west-1.es.amazonaws.com",
		"SHOP_SEARCH_ROLE_ARN", "arn:aws:iam::123456789012:role/shop-search", "AWS_REGION", "eu-west-1", "SHOP_SEARCH_INDEX", "catalog"))
	require.NoError(t, err)
	assert.Equal(t, searchConfig{URL: "https://search-shop.eu-west-1.es.amazonaws.com",
		RoleARN: "arn:aws:iam::123456789012:role/shop-search", Index: "catalog", Region: "eu-west-1"}, c)

	c, err = loadSearchConfig(env("SHOP_SEARCH_MEMORY", "true"))
	require.NoError(t, err)
	assert.Equal(t, searchConfig{Index: "products", Memory: true}, c, "PostgreSQL search from the in-process copy")

	for want, e := range map[string][]string{
		`SHOP_SEARCH_MEMORY="yes": want true or false`:        {"SHOP_SEARCH_MEMORY", "yes"},
		"SHOP_SEARCH_MEMORY=true is PostgreSQL search":        {"SHOP_SEARCH_MEMORY", "true", "SHOP_SEARCH_URL", "https://s"},
		"SHOP_SEARCH_ROLE_ARN is set without SHOP_SEARCH_URL": {"SHOP_SEARCH_ROLE_ARN", "arn:aws:iam::1:role/r"},
		`SHOP_SEARCH_URL="search:9200": want https://`:        {"SHOP_SEARCH_URL", "search:9200"},
		"no credentials in it":                                {"SHOP_SEARCH_URL", "https://admin:pw@search:9200"},
		`SHOP_SEARCH_ROLE_ARN="shop-search": want a role ARN`: {"SHOP_SEARCH_URL", "https://s", "SHOP_SEARCH_ROLE_ARN", "shop-search", "AWS_REGION", "eu-west-1"},
		"SHOP_SEARCH_ROLE_ARN needs AWS_REGION":               {"SHOP_SEARCH_URL", "https://s", "SHOP_SEARCH_ROLE_ARN", "arn:aws:iam::1:role/r"},
		`SHOP_SEARCH_INDEX="Products"`:                        {"SHOP_SEARCH_INDEX", "Products"},
	} {
		_, err := loadSearchConfig(env(e...))
		require.Error(t, err, want)
		assert.Contains(t, err.Error(), want)
	}
}

// stsAssumeRoleResponse is AssumeRole's answer as the STS API reference documents it.
const stsAssumeRoleResponse = `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleResult>
    <Credentials>
      <AccessKeyId>ASIAROLEKEY</AccessKeyId>
      <SecretAccessKey>rolesecret</SecretAccessKey>
      <SessionToken>rolesessiontoken</SessionToken>
      <Expiration>2099-01-01T00:00:00Z</Expiration>
    </Credentials>
    <AssumedRoleUser>
      <Arn>arn:aws:sts::123456789012:assumed-role/shop-search/shop-search</Arn>
      <AssumedRoleId>AROAEXAMPLE:shop-search</AssumedRoleId>
    </AssumedRoleUser>
  </AssumeRoleResult>
  <ResponseMetadata><RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId></ResponseMetadata>
</AssumeRoleResponse>`

// TestSearchRequestsAreSignedUnderTheRole: the base credentials (static, from the environment)
// sign one STS AssumeRole for SHOP_SEARCH_ROLE_ARN; the search request is then SigV4-signed for
// service "es" with the role's temporary credentials. A fake STS and a fake cluster on one
// httptest.Server; it proves the wiring and the signature's scope, not that AWS accepts it.
func TestSearchRequestsAreSignedUnderTheRole(t *testing.T) {
	var mu sync.Mutex
	var sts url.Values
	var search http.Header
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		body, _ := io.ReadAll(r.Body)
		if r.URL.Path == "/products/_search" {
			search = r.Header.Clone()
			_, _ = io.WriteString(w, `{"hits": {"total": {"value": 0, "relation": "eq"}, "hits": []}, "aggregations": {}}`)
			return
		}
		sts, _ = url.ParseQuery(string(body))
		assert.Contains(t, r.Header.Get("Authorization"), "Credential=AKIDBASE/", "AssumeRole is signed with the base credentials")
		w.Header().Set("Content-Type", "text/xml")
		_, _ = io.WriteString(w, stsAssumeRoleResponse)
	}))
	defer srv.Close()
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDBASE")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "basesecret")
	t.Setenv("AWS_SESSION_TOKEN", "")
	t.Setenv("AWS_CONFIG_FILE", t.TempDir()+"/none")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", t.TempDir()+"/none")
	t.Setenv("AWS_ENDPOINT_URL_STS", srv.URL)

	c, err := newSearchClient(context.Background(), searchConfig{URL: srv.URL, Index: "products",
		RoleARN: "arn:aws:iam::123456789012:role/shop-search", Region: "eu-west-1"})
	require.NoError(t, err)
	page, err := c.SearchProducts(context.Background(), shop.ProductQuery{Sort: shop.SortName, Limit: 20})
	require.NoError(t, err)
	assert.Equal(t, 0, page.Total)

	mu.Lock()
	defer mu.Unlock()
	assert.Equal(t, "AssumeRole", sts.Get("Action"))
	assert.Equal(t, "arn:aws:iam::123456789012:role/shop-search", sts.Get("RoleArn"))
	assert.Equal(t, "shop-search", sts.Get("RoleSessionName"))
	require.NotNil(t, search, "the search reached the cluster")
	auth := search.Get("Authorization")
	assert.True(t, strings.HasPrefix(auth, "AWS4-HMAC-SHA256 Credential=ASIAROLEKEY/"), auth)
	assert.Contains(t, auth, "/eu-west-1/es/aws4_request", "scope: the region and service es")
	assert.Equal(t, "rolesessiontoken", search.Get("X-Amz-Security-Token"))
	assert.NotEmpty(t, search.Get("X-Amz-Content-Sha256"), "the body's hash is signed")
}
