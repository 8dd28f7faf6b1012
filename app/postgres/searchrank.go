package postgres

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
)

// This file is PostgreSQL's ts_rank (src/backend/utils/adt/tsrank.c, default weights, no
// normalization) over the in-process index's copy of search_vector, so SearchIndex ranks, and
// writes relevance cursors, exactly as the statement in search.go does. float32 where tsrank.c
// has float, float64 where it has double; every conversion is explicit, so the compiler cannot
// fuse operations that C rounds one at a time. TestSearchIndexAnswersAsPostgreSQL compares
// whole pages, scores included, with the SQL path.

// parsedLexeme is one entry of a tsvector: the lexeme and its positions, each a WordEntryPos
// (weight << 14 | position; weight 3 is A, 0 is D).
type parsedLexeme struct {
	lex string
	pos []uint16
}

// vecLexeme is an entry as the index keeps it: the lexeme's number (indexData.intern), its
// positions and its term of calc_rank_or's sum (orTerm).
type vecLexeme struct {
	id  int32
	or  float64
	pos []uint16
}

// parseTSVector reads a tsvector as PostgreSQL prints it: 'lexeme':1A,2B 'other':3 ... A
// quote inside a lexeme is doubled, a backslash escaped; weight D prints no letter. Entries
// come out in PostgreSQL's order (bytewise, shorter first), which is Go's string order.
func parseTSVector(s string) ([]parsedLexeme, error) {
	var out []parsedLexeme
	i := 0
	for {
		for i < len(s) && s[i] == ' ' {
			i++
		}
		if i == len(s) {
			return out, nil
		}
		if s[i] != '\'' {
			return nil, fmt.Errorf("tsvector: want a quote at byte %d of %q", i, s)
		}
		i++
		var lex strings.Builder
		for {
			if i == len(s) {
				return nil, fmt.Errorf("tsvector: unterminated lexeme in %q", s)
			}
			c := s[i]
			switch {
			case c == '\\' && i+1 < len(s):
				lex.WriteByte(s[i+1])
				i += 2
				continue
			case c == '\'' && i+1 < len(s) && s[i+1] == '\'':
				lex.WriteByte('\'')
				i += 2
				continue
			case c == '\'':
				i++
			default:
				lex.WriteByte(c)
				i++
				continue
			}
			break
		}
		e := parsedLexeme{lex: lex.String()}
		if i < len(s) && s[i] == ':' {
			i++
			for {
				j := i
				for j < len(s) && s[j] >= '0' && s[j] <= '9' {
					j++
				}
				n, err := strconv.Atoi(s[i:j])
				if err != nil || n < 1 || n > 0x3fff {
					return nil, fmt.Errorf("tsvector: bad position at byte %d of %q", i, s)
				}
				p := uint16(n)
				if j < len(s) {
					switch s[j] {
					case 'A':
						p |= 3 << 14
						j++
					case 'B':
						p |= 2 << 14
						j++
					case 'C':
						p |= 1 << 14
						j++
					case 'D':
						j++
					}
				}
				e.pos = append(e.pos, p)
				i = j
				if i < len(s) && s[i] == ',' {
					i++
					continue
				}
				break
			}
		}
		if len(out) > 0 && out[len(out)-1].lex >= e.lex {
			return nil, fmt.Errorf("tsvector: lexemes out of order in %q", s)
		}
		out = append(out, e)
	}
}

// rankWeights are ts_rank's default weights, by the position's weight: D, C, B, A.
var rankWeights = [4]float32{0.1, 0.2, 0.4, 1.0}

func wpos(p uint16) float32 { return rankWeights[p>>14] }

// rankItem is one operand of the tsquery: a lexeme, matched as a prefix or exactly.
type rankItem struct {
	lex    string
	prefix bool
}

// rankQuery is what ts_rank needs of the tsquery the statement ranks by (tsqueryOf(rankWords)):
// its operands sorted and de-duplicated by lexeme (SortAndUniqItems; after rankWords no two
// differ only in being a prefix), and whether the root is an AND (two words or more).
// masks[i] holds the numbers of the lexemes items[i] matches (indexData.rankQuery).
type rankQuery struct {
	items []rankItem
	and   bool
	masks []bitset
}

