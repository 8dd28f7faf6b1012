package httpapi

import (
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/shopstack/shopstack/app/media"
)

// mediaPrefix is where `shop serve` serves a local media store's public keys, as CloudFront
// serves the bucket's in AWS.
const mediaPrefix = "/media/"

// serveMedia answers GET /media/<key> from a local media store: only keys under
// media.PublicPrefix (uploads and invoices are private), only valid keys (no "..", no empty
// segments: media.ValidKey), never a directory listing. Variants never change under their key,
// so they are cached for a year.
func (a *api) serveMedia(c echo.Context) error {
	local, ok := a.media.(*media.Local)
	key := strings.TrimPrefix(c.Request().URL.Path, mediaPrefix)
	if !ok || !media.ValidKey(key) || !strings.HasPrefix(key, media.PublicPrefix) {
		return echo.ErrNotFound
	}
	rc, obj, err := local.Get(c.Request().Context(), key)
	if errors.Is(err, media.ErrNotFound) {
		return echo.ErrNotFound
	}
	if err != nil {
		return err
	}
	defer rc.Close()
	rs, ok := rc.(io.ReadSeeker)
	if !ok {
		return errors.New("media: local object is not seekable")
	}
	h := c.Response().Header()
	h.Set("Cache-Control", media.PublicCacheControl)
	h.Set("X-Content-Type-Options", "nosniff")
	if obj.ContentType != "" {
		h.Set(echo.HeaderContentType, obj.ContentType)
	}
	http.ServeContent(c.Response(), c.Request(), key, obj.ModTime, rs)
	return nil
}
