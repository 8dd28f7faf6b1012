// Package media keeps the shop's files: product pictures and their variants, uploads waiting
// to be processed and invoices. One interface, Store, with two adapters named after their
// technology: Local (a directory, served by `shop serve` at /media) and S3 (the media bucket,
// served through CloudFront at /media/* in AWS).
//
// Keys are slash-separated paths (products/<id>/<version>-card.jpg, uploads/<uuid>,
// invoices/2026/12/SH-000123.pdf). Only PublicPrefix is ever served publicly; uploads and
// invoices stay private (an invoice reaches its owner through the API).
package media

import (
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"
)

// PublicPrefix is the only key prefix served publicly (at the public base, /media).
const PublicPrefix = "products/"

// Expiry of the URLs the stores sign.
const (
	// UploadURLTTL is how long a presigned upload URL is good for.
	UploadURLTTL = 10 * time.Minute
	// DownloadURLTTL is how long a presigned download (an invoice) is good for.
	DownloadURLTTL = 5 * time.Minute
)

// ErrNotFound is returned (wrapped) for a key that holds nothing.
var ErrNotFound = errors.New("media: no object at this key")

// ErrExists is returned (wrapped) by Local.Create for a key that already holds an object.
var ErrExists = errors.New("media: an object is already at this key")

// SizeError is a body that held other than the size bytes it was to store; nothing was stored.
// Got is what arrived, at most Want+1: reading stops one byte past Want.
type SizeError struct {
	Key       string
	Got, Want int64
}

func (e *SizeError) Error() string {
	if e.Got > e.Want {
		return fmt.Sprintf("media: put %s: the body is more than %d bytes, want %d", e.Key, e.Want, e.Want)
	}
	return fmt.Sprintf("media: put %s: the body is %d bytes, want %d", e.Key, e.Got, e.Want)
}

// BodyError is a body that failed to read (the sender's side: a broken connection, a body
// over the request's limit) after Read of Want bytes; nothing was stored.
type BodyError struct {
	Key        string
	Read, Want int64
	Err        error
}

func (e *BodyError) Error() string {
	return fmt.Sprintf("media: put %s: reading the body failed after %d of %d bytes: %v", e.Key, e.Read, e.Want, e.Err)
}

func (e *BodyError) Unwrap() error { return e.Err }

// Object describes a stored object.
type Object struct {
	Size        int64
	ContentType string
	ModTime     time.Time
}

// Upload is where and how a client sends an object's bytes: a PUT to URL with Headers.
type Upload struct {
	URL     string            `json:"url"`
	Method  string            `json:"method"`
	Headers map[string]string `json:"headers"`
}

// Store keeps objects by key.
type Store interface {
	// Put stores size bytes from body at key, replacing what was there.
	Put(ctx context.Context, key, contentType string, body io.Reader, size int64) error
	// Get opens the object at key; the caller closes it.
	Get(ctx context.Context, key string) (io.ReadCloser, Object, error)
	Stat(ctx context.Context, key string) (Object, error)
	// Delete removes the object at key; a missing key is not an error.
	Delete(ctx context.Context, key string) error
	// URL is the public URL of a key under PublicPrefix.
	URL(key string) string
	// PresignPut says how a client uploads exactly size bytes of contentType to key.
	PresignPut(ctx context.Context, key, contentType string, size int64) (Upload, error)
	// PresignGet returns a short-lived URL from which the client reads a private key, or ""
	// when the store has none and the shop streams the object itself (Local).
	PresignGet(ctx context.Context, key string) (string, error)
}

var segmentRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)

// ValidKey reports whether key is a relative slash-separated path of plain segments (letters,
// digits, '.', '_', '-', not starting with a dot): no "..", no empty segment, no leading slash,
// at most 512 bytes. Every store refuses other keys, so a key can never leave its root.
func ValidKey(key string) bool {
	if key == "" || len(key) > 512 {
		return false
	}
	for _, seg := range strings.Split(key, "/") {
		if !segmentRE.MatchString(seg) {
			return false
		}
	}
	return true
}

func checkKey(key string) error {
	if !ValidKey(key) {
		return errors.New("media: invalid key " + strings.ToValidUTF8(key, "?"))
	}
	return nil
}

// joinURL joins a public base (a path like /media or an https:// prefix) and a key.
func joinURL(base, key string) string {
	return strings.TrimSuffix(base, "/") + "/" + key
}
