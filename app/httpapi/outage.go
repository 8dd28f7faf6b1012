package httpapi

import (
	"log/slog"
	"sync"
	"time"
)

// DefaultOutageLogInterval is how often, at most, a database outage is logged.
const DefaultOutageLogInterval = time.Minute

// outageLog reports that the database cannot be reached at WARN at most once per interval,
// with the number of requests that met the outage since the last line: an outage of a few
// minutes under load is a few lines, not one per request (each request still has its own
// request log line, at INFO). Nothing here decides what an outage is: that is the storage
// adapter's shop.CodeUnavailable, and a failed readiness check.
type outageLog struct {
	log      *slog.Logger
	interval time.Duration

	mu     sync.Mutex
	last   time.Time
	missed int
}

func (o *outageLog) report(msg string, err error, requestID string) {
	o.mu.Lock()
	now := time.Now()
	if !o.last.IsZero() && now.Sub(o.last) < o.interval {
		o.missed++
		o.mu.Unlock()
		return
	}
	missed := o.missed
	o.last, o.missed = now, 0
	o.mu.Unlock()
	o.log.Warn(msg, "err", err, "request_id", requestID,
		"unlogged_since_last", missed, "log_interval", o.interval.String())
}
