package main

import (
	"fmt"
	"io"
	"slices"
)

// dbOrder is an order as the database holds it.
type dbOrder struct {
	UserID string
	Status string
	Lines  map[string]int // product id -> quantity
}

// keyID names an idempotency key row.
type keyID struct{ UserID, Key string }

// books is what the database holds after the drill.
type books struct {
	Stock  map[string]int     // product id -> stock now
	Orders map[string]dbOrder // order id -> order
	Keys   map[keyID]string   // idempotency key -> the order it points at ("" for none)
}

// balance is one product's conservation check.
type balance struct {
	SKU          string
	Initial, Now int
	InOrders     int // units in the database's placed orders
	Acknowledged int // units of the distinct orders the clients were told were placed
}

func (b balance) ok() bool { return b.Initial-b.Now == b.InOrders && b.InOrders == b.Acknowledged }

// report is the outcome of the drill. Every list is a violation.
type report struct {
	Requests, Attempts int
	Acknowledged       int // distinct order ids answered 201
	Refused            int // answered 409 insufficient_stock
	Unanswered         []string
	Lost               []string // acknowledged, not in the database
	Duplicated         []string // more than one order for a request or key, or an order no answer accounts for
	Wrong              []string // answers contradicting the request, another answer or the database
	Stock              []balance
}

func (r report) ok() bool {
	if len(r.Unanswered)+len(r.Lost)+len(r.Duplicated)+len(r.Wrong) > 0 {
		return false
	}
	for _, b := range r.Stock {
		if !b.ok() {
			return false
		}
	}
	return true
}

// reconcile checks the clients' view (the requests and their answers) against the books.
func reconcile(reqs []*request, products []product, db books) report {
	rep := report{Requests: len(reqs)}
	acked := map[string]*request{} // order id -> the request it answered
	for _, r := range reqs {
		rep.Attempts += r.Attempts
		for _, p := range r.Problems {
			rep.Wrong = append(rep.Wrong, r.Key+": "+p)
		}
		switch r.Status {
		case 0:
			rep.Unanswered = append(rep.Unanswered, r.Key)
		case 201:
			checkAcknowledged(&rep, r, acked, db)
		case 409:
			rep.Refused++
		}
	}
	rep.Acknowledged = len(acked)
	for id, o := range db.Orders {
		if acked[id] == nil {
			rep.Duplicated = append(rep.Duplicated, fmt.Sprintf("order %s (status %s) answers no request%s", id, o.Status, keyOf(db, id)))
		}
	}
	rep.Stock = balances(products, acked, db)
	slices.Sort(rep.Duplicated) // map order, for a stable report
	return rep
}

// checkAcknowledged records the order of a 201 request, and any way it went wrong.
func checkAcknowledged(rep *report, r *request, acked map[string]*request, db books) {
	ids := slices.Compact(slices.Sorted(slices.Values(r.OrderIDs)))
	if len(ids) > 1 {
		rep.Duplicated = append(rep.Duplicated, fmt.Sprintf("%s: answered with %d orders %v", r.Key, len(ids), ids))
	}
	if k := db.Keys[keyID{r.UserID, r.Key}]; k != "" && !slices.Contains(ids, k) {
		rep.Duplicated = append(rep.Duplicated, fmt.Sprintf("%s: its key points at order %s, not the one answered %v", r.Key, k, ids))
	}
	for _, id := range ids {
		if other := acked[id]; other != nil {
			rep.Wrong = append(rep.Wrong, fmt.Sprintf("%s: order %s also answered %s", r.Key, id, other.Key))
			continue
		}
		acked[id] = r
		o, found := db.Orders[id]
		switch {
		case !found:
			rep.Lost = append(rep.Lost, fmt.Sprintf("%s: order %s acknowledged, not in the database", r.Key, id))
		case o.Status != "placed" || o.UserID != r.UserID || !sameLines(linesOf(o), r.Lines):
			rep.Wrong = append(rep.Wrong, fmt.Sprintf("%s: order %s in the database is %s for user %s with %v, asked for %v",
				r.Key, id, o.Status, o.UserID, linesOf(o), r.Lines))
		}
	}
}

func balances(products []product, acked map[string]*request, db books) []balance {
	var out []balance
	for _, p := range products {
		b := balance{SKU: p.SKU, Initial: p.Stock, Now: db.Stock[p.ID]}
		for _, o := range db.Orders {
			if o.Status == "placed" {
				b.InOrders += o.Lines[p.ID]
			}
		}
		for _, r := range acked {
			for _, l := range r.Lines {
				if l.ProductID == p.ID {
					b.Acknowledged += l.Quantity
				}
			}
		}
		out = append(out, b)
	}
	return out
}

func linesOf(o dbOrder) []line {
	out := make([]line, 0, len(o.Lines))
	for id, q := range o.Lines {
		out = append(out, line{id, q})
	}
	return out
}

func keyOf(db books, orderID string) string {
	for k, id := range db.Keys {
		if id == orderID {
			return fmt.Sprintf(", key %s of user %s", k.Key, k.UserID)
		}
	}
	return ", no idempotency key points at it"
}

// print writes the figures, then at most ten examples of each violation.
func (r report) print(w io.Writer) {
	fmt.Fprintf(w, "\nrequests                %7d  (%d HTTP attempts)\n", r.Requests, r.Attempts)
	fmt.Fprintf(w, "acknowledged orders     %7d\n", r.Acknowledged)
	fmt.Fprintf(w, "refused, out of stock   %7d\n", r.Refused)
	fmt.Fprintf(w, "unanswered after retry  %7d  (must be 0)\n", len(r.Unanswered))
	fmt.Fprintf(w, "lost                    %7d  (must be 0)\n", len(r.Lost))
	fmt.Fprintf(w, "duplicated              %7d  (must be 0)\n", len(r.Duplicated))
	fmt.Fprintf(w, "wrong answers           %7d  (must be 0)\n", len(r.Wrong))
	fmt.Fprintf(w, "\n%-14s %8s %8s %8s %16s %14s\n", "product", "initial", "now", "taken", "in placed orders", "acknowledged")
	for _, b := range r.Stock {
		verdict := "OK"
		if !b.ok() {
			verdict = "VIOLATED"
		}
		fmt.Fprintf(w, "%-14s %8d %8d %8d %16d %14d  %s\n", b.SKU, b.Initial, b.Now, b.Initial-b.Now, b.InOrders, b.Acknowledged, verdict)
	}
	for _, v := range []struct {
		name string
		list []string
	}{{"unanswered", r.Unanswered}, {"lost", r.Lost}, {"duplicated", r.Duplicated}, {"wrong", r.Wrong}} {
		for i, s := range v.list {
			if i == 10 {
				fmt.Fprintf(w, "%s: ... and %d more\n", v.name, len(v.list)-10)
				break
			}
			fmt.Fprintf(w, "%s: %s\n", v.name, s)
		}
	}
}
