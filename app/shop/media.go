package shop

import (
	"context"
	"crypto/rand"
	"fmt"
	"regexp"
	"time"
)

// Limits and types of uploaded product pictures.
const (
	// MaxUploadBytes is the largest picture an admin may upload (5 MiB).
	MaxUploadBytes = 5 << 20
	// UploadKeyPrefix is where uploads land in the media store, before they are processed.
	UploadKeyPrefix = "uploads/"
)

// UploadContentTypes are the picture types an upload may declare (and its bytes must be).
var UploadContentTypes = []string{"image/jpeg", "image/png", "image/webp"}

// ProductImages are the URLs of a product picture's processed variants: square, centre-cropped.
type ProductImages struct {
	Thumb string `json:"thumb"`
	Card  string `json:"card"`
	Full  string `json:"full"`
}

// ImageVariant is one size the image job makes of an uploaded picture.
type ImageVariant struct {
	Name string
	Size int // width and height in pixels
}

// ImageVariants are the sizes of ProductImages, smallest first.
var ImageVariants = []ImageVariant{{"thumb", 160}, {"card", 480}, {"full", 1200}}

// UploadRequest is a validated POST /api/admin/uploads body.
type UploadRequest struct {
	ContentType string
	SizeBytes   int64
}

// ParseUploadRequest decodes and validates a POST /api/admin/uploads body: a content type that
// is not an accepted picture type is CodeUnsupportedMediaType (415), a size outside
// 1..MaxUploadBytes CodeInvalidInput.
func ParseUploadRequest(data []byte) (UploadRequest, error) {
	var body struct {
		ContentType *string `json:"content_type"`
		SizeBytes   *int64  `json:"size_bytes"`
	}
	if err := DecodeJSON(data, &body); err != nil {
		return UploadRequest{}, err
	}
	var fe fieldErrors
	if body.ContentType == nil {
		fe.add("content_type", "is required: image/jpeg, image/png or image/webp")
	}
	if body.SizeBytes == nil || *body.SizeBytes < 1 || *body.SizeBytes > MaxUploadBytes {
		fe.add("size_bytes", fmt.Sprintf("is required, from 1 to %d (5 MiB)", MaxUploadBytes))
	}
	if err := fe.err(); err != nil {
		return UploadRequest{}, err
	}
	if !IsUploadContentType(*body.ContentType) {
		return UploadRequest{}, &Error{Code: CodeUnsupportedMediaType,
			Message: "pictures must be image/jpeg, image/png or image/webp",
			Details: []FieldError{{Field: "content_type", Problem: "must be image/jpeg, image/png or image/webp"}}}
	}
	return UploadRequest{ContentType: *body.ContentType, SizeBytes: *body.SizeBytes}, nil
}

// IsUploadContentType reports whether t is one of UploadContentTypes (exactly, no parameters).
func IsUploadContentType(t string) bool {
	for _, u := range UploadContentTypes {
		if t == u {
			return true
		}
	}
	return false
}

var uploadKeyRE = regexp.MustCompile(`^uploads/[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// IsUploadKey reports whether key has the shape of a key POST /api/admin/uploads hands out.
func IsUploadKey(key string) bool { return uploadKeyRE.MatchString(key) }

// ParseProductImage decodes and validates a POST /api/admin/products/{id}/image body.
func ParseProductImage(data []byte) (string, error) {
	var body struct {
		Key string `json:"key"`
	}
	if err := DecodeJSON(data, &body); err != nil {
		return "", err
	}
	if !IsUploadKey(body.Key) {
		return "", invalidField("key", "must be a key from POST /api/admin/uploads (uploads/<uuid>)")
	}
	return body.Key, nil
}

// ProductImageKey is the media key of one variant of a product's picture, as of the picture's
// version (products.image_version), so a new upload never overwrites what caches hold.
func ProductImageKey(productID string, version int64, variant string) string {
	return fmt.Sprintf("products/%s/%d-%s.jpg", productID, version, variant)
}

// Upload is an upload slot handed out by POST /api/admin/uploads.
type Upload struct {
	Key         string
	ContentType string
	SizeBytes   int64
	CreatedBy   string
	CreatedAt   time.Time
}

// ImageStore keeps upload slots and products' pictures. postgres.Store implements it.
type ImageStore interface {
	CreateUpload(ctx context.Context, u Upload) error
	// Upload returns the slot at key; CodeNotFound when there is none.
	Upload(ctx context.Context, key string) (Upload, error)
	// SetProductImage makes the upload at key the product's picture and enqueues, in the same
	// transaction, the job that makes its variants. The product's images stay as they were
	// until the job has made the new ones.
	SetProductImage(ctx context.Context, productID, key string) (Product, error)
}

// NewUploadKey is a fresh upload key: UploadKeyPrefix and a random (version 4) UUID.
func NewUploadKey() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%s%x-%x-%x-%x-%x", UploadKeyPrefix, b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
