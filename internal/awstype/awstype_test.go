package awstype_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shopstack/shopstack/internal/awstype"
)

// TestConstantsAreNamedAfterTheirToken keeps the naming rule of the package comment, so a reader can tell
// the constant of a token without looking it up, and no token is listed twice.
func TestConstantsAreNamedAfterTheirToken(t *testing.T) {
	t.Parallel()
	f, err := parser.ParseFile(token.NewFileSet(), "awstype.go", nil, 0)
	require.NoError(t, err)
	seen := map[string]string{}
	for _, decl := range f.Decls {
		gen, ok := decl.(*ast.GenDecl)
		if !ok || gen.Tok != token.CONST {
			continue
		}
		for _, spec := range gen.Specs {
			vs := spec.(*ast.ValueSpec)
			for i, name := range vs.Names {
				tok, err := strconv.Unquote(vs.Values[i].(*ast.BasicLit).Value)
				require.NoError(t, err)
				assert.Equal(t, nameOf(t, tok), name.Name, "constant for %s", tok)
				assert.NotContains(t, seen, tok, "%s is also %s", name.Name, seen[tok])
				seen[tok] = name.Name
			}
		}
	}
	assert.Greater(t, len(seen), 100)
}

func nameOf(t *testing.T, tok string) string {
	parts := strings.Split(tok, ":")
	require.Len(t, parts, 3, tok)
	provider, typ := parts[0], parts[2]
	module, _, _ := strings.Cut(parts[1], "/")
	title := func(s string) string { return strings.ToUpper(s[:1]) + s[1:] }
	switch provider {
	case "aws":
		return title(module) + typ
	case "awsx":
		return "Awsx" + title(module) + typ
	case "random":
		return typ
	}
	t.Fatalf("%s: no naming rule for provider %q", tok, provider)
	return ""
}

func TestAliasSetsAreDisjointAndCanonicalIsTheirFirstSpelling(t *testing.T) {
	t.Parallel()
	in := map[string]int{}
	for i, set := range awstype.AliasSets {
		require.GreaterOrEqual(t, len(set), 2, "set %d", i)
		for _, typ := range set {
			_, dup := in[typ]
			assert.False(t, dup, "%s is in two alias sets", typ)
			in[typ] = i
			assert.Equal(t, set[0], awstype.Canonical(typ))
		}
	}
	f, err := parser.ParseFile(token.NewFileSet(), "awstype.go", nil, 0)
	require.NoError(t, err)
	declared := 0
	for _, decl := range f.Decls {
		if gen, ok := decl.(*ast.GenDecl); ok && gen.Tok == token.VAR {
			for _, spec := range gen.Specs {
				for _, name := range spec.(*ast.ValueSpec).Names {
					if strings.HasPrefix(name.Name, "Any") {
						declared++
					}
				}
			}
		}
	}
	assert.Len(t, awstype.AliasSets, declared, "every Any* set is in AliasSets, so Canonical knows it")

	assert.Equal(t, awstype.LbLoadBalancer, awstype.Canonical(awstype.AlbLoadBalancer))
	assert.Equal(t, awstype.S3BucketV2, awstype.Canonical(awstype.S3Bucket))
	assert.Equal(t, awstype.Ec2Vpc, awstype.Canonical(awstype.Ec2Vpc), "a type without aliases is its own")
}
