package media

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	_ "image/png" // decoders for image.Decode: uploads are JPEG, PNG or WebP
	"io"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
	"golang.org/x/image/draw"
	_ "golang.org/x/image/webp" // the WebP decoder for image.Decode

	"github.com/shopstack/shopstack/app/shop"
)

// MaxImagePixels bounds a picture's decoded size (width × height), read from its header before
// decoding, so a small file that claims a huge canvas cannot exhaust memory (a decompression bomb).
const MaxImagePixels = 50_000_000

// jpegQuality of the variants: visually clean for product photos at a fraction of the size.
const jpegQuality = 82

// ImageArgs asks for the variants of a product's uploaded picture: the upload at Key, which is
// the product's picture number Version (products.image_version).
type ImageArgs struct {
	ProductID string `json:"product_id"`
	Version   int64  `json:"version"`
	Key       string `json:"key"`
}

// Kind is the job's name in river_job.kind.
func (ImageArgs) Kind() string { return "product_image" }

// InsertOpts: one job per upload of a product; a few retries for a store that fails.
func (ImageArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 5, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// ImageSink records a product's processed picture. postgres.Store implements it.
type ImageSink interface {
	// SetProductImages sets the product's images (and image_url to the card variant) if its
	// picture is still number version; ok is false when a newer upload superseded it.
	SetProductImages(ctx context.Context, productID string, version int64, images shop.ProductImages) (ok bool, err error)
}

// ImageWorker makes the variants of uploaded pictures.
type ImageWorker struct {
	river.WorkerDefaults[ImageArgs]
	Store Store
	Sink  ImageSink
	Log   *slog.Logger
}

// Timeout bounds one attempt: decoding and three resizes of a 5 MiB picture take well under it.
func (w *ImageWorker) Timeout(*river.Job[ImageArgs]) time.Duration { return 2 * time.Minute }

// Work makes the variants (square, centre-cropped JPEGs), stores them under keys of the
// picture's version and records their URLs. It is idempotent: a repeat writes the same keys
// and sets the same images. Bytes that are no picture fail the job permanently (cancelled,
// with the reason logged): retrying cannot fix them.
func (w *ImageWorker) Work(ctx context.Context, job *river.Job[ImageArgs]) error {
	a := job.Args
	src, err := w.load(ctx, a.Key)
	if err != nil {
		var bad badImageError
		if errors.As(err, &bad) {
			w.Log.Warn("product image refused; the job will not retry", "product_id", a.ProductID, "key", a.Key, "reason", bad.Error())
			return river.JobCancel(err)
		}
		return err
	}
	var images shop.ProductImages
	for _, v := range shop.ImageVariants {
		var buf bytes.Buffer
		if err := jpeg.Encode(&buf, SquareCrop(src, v.Size), &jpeg.Options{Quality: jpegQuality}); err != nil {
			return fmt.Errorf("encode %s: %w", v.Name, err)
		}
		key := shop.ProductImageKey(a.ProductID, a.Version, v.Name)
		if err := w.Store.Put(ctx, key, "image/jpeg", &buf, int64(buf.Len())); err != nil {
			return err
		}
		switch v.Name {
		case "thumb":
			images.Thumb = w.Store.URL(key)
		case "card":
			images.Card = w.Store.URL(key)
		case "full":
			images.Full = w.Store.URL(key)
		}
	}
	ok, err := w.Sink.SetProductImages(ctx, a.ProductID, a.Version, images)
	if err != nil {
		return err
	}
	if !ok {
		w.Log.Info("product image superseded by a newer upload", "product_id", a.ProductID, "version", a.Version)
	}
	return nil
}

// badImageError is a picture that cannot be decoded or is too large: a permanent failure.
type badImageError struct{ error }

// load reads and decodes the upload, checking its dimensions before decoding the pixels.
func (w *ImageWorker) load(ctx context.Context, key string) (image.Image, error) {
	rc, obj, err := w.Store.Get(ctx, key)
	if errors.Is(err, ErrNotFound) {
		return nil, badImageError{fmt.Errorf("no upload at %s", key)}
	}
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	if obj.Size > shop.MaxUploadBytes {
		return nil, badImageError{fmt.Errorf("upload is %d bytes, over %d", obj.Size, shop.MaxUploadBytes)}
	}
	raw, err := io.ReadAll(io.LimitReader(rc, shop.MaxUploadBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", key, err)
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(raw))
	if err != nil {
		return nil, badImageError{fmt.Errorf("not a JPEG, PNG or WebP picture: %w", err)}
	}
	if cfg.Width < 1 || cfg.Height < 1 || int64(cfg.Width)*int64(cfg.Height) > MaxImagePixels {
		return nil, badImageError{fmt.Errorf("%s of %d×%d pixels: want at most %d pixels", format, cfg.Width, cfg.Height, MaxImagePixels)}
	}
	img, _, err := image.Decode(bytes.NewReader(raw))
	if err != nil {
		return nil, badImageError{fmt.Errorf("%s does not decode: %w", format, err)}
	}
	return img, nil
}

// SquareCrop returns the largest centred square of src scaled to size×size (Catmull-Rom), on
// white, so transparent PNG and WebP pictures look the same as JPEGs.
func SquareCrop(src image.Image, size int) *image.RGBA {
	b := src.Bounds()
	side := min(b.Dx(), b.Dy())
	x0, y0 := b.Min.X+(b.Dx()-side)/2, b.Min.Y+(b.Dy()-side)/2
	crop := image.Rect(x0, y0, x0+side, y0+side)
	dst := image.NewRGBA(image.Rect(0, 0, size, size))
	draw.Draw(dst, dst.Bounds(), image.NewUniform(color.White), image.Point{}, draw.Src)
	draw.CatmullRom.Scale(dst, dst.Bounds(), src, crop, draw.Over, nil)
	return dst
}
