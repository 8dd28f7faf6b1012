package media

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
)

// CheckUpload inspects the bytes stored at key against what the upload declared: they must
// exist, be exactly declaredSize (at most maxSize) bytes, and sniff as declaredType
// (net/http.DetectContentType, the WHATWG algorithm, which knows JPEG, PNG and WebP). problem
// is a message for the client when the upload is refused; err an internal failure.
func CheckUpload(ctx context.Context, st Store, key, declaredType string, declaredSize, maxSize int64) (problem string, err error) {
	rc, obj, err := st.Get(ctx, key)
	if errors.Is(err, ErrNotFound) {
		return "nothing was uploaded to this key yet: PUT the bytes to the upload URL first", nil
	}
	if err != nil {
		return "", err
	}
	defer rc.Close()
	if obj.Size > maxSize {
		return fmt.Sprintf("the upload is %d bytes; at most %d are accepted", obj.Size, maxSize), nil
	}
	if obj.Size != declaredSize {
		return fmt.Sprintf("the upload is %d bytes, not the %d declared", obj.Size, declaredSize), nil
	}
	head := make([]byte, 512)
	n, err := io.ReadFull(rc, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("media: read %s: %w", key, err)
	}
	if sniffed := http.DetectContentType(head[:n]); sniffed != declaredType {
		return fmt.Sprintf("the bytes are %s, not the declared %s", sniffed, declaredType), nil
	}
	return "", nil
}
