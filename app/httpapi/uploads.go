package httpapi

import (
	"errors"
	"fmt"
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

// uploadTimeout is how long a local upload's body may take to arrive and its answer to be
// written, in place of the server's read (15 s) and write (30 s) timeouts, which would cut off a
// picture sent over a slow line: 5 MiB in 5 minutes is 140 kbit/s. Only an admin, past the
// session check, gets it.
const uploadTimeout = 5 * time.Minute

// putUpload stores an upload's bytes in a local media store. It enforces what a presigned S3
// PUT enforces: the declared Content-Type, exactly the declared length, and the URL's expiry.
// A slot takes its bytes once (media.Local.Create), so a picture checked and attached to a
// product cannot be replaced under the same key; a PUT that failed stored nothing and may be
// repeated.
func (a *api) putUpload(c echo.Context) error {
	local, ok := a.media.(*media.Local)
	if !ok {
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
		msg := fmt.Sprintf("Content-Length is %d, the upload slot expects exactly %d bytes, as declared", req.ContentLength, up.SizeBytes)
		if req.ContentLength < 0 {
			msg = fmt.Sprintf("Content-Length is required: the upload slot expects exactly %d bytes, as declared", up.SizeBytes)
		}
		return &shop.Error{Code: shop.CodeInvalidInput, Message: msg,
			Details: []shop.FieldError{{Field: "Content-Length", Problem: "must be " + strconv.FormatInt(up.SizeBytes, 10)}}}
	}
	if _, err := local.Stat(ctx, key); err == nil {
		return alreadyUploaded()
	} else if !errors.Is(err, media.ErrNotFound) {
		return err
	}
	a.extendDeadlines(c, uploadTimeout)
	err = local.Create(ctx, key, up.ContentType, req.Body, up.SizeBytes)
	var tooLarge *http.MaxBytesError
	var wrongSize *media.SizeError
	var broken *media.BodyError
	switch {
	case errors.Is(err, media.ErrExists):
		return alreadyUploaded() // a concurrent PUT to the same slot stored first
	case errors.As(err, &tooLarge):
		return bodyTooLarge(tooLarge.Limit)
	case errors.As(err, &wrongSize):
		got := strconv.FormatInt(wrongSize.Got, 10)
		if wrongSize.Got > wrongSize.Want {
			got = "more than " + strconv.FormatInt(wrongSize.Want, 10)
		}
		return shop.Errorf(shop.CodeUploadSizeMismatch, "the body is %s bytes, the upload slot expects %d: nothing was stored; send the whole file again",
			got, wrongSize.Want)
	case errors.As(err, &broken):
		return echo.NewHTTPError(http.StatusBadRequest, fmt.Sprintf(
			"the body could not be read after %d of %d bytes: nothing was stored; send the whole file again", broken.Read, broken.Want))
	case err != nil:
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func alreadyUploaded() error {
	return shop.Errorf(shop.CodeAlreadyUploaded, "this upload slot holds its bytes already and takes them only once: "+
		"attach it with POST /api/admin/products/{id}/image, or ask POST /api/admin/uploads for a new slot")
}

// extendDeadlines gives the request d from now to be read and answered. A writer that cannot
// set deadlines (a test's recorder) keeps the server's.
func (a *api) extendDeadlines(c echo.Context, d time.Duration) {
	rc := http.NewResponseController(c.Response())
	deadline := time.Now().Add(d)
	err := errors.Join(rc.SetReadDeadline(deadline), rc.SetWriteDeadline(deadline))
	if err != nil && !errors.Is(err, http.ErrNotSupported) {
		a.log.WarnContext(c.Request().Context(), "the upload keeps the server's timeouts: setting its deadlines failed", "err", err)
	}
}

// setProductImage makes an upload the product's picture, after checking its bytes: they must
// be there, of the declared size and sniff as the declared type. Variants follow from a job.
func (a *api) setProductImage(c echo.Context) error {
	id, err := pathID(c, "product")
	if err != nil {
		return err
	}
	key, err := bodyAs(a, c, shop.ParseProductImage)
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
