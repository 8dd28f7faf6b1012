package httpapi

import (
	"errors"
	"mime"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/shopstack/shopstack/app/media"
	"github.com/shopstack/shopstack/app/shop"
)

// localUploadRoute takes the bytes of an upload when the media store is local (media.Local's
// PresignPut points here); with S3 the client PUTs to a presigned URL instead.
const localUploadRoute = "/api/admin/uploads/uploads/:id"

// createUpload hands out an upload slot: a key and where to PUT the bytes.
func (a *api) createUpload(c echo.Context) error {
	body, err := a.readBody(c)
	if err != nil {
		return err
	}
	req, err := shop.ParseUploadRequest(body)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	key := shop.NewUploadKey()
	if err := a.images.CreateUpload(ctx, shop.Upload{Key: key, ContentType: req.ContentType, SizeBytes: req.SizeBytes,
		CreatedBy: currentUser(c).ID}); err != nil {
		return err
	}
	up, err := a.media.PresignPut(ctx, key, req.ContentType, req.SizeBytes)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, map[string]any{"key": key, "upload": up})
}

// putUpload stores an upload's bytes in a local media store. It enforces what a presigned S3
// PUT enforces: the declared Content-Type, exactly the declared length, and the URL's expiry.
func (a *api) putUpload(c echo.Context) error {
	if _, ok := a.media.(*media.Local); !ok {
		return echo.ErrNotFound // S3: uploads go to the bucket, never through the shop
	}
	key := shop.UploadKeyPrefix + c.Param("id")
	if !shop.IsUploadKey(key) {
		return shop.Errorf(shop.CodeNotFound, "no upload with this key")
	}
	ctx := c.Request().Context()
	up, err := a.images.Upload(ctx, key)
	if err != nil {
		return err
	}
	if time.Since(up.CreatedAt) > media.UploadURLTTL {
		return shop.Errorf(shop.CodeForbidden, "this upload URL has expired (after %s, as a presigned one does): ask for a new one", media.UploadURLTTL)
	}
	req := c.Request()
	if mt, _, err := mime.ParseMediaType(req.Header.Get(echo.HeaderContentType)); err != nil || mt != up.ContentType {
		return &shop.Error{Code: shop.CodeUnsupportedMediaType, Message: "Content-Type must be " + up.ContentType + ", as declared",
			Details: []shop.FieldError{{Field: "Content-Type", Problem: "must be " + up.ContentType}}}
	}
	if req.ContentLength != up.SizeBytes {
		return &shop.Error{Code: shop.CodeInvalidInput, Message: "the body must be exactly the declared size",
			Details: []shop.FieldError{{Field: "Content-Length", Problem: "must be " + strconv.FormatInt(up.SizeBytes, 10)}}}
	}
	if err := a.media.Put(ctx, key, up.ContentType, req.Body, up.SizeBytes); err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return echo.NewHTTPError(http.StatusRequestEntityTooLarge, "the request body is too large")
		}
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// setProductImage makes an upload the product's picture, after checking its bytes: they must
// be there, of the declared size and sniff as the declared type. Variants follow from a job.
func (a *api) setProductImage(c echo.Context) error {
	id, err := pathID(c, "product")
	if err != nil {
		return err
	}
	body, err := a.readBody(c)
	if err != nil {
		return err
	}
	key, err := shop.ParseProductImage(body)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	if _, err := a.products.GetProduct(ctx, id); err != nil {
		return err
	}
	up, err := a.images.Upload(ctx, key)
	if shop.ErrorCode(err) == shop.CodeNotFound {
		return invalidKey("no upload with this key: POST /api/admin/uploads first")
	}
	if err != nil {
		return err
	}
	problem, err := media.CheckUpload(ctx, a.media, key, up.ContentType, up.SizeBytes, shop.MaxUploadBytes)
	if err != nil {
		return err
	}
	if problem != "" {
		return invalidKey(problem)
	}
	p, err := a.images.SetProductImage(ctx, id, key)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, p)
}

func invalidKey(problem string) error {
	return &shop.Error{Code: shop.CodeInvalidInput, Message: "the upload cannot be used: " + problem,
		Details: []shop.FieldError{{Field: "key", Problem: problem}}}
}
