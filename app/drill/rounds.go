package main

import (
	"context"
	"fmt"
	"os/exec"
	"strings"
	"sync"
	"time"
)

// noAnswerPause is how long a buyer waits after an attempt got no answer before it places its
// next order, as a client backing off would; it also keeps a refused port from becoming a
// busy loop. The unanswered order itself waits for the retry phase.
const noAnswerPause = 100 * time.Millisecond

// round runs the buyers for cfg.Round while fault (if any) strikes at cfg.FaultAt.
func (d *drill) round(ctx context.Context, n int, name string, fault func(context.Context) (string, error)) error {
	end := time.Now().Add(d.cfg.Round)
	var t tally
	var wg sync.WaitGroup
	for b := range d.cfg.Buyers {
		wg.Go(func() {
			for time.Now().Before(end) && ctx.Err() == nil {
				r := d.newRequest(n, b%len(d.accounts))
				a := d.send(ctx, r)
				r.record(a)
				t.add(a.Kind)
				if a.Status == 0 {
					pause(ctx, noAnswerPause)
				}
			}
		})
	}
	note, err := "skipped (-faults=false)", error(nil)
	if fault != nil {
		pause(ctx, d.cfg.FaultAt)
		note, err = fault(ctx)
	}
	wg.Wait()
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	fmt.Printf("%s: %s\n  %d requests; %s\n", name, note, t.total(), &t)
	return ctx.Err()
}

// restartPostgres restarts the server under the running service and reports how long the
// service took to be ready again.
func (d *drill) restartPostgres(ctx context.Context) (string, error) {
	start := time.Now()
	out, err := exec.CommandContext(ctx, "sh", "-c", d.cfg.PGRestart).CombinedOutput() //nolint:gosec // the operator's -pg-restart
	if err != nil {
		return "", fmt.Errorf("restart PostgreSQL with %q: %w: %s", d.cfg.PGRestart, err, strings.TrimSpace(string(out)))
	}
	restarted := time.Since(start)
	if err := d.svc.waitReady(ctx); err != nil {
		return "", err
	}
	return fmt.Sprintf("restarted at %s, took %s, service ready again %s after it began",
		d.cfg.FaultAt, restarted.Round(time.Millisecond), time.Since(start).Round(time.Millisecond)), nil
}

// killService kills the service with SIGKILL and starts it again on the same address.
func (d *drill) killService(ctx context.Context) (string, error) {
	start := time.Now()
	if err := d.svc.kill(); err != nil {
		return "", err
	}
	if err := d.svc.start(ctx); err != nil {
		return "", err
	}
	return fmt.Sprintf("killed at %s and started again, ready %s after the kill", d.cfg.FaultAt, time.Since(start).Round(time.Millisecond)), nil
}

// retryUnanswered sends every request that got no answer again, with its own key and body,
// until each is answered or cfg.RetryFor has passed.
func (d *drill) retryUnanswered(ctx context.Context) error {
	if err := d.svc.waitReady(ctx); err != nil {
		return err
	}
	var pending []*request
	for _, r := range d.requests {
		if r.Status == 0 {
			pending = append(pending, r)
		}
	}
	t := d.untilAnswered(ctx, pending)
	fmt.Printf("retry of the %d unanswered requests, each with its own key\n  %d attempts; %s\n", len(pending), t.total(), t)
	return ctx.Err()
}

// replayAcknowledged sends every acknowledged order once more with its key: each must replay
// the same order (the ledger sees a second order id as a duplicate) and take no more stock.
func (d *drill) replayAcknowledged(ctx context.Context) error {
	var acked []*request
	for _, r := range d.requests {
		if r.Status == 201 {
			acked = append(acked, r)
		}
	}
	t := d.untilAnswered(ctx, acked)
	fmt.Printf("replay of the %d acknowledged orders, each with its own key\n  %d attempts; %s\n", len(acked), t.total(), t)
	return ctx.Err()
}

// untilAnswered sends each request from a few workers until it gets an answer, backing off
// from 100 ms to 1 s between its attempts, for at most cfg.RetryFor.
func (d *drill) untilAnswered(ctx context.Context, reqs []*request) *tally {
	ctx, cancel := context.WithTimeout(ctx, d.cfg.RetryFor)
	defer cancel()
	t := &tally{}
	work := make(chan *request)
	var wg sync.WaitGroup
	for range min(16, d.cfg.Buyers) {
		wg.Go(func() {
			for r := range work {
				for wait := 100 * time.Millisecond; ctx.Err() == nil; wait = min(2*wait, time.Second) {
					a := d.send(ctx, r)
					if ctx.Err() != nil && a.Status == 0 {
						break // the deadline, not the service: leave it unanswered
					}
					r.record(a)
					t.add(a.Kind)
					if a.Status != 0 {
						break
					}
					pause(ctx, wait)
				}
			}
		})
	}
	for _, r := range reqs {
		work <- r
	}
	close(work)
	wg.Wait()
	return t
}
