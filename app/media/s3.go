package media

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
)

// S3 keeps objects in a bucket (SHOP_MEDIA_BUCKET). The bucket stays private: public keys are
// served by CloudFront at the public base (/media/* in AWS), uploads go to presigned PUT URLs and
// invoices to presigned GET URLs, both short-lived.
type S3 struct {
	client     *s3.Client
	presign    *s3.PresignClient
	bucket     string
	publicBase string
}

var _ Store = (*S3)(nil)

// NewS3 is the store of bucket through client; publicBase prefixes public URLs (default /media).
func NewS3(client *s3.Client, bucket, publicBase string) *S3 {
	if publicBase == "" {
		publicBase = "/media"
	}
	return &S3{client: client, presign: s3.NewPresignClient(client), bucket: bucket, publicBase: publicBase}
}

// Put uploads the object in one PutObject (objects here are at most a few MiB).
func (s *S3) Put(ctx context.Context, key, contentType string, body io.Reader, size int64) error {
	if err := checkKey(key); err != nil {
		return err
	}
	_, err := s.client.PutObject(ctx, &s3.PutObjectInput{
		Bucket: &s.bucket, Key: &key, Body: body, ContentLength: &size, ContentType: &contentType,
		CacheControl: aws.String(cacheControlFor(key)),
	})
	if err != nil {
		return fmt.Errorf("media: put %s: %w", key, err)
	}
	return nil
}

// cacheControlFor is what CloudFront and browsers may cache: picture variants never change
// under their key (a new upload gets a new version), so they are immutable; the rest is private.
func cacheControlFor(key string) string {
	if len(key) >= len(PublicPrefix) && key[:len(PublicPrefix)] == PublicPrefix {
		return PublicCacheControl
	}
	return "private, no-store"
}

// PublicCacheControl is the Cache-Control of public objects (picture variants).
const PublicCacheControl = "public, max-age=31536000, immutable"

// Get opens the object.
func (s *S3) Get(ctx context.Context, key string) (io.ReadCloser, Object, error) {
	if err := checkKey(key); err != nil {
		return nil, Object{}, err
	}
	out, err := s.client.GetObject(ctx, &s3.GetObjectInput{Bucket: &s.bucket, Key: &key})
	if err != nil {
		return nil, Object{}, s.fail("get", key, err)
	}
	return out.Body, Object{Size: aws.ToInt64(out.ContentLength), ContentType: aws.ToString(out.ContentType),
		ModTime: aws.ToTime(out.LastModified)}, nil
}

// Stat is a HeadObject.
func (s *S3) Stat(ctx context.Context, key string) (Object, error) {
	if err := checkKey(key); err != nil {
		return Object{}, err
	}
	out, err := s.client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &s.bucket, Key: &key})
	if err != nil {
		return Object{}, s.fail("stat", key, err)
	}
	return Object{Size: aws.ToInt64(out.ContentLength), ContentType: aws.ToString(out.ContentType),
		ModTime: aws.ToTime(out.LastModified)}, nil
}

// Delete removes the object (S3 answers a missing key with success too).
func (s *S3) Delete(ctx context.Context, key string) error {
	if err := checkKey(key); err != nil {
		return err
	}
	if _, err := s.client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &s.bucket, Key: &key}); err != nil {
		return s.fail("delete", key, err)
	}
	return nil
}

// URL is publicBase/key.
func (s *S3) URL(key string) string { return joinURL(s.publicBase, key) }

// PresignPut signs a PUT of exactly size bytes of contentType, valid for UploadURLTTL: S3
// refuses the upload if either header differs from what was signed. The browser sets
// Content-Length itself from the body, so only Content-Type is handed to the client.
func (s *S3) PresignPut(ctx context.Context, key, contentType string, size int64) (Upload, error) {
	if err := checkKey(key); err != nil {
		return Upload{}, err
	}
	// If-None-Match: * is signed too: the slot takes its bytes once (a second PUT with the same URL is a
	// 412), so an upload cannot be replaced between its check and its attach, or after.
	req, err := s.presign.PresignPutObject(ctx, &s3.PutObjectInput{
		Bucket: &s.bucket, Key: &key, ContentType: &contentType, ContentLength: &size, IfNoneMatch: aws.String("*"),
	}, s3.WithPresignExpires(UploadURLTTL))
	if err != nil {
		return Upload{}, fmt.Errorf("media: presign put %s: %w", key, err)
	}
	return Upload{URL: req.URL, Method: req.Method, Headers: map[string]string{"Content-Type": contentType, "If-None-Match": "*"}}, nil
}

// PresignGet signs a GET valid for DownloadURLTTL.
func (s *S3) PresignGet(ctx context.Context, key string) (string, error) {
	if err := checkKey(key); err != nil {
		return "", err
	}
	req, err := s.presign.PresignGetObject(ctx, &s3.GetObjectInput{Bucket: &s.bucket, Key: &key},
		s3.WithPresignExpires(DownloadURLTTL))
	if err != nil {
		return "", fmt.Errorf("media: presign get %s: %w", key, err)
	}
	return req.URL, nil
}

func (s *S3) fail(op, key string, err error) error {
	var apiErr smithy.APIError
	var re interface{ HTTPStatusCode() int }
	if (errors.As(err, &apiErr) && (apiErr.ErrorCode() == "NoSuchKey" || apiErr.ErrorCode() == "NotFound")) ||
		(errors.As(err, &re) && re.HTTPStatusCode() == http.StatusNotFound) {
		return fmt.Errorf("media: %s %s: %w", op, key, ErrNotFound)
	}
	return fmt.Errorf("media: %s %s: %w", op, key, err)
}
