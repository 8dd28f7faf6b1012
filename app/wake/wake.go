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
// A missing, unreadable or malformed object means "due now": the cost of a wrong answer is one
// tick that connects, never a job left waiting.
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

// attempts bounds the conditional-write retries of Settle and Advance; each retry follows a
// concurrent writer, so running out means others kept the mark moving and it is left to them.
const attempts = 4

// maxBody is the most of the object read: the mark is a few dozen bytes.
const maxBody = 1 << 10

// ErrChanged is a conditional write refused because another writer changed the mark first.
var ErrChanged = errors.New("wake: the mark changed since it was read")

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
		// Without s3:ListBucket a missing key is a 403, an error here: the tick connects and its
		// settle creates the object.
		var missing *types.NoSuchKey
		if errors.As(err, &missing) {
			return Mark{}, nil
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

// write replaces the mark read as prev with due, refusing with ErrChanged if it changed since.
func (m *Marker) write(ctx context.Context, prev Mark, due time.Time) error {
	nonce := make([]byte, 8)
	_, _ = rand.Read(nonce) // crypto/rand.Read never fails
	raw, err := json.Marshal(body{Due: due.UTC().Truncate(time.Millisecond), Nonce: hex.EncodeToString(nonce)})
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
		// 412: the condition failed; 409: a concurrent conditional write to the same key.
		if s := status(err); s == http.StatusPreconditionFailed || s == http.StatusConflict {
			return ErrChanged
		}
		return fmt.Errorf("wake: write %s: %w", m, err)
	}
	return nil
}

// Settle records when the next tick must connect: next, called after each read of the mark, is
// the earliest pending job's time (ok false: none pending), capped at now + QuietHorizon. It
// returns the time written.
func (m *Marker) Settle(ctx context.Context, now func() time.Time, next func(context.Context) (time.Time, bool, error)) (time.Time, error) {
	for range attempts {
		prev, err := m.Read(ctx)
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
	}
	return time.Time{}, fmt.Errorf("wake: settle %s: %w %d times; left to the concurrent writers", m, ErrChanged, attempts)
}

// Advance moves the mark to at if that is earlier than the mark, and rewrites it even when it is
// not, so that a Settle in flight (which may have read the database before the caller's job
// committed) fails its write and reads again.
func (m *Marker) Advance(ctx context.Context, at time.Time) error {
	for range attempts {
		prev, err := m.Read(ctx)
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
	}
	return fmt.Errorf("wake: advance %s: %w %d times", m, ErrChanged, attempts)
}

// status is the HTTP status of an S3 error, 0 if it has none.
func status(err error) int {
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		return re.HTTPStatusCode()
	}
	return 0
}
