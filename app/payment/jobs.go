package payment

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/riverqueue/river"
)

// The payment jobs. The transaction that decides a provider call is needed (an expiry, a
// cancel, a payment that came too late) enqueues its job (the transactional outbox), so the
// call is made once the decision is committed, and retried until the provider answers.

// Queue is the River queue of the payment jobs: their own, so a backlog of picture or invoice
// jobs never delays an intent's cancel or a refund, and only a client that registered the
// payment workers (AddQueues) ever takes one.
const Queue = "payments"

// CancelIntentArgs cancels the intent of an order that expired or was cancelled unpaid.
type CancelIntentArgs struct {
	OrderID  string `json:"order_id"`
	IntentID string `json:"intent_id"`
}

// Kind is the job's name in river_job.kind.
func (CancelIntentArgs) Kind() string { return "payment_cancel_intent" }

// InsertOpts: one job per order and intent; River's backoff, about a day over 15 attempts.
func (CancelIntentArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: Queue, MaxAttempts: 15, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// RefundArgs refunds a payment that succeeded after its order had expired or been cancelled.
type RefundArgs struct {
	OrderID  string `json:"order_id"`
	IntentID string `json:"intent_id"`
}

// Kind is the job's name in river_job.kind.
func (RefundArgs) Kind() string { return "payment_refund" }

// InsertOpts: as CancelIntentArgs; the refund's idempotency key makes a repeat harmless.
func (RefundArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: Queue, MaxAttempts: 15, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// ExpireArgs is the periodic sweep that expires unpaid orders past their expires_at.
type ExpireArgs struct{}

// Kind is the job's name in river_job.kind.
func (ExpireArgs) Kind() string { return "payment_expire" }

// expireBatch is how many orders one ExpireDue call expires; the sweep repeats until a batch
// comes back short.
const expireBatch = 100

type cancelIntentWorker struct {
	river.WorkerDefaults[CancelIntentArgs]
	s *Service
}

// Work cancels the intent. An intent that already succeeded is left alone: its webhook finds
// the order expired or cancelled and queues the refund.
func (w *cancelIntentWorker) Work(ctx context.Context, job *river.Job[CancelIntentArgs]) error {
	err := w.s.provider.Cancel(ctx, job.Args.IntentID, job.Args.OrderID)
	if errors.Is(err, ErrIntentFinal) {
		return nil
	}
	return err
}

func (w *cancelIntentWorker) Timeout(*river.Job[CancelIntentArgs]) time.Duration {
	return 30 * time.Second
}

type refundWorker struct {
	river.WorkerDefaults[RefundArgs]
	s *Service
}

// Work refunds the payment and records the refund on the order.
func (w *refundWorker) Work(ctx context.Context, job *river.Job[RefundArgs]) error {
	id, err := w.s.provider.Refund(ctx, job.Args.IntentID, job.Args.OrderID)
	if err != nil {
		return err
	}
	return w.s.store.SetRefund(ctx, job.Args.OrderID, id)
}

func (w *refundWorker) Timeout(*river.Job[RefundArgs]) time.Duration { return 30 * time.Second }

type expireWorker struct {
	river.WorkerDefaults[ExpireArgs]
	s *Service
}

// Work expires every due order, a batch per transaction set.
func (w *expireWorker) Work(ctx context.Context, _ *river.Job[ExpireArgs]) error {
	total := 0
	for {
		n, err := w.s.store.ExpireDue(ctx, expireBatch)
		total += n
		if err != nil {
			return fmt.Errorf("expire unpaid orders: %w", err)
		}
		if n < expireBatch {
			break
		}
	}
	if total > 0 {
		w.s.log.InfoContext(ctx, "payment: expired unpaid orders", "orders", total)
	}
	return nil
}

// AddWorkers registers the payment jobs' workers. With payments off there are none (and no
// job of theirs is ever enqueued).
func (s *Service) AddWorkers(w *river.Workers) {
	if !s.On() {
		return
	}
	river.AddWorker(w, &cancelIntentWorker{s: s})
	river.AddWorker(w, &refundWorker{s: s})
	river.AddWorker(w, &expireWorker{s: s})
}

// AddQueues adds the payment jobs' queue, worked by n workers, to queues (nothing with payments off).
func (s *Service) AddQueues(queues map[string]river.QueueConfig, n int) {
	if !s.On() {
		return
	}
	queues[Queue] = river.QueueConfig{MaxWorkers: n}
}

// PeriodicJobs is the expiry sweep, every SweepInterval(timeout), started with the workers.
func (s *Service) PeriodicJobs(timeout time.Duration) []*river.PeriodicJob {
	if !s.On() {
		return nil
	}
	return []*river.PeriodicJob{river.NewPeriodicJob(river.PeriodicInterval(SweepInterval(timeout)),
		func() (river.JobArgs, *river.InsertOpts) { return ExpireArgs{}, &river.InsertOpts{Queue: Queue} },
		&river.PeriodicJobOpts{RunOnStart: true})}
}

// SweepInterval is how often unpaid orders are looked for: a tenth of the timeout, between
// 1 s and 1 min, so an order is expired at most that long after its deadline.
func SweepInterval(timeout time.Duration) time.Duration {
	return min(max(timeout/10, time.Second), time.Minute)
}
