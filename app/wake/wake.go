// Package wake keeps, in one S3 object, the time the next scheduled work event needs the
// database, so that a tick finding nothing due answers without connecting and a paused Aurora
// Serverless cluster stays paused (issue #16).
//
// The object holds {"due":"<RFC 3339 time>"}. Its writers are the work event, which settles it
// after running what was due (Settle), and any request that left a new job behind, which moves it
// earlier (Advance). Both write with S3's conditional writes (If-Match on the ETag they read, or
// If-None-Match: * when there was none), so a request's job committed while a work event was
// settling is never hidden by the settle: either the settle reads the database after the job
// committed and sees it, or the request's write changes the ETag first and the settle's write
// fails, is retried, and sees it then.
//
// A missing, unreadable or malformed object means "due now", and a writer that keeps losing the
// race, or cannot read the object, falls back to an unconditional write of "now": moving the mark
// earlier can never hide a job, and costs at most one tick that connects.
package wake

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// QuietHorizon is the latest a settle schedules the next connecting tick when no job is pending:
// the daily housekeeping (expired sessions, idempotency keys, unused uploads) and the bound on
// how long a job whose Advance was lost (an S3 error after its commit) can wait.
const QuietHorizon = 24 * time.Hour

// attempts bounds the conditional-write retries of Settle and Advance, with a jittered pause
// between them; running out ends in the unconditional write of "now".
const attempts = 4

// retryPause is the base of the pause between attempts (jittered up to twice it).
const retryPause = 20 * time.Millisecond

// maxBody is the most of the object read: the mark is a few dozen bytes.
const maxBody = 1 << 10

// ErrChanged is a conditional write refused because another writer changed the mark first.
var ErrChanged = errors.New("wake: the mark changed since it was read")

// errUnreadable is a read S3 refused (403): without s3:ListBucket a missing key is a 403 too.
var errUnreadable = errors.New("wake: the mark cannot be read")

// Mark is the object as read.
type Mark struct {
	// Due is the time the next tick must connect; zero when the object is missing or malformed.
	Due time.Time
	// ETag identifies the version read, for the conditional write; empty when missing.
	ETag string
	// Exists is false when there is no object.
	Exists bool
}

// DueAt says whether a tick at now must connect.
func (m Mark) DueAt(now time.Time) bool { return m.Due.IsZero() || !now.Before(m.Due) }

// Marker reads and writes the mark object.
type Marker struct {
	client *s3.Client
	bucket string
	key    string
}

// New is the marker at s3://bucket/key.
func New(client *s3.Client, bucket, key string) *Marker {
	return &Marker{client: client, bucket: bucket, key: key}
}

// ParseURL splits an s3://bucket/key URL, naming what is wrong with one that is not.
func ParseURL(raw string) (bucket, key string, err error) {
	rest, ok := strings.CutPrefix(raw, "s3://")
	bucket, key, _ = strings.Cut(rest, "/")
	switch {
	case !ok:
		return "", "", fmt.Errorf("%q: want s3://bucket/key", raw)
	case bucket == "" || key == "" || strings.HasSuffix(key, "/"):
		return "", "", fmt.Errorf("%q: want s3://bucket/key with both a bucket and an object key", raw)
	}
	return bucket, key, nil
}

// String is the mark's s3:// URL, for logs.
func (m *Marker) String() string { return "s3://" + m.bucket + "/" + m.key }

// body is the object. Nonce makes every write's bytes, and so its ETag (an MD5 of them on S3
// without SSE-KMS), differ from the last one's even when Due does not change.
type body struct {
	Due   time.Time `json:"due"`
	Nonce string    `json:"nonce"`
}

// Read returns the mark. A missing object is a Mark that does not exist; a malformed one exists
// with a zero Due (due now) and its ETag, so the next write replaces it.
func (m *Marker) Read(ctx context.Context) (Mark, error) {
	out, err := m.client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(m.bucket), Key: aws.String(m.key)})
	if err != nil {
		var missing *types.NoSuchKey
		if errors.As(err, &missing) {
			return Mark{}, nil
		}
		if status(err) == http.StatusForbidden {
			// Without s3:ListBucket a missing key is a 403: the writers try to create it.
			return Mark{}, fmt.Errorf("%w: %s: %w", errUnreadable, m, err)
		}
		return Mark{}, fmt.Errorf("wake: read %s: %w", m, err)
	}
	defer out.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(out.Body, maxBody))
	if err != nil {
		return Mark{}, fmt.Errorf("wake: read %s: %w", m, err)
	}
	mk := Mark{ETag: aws.ToString(out.ETag), Exists: true}
	var b body
	if json.Unmarshal(raw, &b) == nil {
		mk.Due = b.Due
	}
	return mk, nil
}

