package plan_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shopstack/shopstack/plan"
)

// A list-typed key reaches the program as JSON, the way the Pulumi CLI passes structured config.
func TestReadStackConfigPassesListsAsJSON(t *testing.T) {
	t.Parallel()
	sc, err := plan.ReadStackConfig(fakeRepo(t, "config:\n  aws:region: us-east-1\n"), "t")
	require.NoError(t, err)
	assert.Equal(t, "[]", sc.Values["shopstack:alarmEmails"], "the schema default")

	sc, err = plan.ReadStackConfig(fakeRepo(t, "config:\n  shopstack:alarmEmails:\n    - a@example.com\n    - b@example.com\n"), "t")
	require.NoError(t, err)
	assert.Equal(t, `["a@example.com","b@example.com"]`, sc.Values["shopstack:alarmEmails"])

	_, err = plan.ReadStackConfig(fakeRepo(t, "config:\n  shopstack:alarmEmails: a@example.com\n"), "t")
	assert.ErrorContains(t, err, "shopstack:alarmEmails: want a list")
}
