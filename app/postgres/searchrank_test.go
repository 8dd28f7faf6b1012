package postgres

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shopstack/shopstack/internal/pgtest"
)

func connectForRank(t *testing.T) *pgx.Conn {
	t.Helper()
	ctx := context.Background()
	c, err := pgx.Connect(ctx, pgtest.NewDatabase(t))
	require.NoError(t, err)
	t.Cleanup(func() { c.Close(ctx) })
	return c
}

// TestParseTSVectorReadsPostgreSQLsOutput: what parseTSVector reads of a tsvector's text is
// what unnest(tsvector) returns, for quotes, backslashes, non-ASCII lexemes, every weight and
// the largest position.
func TestParseTSVectorReadsPostgreSQLsOutput(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c := connectForRank(t)
	for _, expr := range []string{
		`setweight(to_tsvector('english', 'Red T-Shirt 350 ml'), 'A') || setweight(to_tsvector('english', 'A blue t-shirt, soft cotton tee.'), 'B')`,
		`to_tsvector('simple', $$it's O'Reilly's back\slash \\ "quoted" ünïcödé 東京$$)`,
		`$$'it''s':1A 'back\\slash':2,3C 'x':5D 'y':7B,16383 'z'$$::tsvector`,
		`setweight(to_tsvector('simple', 'a b c'), 'C') || to_tsvector('simple', 'd e')`,
		`''::tsvector`,
	} {
		var text string
		require.NoError(t, c.QueryRow(ctx, "SELECT ("+expr+")::text").Scan(&text), expr)
		rows, err := c.Query(ctx, "SELECT lexeme, coalesce(positions, '{}'), coalesce(weights, '{}') FROM unnest("+expr+")")
		require.NoError(t, err, expr)
		want := []parsedLexeme{}
		var lex string
		var positions []int16
		var weights []string
		_, err = pgx.ForEachRow(rows, []any{&lex, &positions, &weights}, func() error {
			e := parsedLexeme{lex: lex}
			for i, p := range positions {
				w := map[string]uint16{"A": 3, "B": 2, "C": 1, "D": 0}[weights[i]]
				e.pos = append(e.pos, uint16(p)|w<<14)
			}
			want = append(want, e)
			return nil
		})
		require.NoError(t, err)
		got, err := parseTSVector(text)
		require.NoError(t, err, text)
		if got == nil {
			got = []parsedLexeme{}
		}
		assert.Equal(t, want, got, "%s printed as %s", expr, text)
	}
	for _, bad := range []string{"'unterminated", "word", "'a':0", "'a':x", "'b' 'a'"} {
		_, err := parseTSVector(bad)
		assert.Error(t, err, bad)
	}
}

// TestTSRankIsPostgreSQLs: tsRank gives ts_rank's float4, bit for bit, for 3,000 pairs of a
// search_vector-like tsvector and a query as the statement ranks by it (tsqueryOf(rankWords)):
// one to three words, each a prefix (which may begin several of the vector's lexemes) with up
// to three alternatives, some of them another word's stem.
func TestTSRankIsPostgreSQLs(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c := connectForRank(t)
	words := []string{"cotton", "copper", "cork", "cotton", "steel", "stool", "mug", "mugs", "kettle", "knife",
		"board", "boot", "lamp", "light", "soft", "sock", "shirt", "shirts", "t-shirt", "runs", "running", "runner",
		"blue", "black", "classic", "compact", "deluxe", "wool", "wooden", "oak", "pan", "pans", "pot"}
	rng := rand.New(rand.NewPCG(11, 12))
	sentence := func(n int) string {
		s := make([]string, n)
		for i := range s {
			s[i] = words[rng.IntN(len(words))]
		}
		return strings.Join(s, " ")
	}
	const n = 3000
	var names, descs []string
	for range n {
		names = append(names, sentence(1+rng.IntN(4)))
		descs = append(descs, sentence(rng.IntN(12)))
	}
	rows, err := c.Query(ctx, `SELECT (setweight(to_tsvector('english', name), 'A') || setweight(to_tsvector('english', d), 'B'))::text
		FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS u(name, d, i) ORDER BY i`, names, descs)
	require.NoError(t, err)
	vectors, err := pgx.CollectRows(rows, pgx.RowTo[string])
	require.NoError(t, err)
	d := newIndexData()
	var lexemes []string
	vecs := make([][]vecLexeme, n)
	for i, text := range vectors {
		parsed, err := parseTSVector(text)
		require.NoError(t, err)
		for _, e := range parsed {
			if _, ok := d.lexID[e.lex]; !ok {
				lexemes = append(lexemes, e.lex)
			}
			vecs[i] = append(vecs[i], vecLexeme{id: d.intern(e.lex), or: orTerm(e.pos), pos: e.pos})
		}
	}
	d.finish()
	require.NotEmpty(t, lexemes)
	var queries []string
	var ours []float64
	for i := range n {
		var q []*resolvedWord
		for range 1 + rng.IntN(3) {
			l := lexemes[rng.IntN(len(lexemes))]
			w := &resolvedWord{stem: l[:1+rng.IntN(len(l))]}
			for range rng.IntN(4) {
				w.alts = append(w.alts, lexemes[rng.IntN(len(lexemes))])
			}
			q = append(q, w)
		}
		rq := newRankQuery(q)
		for _, it := range rq.items {
			m, _ := d.lexemesOf(it)
			rq.masks = append(rq.masks, m)
		}
		queries = append(queries, tsqueryOf(rankWords(q)))
		ours = append(ours, tsRank(vecs[i], rq))
	}
	rows, err = c.Query(ctx, `SELECT ts_rank(v::tsvector, q::tsquery)::float8
		FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS u(v, q, i) ORDER BY i`, vectors, queries)
	require.NoError(t, err)
	theirs, err := pgx.CollectRows(rows, pgx.RowTo[float64])
	require.NoError(t, err)
	differ := 0
	for i := range n {
		if math.Float64bits(ours[i]) != math.Float64bits(theirs[i]) {
			differ++
			if differ <= 5 {
				t.Errorf("ts_rank(%s, %s) = %v, tsRank gives %v", vectors[i], queries[i], theirs[i], ours[i])
			}
		}
	}
	assert.Zero(t, differ, fmt.Sprintf("%d of %d ranks differ", differ, n))
}
