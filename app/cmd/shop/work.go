package main

import (
	"context"
	"fmt"
	"time"

	"github.com/riverqueue/river"
)

// The work event's bounds. EventBridge Scheduler sends it every minute; DefaultWorkSeconds keeps one
// run inside that minute, so two never overlap, and inside the function's timeout.
const (
	DefaultWorkSeconds = 50
	MaxWorkSeconds     = 840
	// workTick is how often the run checks whether any job is still due.
	workTick = 200 * time.Millisecond
	// workStopGrace is kept from the invocation's deadline to stop the client and answer.
	workStopGrace = 3 * time.Second
	// workMinRun keeps a connecting event's River client up at least this long, even with nothing
	// due: River elects its leader after a random delay of up to a second, and only the leader runs
	// the periodic jobs (upload_prune on start) and the maintenance (rescuing jobs left running,
	// cleaning finished ones). Best effort: a short event may still end before they ran.
	workMinRun = 2 * time.Second
)

// workRequest is the work event, {"shop_work":{"max_seconds":50}}.
type workRequest struct {
	// MaxSeconds bounds the run, 1 to MaxWorkSeconds; 0 means DefaultWorkSeconds.
	MaxSeconds int `json:"max_seconds"`
}

// workResult is the work event's answer, also logged.
type workResult struct {
	Completed int     `json:"completed"`
	Failed    int     `json:"failed"`
	Other     int     `json:"other"` // snoozed, cancelled or interrupted
	DueLeft   int64   `json:"due_left"`
	Seconds   float64 `json:"seconds"`
	StoppedBy string  `json:"stopped_by"` // "no_due_jobs", "time", or "not_due" (the marker said nothing is due: no database)
	Pruned    bool    `json:"pruned"`
	// NextDue is the work marker's time after the event: when the next tick connects (with
	// SHOP_WORK_MARKER only).
	NextDue *time.Time `json:"next_due,omitempty"`
}

// work runs due River jobs until none is due or the time is up, then stops the client, waiting
// for the jobs it started (cancelling them at the invocation's deadline). It also runs the hourly
// prune of `serve` (sessions, idempotency keys, login failures), cheap and idempotent, because a
// Lambda instance has no ticker that survives between events.
func (a *lambdaApp) work(ctx context.Context, req workRequest) (workResult, error) {
	if req.MaxSeconds < 0 || req.MaxSeconds > MaxWorkSeconds {
		return workResult{}, fmt.Errorf("shop_work.max_seconds=%d: want 1 to %d (0: %d)", req.MaxSeconds, MaxWorkSeconds, DefaultWorkSeconds)
	}
	if req.MaxSeconds == 0 {
		req.MaxSeconds = DefaultWorkSeconds
	}
	start := time.Now()
	until := start.Add(time.Duration(req.MaxSeconds) * time.Second)
	if dl, ok := ctx.Deadline(); ok && dl.Add(-workStopGrace).Before(until) {
		until = dl.Add(-workStopGrace)
	}
	if a.marker != nil {
		mk, err := a.marker.Read(ctx)
		switch {
		case err != nil:
			a.log.Warn("work: marker unreadable; connecting", "err", err)
		case !mk.DueAt(start):
			// Nothing is due: the database is not touched, so a paused Aurora stays paused.
			a.log.Info("work: nothing due", "next_due", mk.Due)
			return workResult{StoppedBy: "not_due", NextDue: &mk.Due}, nil
		}
	}
	svc, err := a.service(ctx)
	if err != nil {
		return workResult{}, err
	}
	res := workResult{}
	if err := a.store.Prune(ctx); err != nil {
		a.log.Warn("work: prune", "err", err)
	} else {
		res.Pruned = true
	}
	c, err := newWorkerClient(a.store, svc, max(1, a.cfg.Workers), a.log, func(c *river.Config) {
		// No LISTEN connection (a pool of 2 has none to spare) and a quick first fetch.
		c.PollOnly = true
		c.FetchPollInterval = workTick
	})
	if err != nil {
		return workResult{}, err
	}
	events, cancel := c.Subscribe(river.EventKindJobCompleted, river.EventKindJobFailed,
		river.EventKindJobSnoozed, river.EventKindJobCancelled, river.EventKindJobInterrupted)
	defer cancel()
	if err := c.Start(ctx); err != nil {
		return workResult{}, fmt.Errorf("work: start: %w", err)
	}
	res.StoppedBy = a.runUntilIdle(ctx, until, events, &res)
	if err := c.Stop(ctx); err != nil {
		return res, fmt.Errorf("work: stop: %w", err)
	}
	drain(events, &res)
	if res.DueLeft, err = a.store.DueJobs(ctx); err != nil {
		return res, err
	}
	if a.marker != nil {
		next, err := a.marker.Settle(ctx, time.Now, func(ctx context.Context) (time.Time, bool, error) {
			at, maxID, ok, err := a.store.PendingJobs(ctx)
			a.jobsSeen = max(a.jobsSeen, maxID)
			return at, ok, err
		})
		if err != nil {
			// The mark still says due (the event started with it so, and every fallback writes now):
			// the next tick connects.
			a.log.Warn("work: marker not settled", "err", err)
		} else {
			res.NextDue = &next
		}
	}
	// A frozen instance keeps its idle connections open, and an open connection keeps Aurora from
	// pausing: close them now (the pool stays; the next event connects again).
	a.store.Pool().Reset()
	res.Seconds = time.Since(start).Round(time.Millisecond).Seconds()
	a.log.Info("work: done", "completed", res.Completed, "failed", res.Failed, "other", res.Other,
		"due_left", res.DueLeft, "seconds", res.Seconds, "stopped_by", res.StoppedBy, "next_due", res.NextDue)
	return res, nil
}

// runUntilIdle counts finished jobs until no job is due any more or until passes.
func (a *lambdaApp) runUntilIdle(ctx context.Context, until time.Time, events <-chan *river.Event, res *workResult) string {
	started := time.Now()
	t := time.NewTicker(workTick)
	defer t.Stop()
	for {
		select {
		case ev, ok := <-events:
			if ok {
				count(ev, res)
				continue
			}
		case <-ctx.Done():
			return "time"
		case <-t.C:
		}
		if time.Now().After(until) {
			return "time"
		}
		if time.Since(started) < workMinRun {
			continue
		}
		// A fetched job is running, no longer due: Stop waits for it.
		if n, err := a.store.DueJobs(ctx); err == nil && n == 0 {
			return "no_due_jobs"
		}
	}
}

func drain(events <-chan *river.Event, res *workResult) {
	for {
		select {
		case ev, ok := <-events:
			if !ok {
				return
			}
			count(ev, res)
		default:
			return
		}
	}
}

func count(ev *river.Event, res *workResult) {
	if ev == nil {
		return
	}
	switch ev.Kind {
	case river.EventKindJobCompleted:
		res.Completed++
	case river.EventKindJobFailed:
		res.Failed++
	default:
		res.Other++
	}
}
