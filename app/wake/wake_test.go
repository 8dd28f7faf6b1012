package wake_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shopstack/shopstack/app/wake"
	"github.com/shopstack/shopstack/internal/s3test"
)

func put(t *testing.T, c *s3.Client, key, body string) {
	t.Helper()
	_, err := c.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String(s3test.Bucket), Key: aws.String(key),
		Body: strings.NewReader(body)})
	require.NoError(t, err)
}

func TestParseURL(t *testing.T) {
	t.Parallel()
	b, k, err := wake.ParseURL("s3://shop-media/work/due.json")
	require.NoError(t, err)
	assert.Equal(t, "shop-media", b)
	assert.Equal(t, "work/due.json", k)
	for _, bad := range []string{"shop-media/work/due.json", "s3://shop-media", "s3://shop-media/", "s3:///due.json", "s3://b/work/"} {
		_, _, err := wake.ParseURL(bad)
		assert.ErrorContains(t, err, "want s3://bucket/key", bad)
	}
}

// TestMarker runs against versitygw, which implements S3's conditional writes.
func TestMarker(t *testing.T) {
	t.Parallel()
	srv := s3test.Start(t)
	ctx := context.Background()
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	none := func(context.Context) (time.Time, bool, error) { return time.Time{}, false, nil }

	t.Run("missing is due, settle writes the quiet horizon", func(t *testing.T) {
		m := wake.New(srv.Client, s3test.Bucket, "a/due.json")
		mk, err := m.Read(ctx)
		require.NoError(t, err)
		assert.False(t, mk.Exists)
		assert.True(t, mk.DueAt(now))
		due, err := m.Settle(ctx, clock, none)
		require.NoError(t, err)
		assert.Equal(t, now.Add(wake.QuietHorizon), due)
		mk, err = m.Read(ctx)
		require.NoError(t, err)
		assert.True(t, mk.Exists)
		assert.True(t, mk.Due.Equal(now.Add(wake.QuietHorizon)), mk.Due)
		assert.False(t, mk.DueAt(now.Add(time.Hour)))
		assert.True(t, mk.DueAt(now.Add(wake.QuietHorizon)))
	})

	t.Run("settle takes the earliest pending job", func(t *testing.T) {
		m := wake.New(srv.Client, s3test.Bucket, "b/due.json")
		job := now.Add(10 * time.Minute)
		due, err := m.Settle(ctx, clock, func(context.Context) (time.Time, bool, error) { return job, true, nil })
		require.NoError(t, err)
		assert.Equal(t, job, due)
		// A job further off than the horizon still gets a tick at the horizon.
		due, err = m.Settle(ctx, clock, func(context.Context) (time.Time, bool, error) { return now.Add(72 * time.Hour), true, nil })
		require.NoError(t, err)
		assert.Equal(t, now.Add(wake.QuietHorizon), due)
	})

	t.Run("advance moves earlier only, but always rewrites", func(t *testing.T) {
		m := wake.New(srv.Client, s3test.Bucket, "c/due.json")
		_, err := m.Settle(ctx, clock, none)
		require.NoError(t, err)
		before, err := m.Read(ctx)
		require.NoError(t, err)
		require.NoError(t, m.Advance(ctx, now.Add(time.Minute)))
		mk, err := m.Read(ctx)
		require.NoError(t, err)
		assert.True(t, mk.Due.Equal(now.Add(time.Minute)), mk.Due)
		require.NoError(t, m.Advance(ctx, now.Add(time.Hour)))
		after, err := m.Read(ctx)
		require.NoError(t, err)
		assert.True(t, after.Due.Equal(now.Add(time.Minute)), "a later job does not postpone an earlier one: %s", after.Due)
		assert.NotEqual(t, mk.ETag, after.ETag, "rewritten, so a settle in flight notices")
		assert.NotEqual(t, before.ETag, after.ETag)
	})

	t.Run("a job committed during a settle is not hidden by it", func(t *testing.T) {
		m := wake.New(srv.Client, s3test.Bucket, "d/due.json")
		_, err := m.Settle(ctx, clock, none)
		require.NoError(t, err)
		// The work event read the mark and then the database, which had no job yet; before its
		// write, a request commits a job due now and advances the mark.
		job := now
		pending := false
		reads := 0
		due, err := m.Settle(ctx, clock, func(ctx context.Context) (time.Time, bool, error) {
			reads++
			if reads == 1 {
				pending = true
				require.NoError(t, m.Advance(ctx, job))
				return time.Time{}, false, nil // read before the commit
			}
			return job, pending, nil
		})
		require.NoError(t, err)
		assert.Equal(t, 2, reads, "the first write failed its condition and the settle read again")
		assert.Equal(t, job, due)
		mk, err := m.Read(ctx)
		require.NoError(t, err)
		assert.True(t, mk.DueAt(now), "the next tick runs the job")
	})

	t.Run("a settle that keeps losing writes now", func(t *testing.T) {
		m := wake.New(srv.Client, s3test.Bucket, "e/due.json")
		_, err := m.Settle(ctx, clock, func(ctx context.Context) (time.Time, bool, error) {
			require.NoError(t, m.Advance(ctx, now))
			return time.Time{}, false, nil
		})
		require.ErrorIs(t, err, wake.ErrChanged)
		mk, err := m.Read(ctx)
		require.NoError(t, err)
		assert.True(t, mk.DueAt(now))
	})

	t.Run("a mark deleted during a settle is created again", func(t *testing.T) {
		m := wake.New(srv.Client, s3test.Bucket, "g/due.json")
		_, err := m.Settle(ctx, clock, none)
		require.NoError(t, err)
		reads := 0
		due, err := m.Settle(ctx, clock, func(ctx context.Context) (time.Time, bool, error) {
			reads++
			if reads == 1 {
				_, err := srv.Client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(s3test.Bucket), Key: aws.String("g/due.json")})
				require.NoError(t, err)
			}
			return now.Add(time.Minute), true, nil
		})
		require.NoError(t, err, "an If-Match on a deleted object is a conflict to retry, not a failure")
		assert.Equal(t, 2, reads)
		mk, err := m.Read(ctx)
		require.NoError(t, err)
		assert.True(t, mk.Due.Equal(due))
	})

	t.Run("force writes whatever is there", func(t *testing.T) {
		m := wake.New(srv.Client, s3test.Bucket, "h/due.json")
		put(t, srv.Client, "h/due.json", `{"due":"2099-01-01T00:00:00Z"}`)
		require.NoError(t, m.Force(ctx, now))
		mk, err := m.Read(ctx)
		require.NoError(t, err)
		assert.True(t, mk.Due.Equal(now))
	})

	t.Run("a malformed mark is due and is replaced", func(t *testing.T) {
		m := wake.New(srv.Client, s3test.Bucket, "f/due.json")
		put(t, srv.Client, "f/due.json", "not json")
		mk, err := m.Read(ctx)
		require.NoError(t, err)
		assert.True(t, mk.Exists)
		assert.True(t, mk.DueAt(now))
		_, err = m.Settle(ctx, clock, none)
		require.NoError(t, err)
		mk, err = m.Read(ctx)
		require.NoError(t, err)
		assert.False(t, mk.DueAt(now))
	})

	t.Run("an unreachable bucket is an error naming the mark", func(t *testing.T) {
		m := wake.New(srv.Client, "no-such-bucket", "due.json")
		_, err := m.Read(ctx)
		require.Error(t, err)
		assert.Contains(t, err.Error(), "s3://no-such-bucket/due.json")
	})
}
