package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/shopstack/shopstack/app/httpapi"
	"github.com/shopstack/shopstack/app/shop"
)

// line is one order line, in the JSON shape of POST /api/orders.
type line struct {
	ProductID string `json:"product_id"`
	Quantity  int    `json:"quantity"`
}

// request is one logical order: one Idempotency-Key and one body, sent until it is answered.
type request struct {
	UserID string
	Key    string
	Lines  []line

	client *http.Client
	body   []byte

	Attempts int
	// Status is the first answer: 201, 409, or a status the drill does not expect; 0 while
	// the request has had no answer (no response, a timeout or a 5xx).
	Status int
	// OrderIDs holds the order id of every 201 answer, in the order they came.
	OrderIDs []string
	// Problems are answers that contradict the request or an earlier answer.
	Problems []string
}

// answer is what one HTTP attempt brought back.
type answer struct {
	Status   int    // 0: no answer
	Kind     string // the tally label: "201", "409", "500", "timeout", ...
	Code     string
	OrderID  string
	Replayed bool
	Problem  string
}

func (r *request) record(a answer) {
	r.Attempts++
	if a.Status == 0 {
		return
	}
	if a.Problem != "" {
		r.Problems = append(r.Problems, a.Problem)
	}
	if r.Status == 0 {
		r.Status = a.Status
	} else if r.Status != a.Status {
		r.Problems = append(r.Problems, fmt.Sprintf("answered %d, later %d", r.Status, a.Status))
	}
	if a.OrderID != "" {
		r.OrderIDs = append(r.OrderIDs, a.OrderID)
	}
}

// newRequest makes a random order: usually the hot product, sometimes cold ones with it.
//
// In the flash-sale round every order wants the flash product alone, one or two of it.
func (d *drill) newRequest(round, acct int) *request {
	var lines []line
	for _, p := range d.products {
		switch {
		case p.Flash:
			if round == flashRound {
				lines = append(lines, line{p.ID, 1 + roll(2)})
			}
		case round == flashRound:
		case p.Hot && roll(5) < 4:
			lines = append(lines, line{p.ID, 1 + roll(3)})
		case !p.Hot && roll(5) == 0:
			lines = append(lines, line{p.ID, 1 + roll(5)})
		}
	}
	if len(lines) == 0 {
		lines = append(lines, line{d.products[0].ID, 1})
	}
	body, _ := json.Marshal(map[string][]line{"items": lines}) // cannot fail for these types
	a := d.accounts[acct]
	r := &request{UserID: a.UserID, Lines: lines, client: a.client, body: body}
	d.mu.Lock()
	r.Key = fmt.Sprintf("drill-%d-%d", round, len(d.requests))
	d.requests = append(d.requests, r)
	d.mu.Unlock()
	return r
}

// roll is a number in [0, n) for the workload's mix.
func roll(n int) int { return rand.IntN(n) } //nolint:gosec // the mix of a test workload, not a secret

// send places the order once, like an API client: JSON body, session cookie, Idempotency-Key,
// no Origin or Sec-Fetch-Site.
func (d *drill) send(ctx context.Context, r *request) answer {
	// The URL is the loopback address the drill started the service on.
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.svc.url("/api/orders"), bytes.NewReader(r.body)) //nolint:gosec // see above
	if err != nil {
		return answer{Kind: "request: " + err.Error()}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", r.Key)
	res, err := r.client.Do(req) //nolint:gosec // see above
	if err != nil {
		return answer{Kind: transportKind(err)}
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		return answer{Kind: transportKind(err)}
	}
	if res.StatusCode >= 500 {
		return answer{Kind: strconv.Itoa(res.StatusCode)}
	}
	a := answer{Status: res.StatusCode, Kind: strconv.Itoa(res.StatusCode), Replayed: res.Header.Get("Idempotent-Replayed") == "true"}
	switch res.StatusCode {
	case http.StatusCreated:
		var o shop.Order
		if err := json.Unmarshal(body, &o); err != nil || o.ID == "" {
			a.Problem = "201 without an order: " + string(body)
		} else {
			a.OrderID, a.Problem = o.ID, itemsProblem(o, r.Lines)
		}
	default:
		var e httpapi.ErrorBody
		_ = json.Unmarshal(body, &e)
		a.Code = e.Error.Code
		if res.StatusCode != http.StatusConflict || a.Code != string(shop.CodeInsufficientStock) {
			a.Problem = fmt.Sprintf("unexpected answer %d %s", res.StatusCode, a.Code)
		}
	}
	if a.Replayed {
		a.Kind += " replayed"
	}
	return a
}

// itemsProblem says how an order differs from the lines asked for, or "".
func itemsProblem(o shop.Order, want []line) string {
	got := make([]line, 0, len(o.Items))
	for _, it := range o.Items {
		got = append(got, line{it.ProductID, it.Quantity})
	}
	if !sameLines(got, want) {
		return fmt.Sprintf("order %s holds %v, asked for %v", o.ID, got, want)
	}
	return ""
}

func sameLines(a, b []line) bool {
	cmp := func(x, y line) int { return strings.Compare(x.ProductID, y.ProductID) }
	a, b = slices.Clone(a), slices.Clone(b)
	slices.SortFunc(a, cmp)
	slices.SortFunc(b, cmp)
	return slices.Equal(a, b)
}

func transportKind(err error) string {
	var ne net.Error
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()) {
		return "timeout"
	}
	return "connection error"
}

// tally counts attempts by outcome.
type tally struct {
	mu     sync.Mutex
	counts map[string]int
}

func (t *tally) add(kind string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.counts == nil {
		t.counts = map[string]int{}
	}
	t.counts[kind]++
}

func (t *tally) total() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	n := 0
	for _, c := range t.counts {
		n += c
	}
	return n
}

// String lists the answers first, then the attempts that got none.
func (t *tally) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	var answered, none []string
	for k, c := range t.counts {
		s := fmt.Sprintf("%s ×%d", k, c)
		if k[0] >= '1' && k[0] <= '4' {
			answered = append(answered, s)
		} else {
			none = append(none, s)
		}
	}
	slices.Sort(answered)
	slices.Sort(none)
	return "answered: " + orNone(answered) + "; no answer: " + orNone(none)
}

func orNone(s []string) string {
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, ", ")
}

// pause waits d or until ctx ends.
func pause(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}