func newRankQuery(words []*resolvedWord) rankQuery {
	var q rankQuery
	terms := 0
	for _, w := range rankWords(words) {
		if w == nil {
			continue
		}
		terms++
		q.items = append(q.items, rankItem{lex: w.stem, prefix: true})
		for _, a := range w.alts {
			q.items = append(q.items, rankItem{lex: a})
		}
	}
	sort.SliceStable(q.items, func(i, j int) bool { return q.items[i].lex < q.items[j].lex })
	uniq := q.items[:0]
	for _, it := range q.items {
		if len(uniq) == 0 || uniq[len(uniq)-1].lex != it.lex {
			uniq = append(uniq, it)
		}
	}
	q.items = uniq
	q.and = terms >= 2
	return q
}

// tsRank is ts_rank(vector, query)::float8. vec's entries are in tsvector order, so the entries
// an item matches come in find_wordentry's order.
func tsRank(vec []vecLexeme, q rankQuery) float64 {
	if len(vec) == 0 || len(q.items) == 0 {
		return 0
	}
	var res float32
	if q.and {
		res = rankAnd(vec, q.masks)
	} else {
		res = rankOr(vec, q.masks)
	}
	if res < 0 {
		res = 1e-20
	}
	return float64(res)
}

// orTerm is one entry's term of calc_rank_or's sum, from its positions.
func orTerm(pos []uint16) float64 {
	var resj float32
	wjm := float32(-1)
	jm := 0
	for j, p := range pos {
		resj = float32(resj + float32(wpos(p)/float32((j+1)*(j+1))))
		if wpos(p) > wjm {
			wjm = wpos(p)
			jm = j
		}
	}
	sum := float32(wjm + resj)
	v := float32(sum - float32(wjm/float32((jm+1)*(jm+1))))
	return float64(v) / 1.64493406685
}

// rankOr is calc_rank_or.
func rankOr(vec []vecLexeme, masks []bitset) float32 {
	var res float32
	for _, m := range masks {
		for i := range vec {
			if m.has(vec[i].id) {
				res = float32(float64(res) + vec[i].or)
			}
		}
	}
	if len(masks) > 0 {
		res = float32(res / float32(len(masks)))
	}
	return res
}

// rankAnd is calc_rank_and: every pair of positions of two different operands, weighted by
// their distance. Like tsrank.c, an operand with several matching lexemes (a prefix) is paired
// with the later operands through its last lexeme only.
func rankAnd(vec []vecLexeme, masks []bitset) float32 {
	if len(masks) < 2 {
		return rankOr(vec, masks)
	}
	res := float32(-1)
	var posBuf [8][]uint16
	pos := posBuf[:0]
	if len(masks) > len(posBuf) {
		pos = make([][]uint16, 0, len(masks))
	}
	pos = pos[:len(masks)]
	for i, m := range masks {
		for _, e := range vec {
			if !m.has(e.id) {
				continue
			}
			pos[i] = e.pos
			for k := 0; k < i; k++ {
				if pos[k] == nil {
					continue
				}
				for _, pl := range e.pos {
					for _, pp := range pos[k] {
						dist := int(pl&0x3fff) - int(pp&0x3fff)
						if dist < 0 {
							dist = -dist
						}
						if dist == 0 { // every lexeme here has positions (tsrank.c's POSNULL case)
							continue
						}
						w := float32(float32(wpos(pl)*wpos(pp)) * wordDistance(dist))
						curw := float32(math.Sqrt(float64(w)))
						if res < 0 {
							res = curw
						} else {
							keep := float64((1.0 - float64(res)) * (1.0 - float64(curw)))
							res = float32(1.0 - keep)
						}
					}
				}
			}
		}
	}
	return res
}

// wordDistance is tsrank.c's word_distance (PostgreSQL 15: a float4), from a table.
func wordDistance(d int) float32 {
	if d > 100 {
		return 1e-30
	}
	return wordDistances[d]
}

var wordDistances = func() (t [101]float32) {
	for d := range t {
		e := math.Exp(float64(float32(d))/1.5 - 2)
		t[d] = float32(1.0 / float64(1.005+float64(0.05*e)))
	}
	return t
}()
