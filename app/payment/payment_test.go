package payment_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/shopstack/shopstack/app/payment"
)

func TestSweepInterval(t *testing.T) {
	for timeout, want := range map[time.Duration]time.Duration{
		time.Second:      time.Second,
		5 * time.Second:  time.Second,
		30 * time.Second: 3 * time.Second,
		30 * time.Minute: time.Minute,
		24 * time.Hour:   time.Minute,
	} {
		assert.Equal(t, want, payment.SweepInterval(timeout), "timeout %s", timeout)
	}
}

func TestIdempotencyKeysAreOnePerOrderAndOperation(t *testing.T) {
	a, b := "0b7c6a52-4a4f-4c1e-9d3e-1f0a2b3c4d5e", "7d1f4a9e-0000-4000-8000-000000000000"
	assert.Equal(t, payment.IdempotencyKey("refund", a), payment.IdempotencyKey("refund", a))
	assert.NotEqual(t, payment.IdempotencyKey("refund", a), payment.IdempotencyKey("refund", b))
	assert.NotEqual(t, payment.IdempotencyKey("refund", a), payment.IdempotencyKey("cancel", a))
	assert.LessOrEqual(t, len(payment.IdempotencyKey("intent", a)), 255, "Stripe's limit on Idempotency-Key")
}

func TestServiceIsOffWithNone(t *testing.T) {
	var nilService *payment.Service
	assert.False(t, nilService.On())
	assert.False(t, payment.NewService(payment.None{}, nil, nil).On())
	assert.Nil(t, payment.NewService(payment.None{}, nil, nil).PeriodicJobs(time.Minute), "no expiry sweep without payments")
}