// encode is the object's body for due, with a fresh nonce.
func encode(due time.Time) ([]byte, error) {
	nonce := make([]byte, 8)
	_, _ = rand.Read(nonce) // crypto/rand.Read never fails
	return json.Marshal(body{Due: due.UTC().Truncate(time.Millisecond), Nonce: hex.EncodeToString(nonce)})
}

// write replaces the mark read as prev with due, refusing with ErrChanged if it changed since.
func (m *Marker) write(ctx context.Context, prev Mark, due time.Time) error {
	raw, err := encode(due)
	if err != nil {
		return err
	}
	in := &s3.PutObjectInput{Bucket: aws.String(m.bucket), Key: aws.String(m.key), Body: bytes.NewReader(raw),
		ContentType: aws.String("application/json"), CacheControl: aws.String("no-store")}
	if prev.Exists {
		in.IfMatch = aws.String(prev.ETag)
	} else {
		in.IfNoneMatch = aws.String("*")
	}
	if _, err := m.client.PutObject(ctx, in); err != nil {
		// 412: the condition failed; 409: a concurrent conditional write to the same key; 404: an
		// If-Match on an object deleted since it was read.
		if s := status(err); s == http.StatusPreconditionFailed || s == http.StatusConflict || s == http.StatusNotFound {
			return ErrChanged
		}
		return fmt.Errorf("wake: write %s: %w", m, err)
	}
	return nil
}

// Settle records when the next tick must connect: next, called after each read of the mark, is
// the earliest pending job's time (ok false: none pending), capped at now + QuietHorizon. It
// returns the time written. Losing the race attempts times ends in Force(now).
func (m *Marker) Settle(ctx context.Context, now func() time.Time, next func(context.Context) (time.Time, bool, error)) (time.Time, error) {
	for i := range attempts {
		prev, err := m.readForWrite(ctx)
		if err != nil {
			return time.Time{}, err
		}
		at, ok, err := next(ctx)
		if err != nil {
			return time.Time{}, err
		}
		due := now().Add(QuietHorizon)
		if ok && at.Before(due) {
			due = at
		}
		due = due.UTC().Truncate(time.Millisecond) // as stored
		switch err := m.write(ctx, prev, due); {
		case err == nil:
			return due, nil
		case !errors.Is(err, ErrChanged):
			return time.Time{}, err
		}
		pause(ctx, i)
	}
	due := now().UTC().Truncate(time.Millisecond)
	if err := m.Force(ctx, due); err != nil {
		return time.Time{}, err
	}
	return due, fmt.Errorf("wake: settle %s: %w %d times; wrote now instead", m, ErrChanged, attempts)
}

// Advance moves the mark to at if that is earlier than the mark, and rewrites it even when it is
// not, so that a Settle in flight (which may have read the database before the caller's job
// committed) fails its write and reads again. Losing the race attempts times ends in Force(now),
// since the other writers' times need not cover the caller's job.
func (m *Marker) Advance(ctx context.Context, at time.Time) error {
	for i := range attempts {
		prev, err := m.readForWrite(ctx)
		if err != nil {
			return err
		}
		due := at
		if prev.Exists && !prev.Due.IsZero() && prev.Due.Before(due) {
			due = prev.Due
		}
		switch err := m.write(ctx, prev, due); {
		case err == nil:
			return nil
		case !errors.Is(err, ErrChanged):
			return err
		}
		pause(ctx, i)
	}
	if err := m.Force(ctx, time.Now()); err != nil {
		return err
	}
	return nil
}

// Force writes due unconditionally. Only an earlier-or-equal time than any pending job's is safe,
// such as now.
func (m *Marker) Force(ctx context.Context, due time.Time) error {
	raw, err := encode(due)
	if err != nil {
		return err
	}
	_, err = m.client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(m.bucket), Key: aws.String(m.key),
		Body: bytes.NewReader(raw), ContentType: aws.String("application/json"), CacheControl: aws.String("no-store")})
	if err != nil {
		return fmt.Errorf("wake: write %s: %w", m, err)
	}
	return nil
}

// readForWrite is Read for a writer: an object it may not read is taken as missing, so the write
// is a create (If-None-Match: *), which fails with ErrChanged if it exists after all.
func (m *Marker) readForWrite(ctx context.Context) (Mark, error) {
	mk, err := m.Read(ctx)
	if errors.Is(err, errUnreadable) {
		return Mark{}, nil
	}
	return mk, err
}

// pause waits before attempt i+1: retryPause × 2^i, jittered to between half and all of it.
func pause(ctx context.Context, i int) {
	d := retryPause << i
	d = d/2 + time.Duration(mrand.Int64N(int64(d/2)+1)) //nolint:gosec // jitter, not a secret
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}

// status is the HTTP status of an S3 error, 0 if it has none.
func status(err error) int {
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		return re.HTTPStatusCode()
	}
	return 0
}
