package media

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"mime"
	"os"
	"path"
)

// LocalUploadPath is where the shop itself takes uploads for Local: PUT LocalUploadPath + key.
const LocalUploadPath = "/api/admin/uploads/"

// Local keeps objects as files under a directory (SHOP_MEDIA_DIR). Every file operation goes
// through an os.Root, so neither ".." nor a symlink can leave it.
type Local struct {
	root       *os.Root
	dir        string
	publicBase string
}

var _ Store = (*Local)(nil)

// NewLocal opens (creating it, mode 0700) the directory dir; publicBase prefixes public URLs
// (default /media).
func NewLocal(dir, publicBase string) (*Local, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("media: local dir: %w", err)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("media: local dir: %w", err)
	}
	if publicBase == "" {
		publicBase = "/media"
	}
	return &Local{root: root, dir: dir, publicBase: publicBase}, nil
}

// Dir is the directory the store keeps its files in.
func (l *Local) Dir() string { return l.dir }

// Close releases the directory.
func (l *Local) Close() error { return l.root.Close() }

// Put writes to a temporary file beside the key and renames it into place, so a reader never
// sees half an object. A body of other than size bytes stores nothing and is a *SizeError; a
// body that fails to read is a *BodyError.
func (l *Local) Put(_ context.Context, key, _ string, body io.Reader, size int64) error {
	return l.put(key, body, size, l.root.Rename)
}

// Create is Put for a key that must hold nothing yet, as an upload slot takes its bytes once:
// an object already at key is kept and ErrExists returned. The temporary file is hard-linked
// into place, which fails on an existing name, so of two racing Creates exactly one stores.
func (l *Local) Create(_ context.Context, key, _ string, body io.Reader, size int64) error {
	return l.put(key, body, size, func(tmp, key string) error {
		err := l.root.Link(tmp, key)
		if errors.Is(err, fs.ErrExist) {
			return ErrExists
		}
		return err
	})
}

// put writes exactly size bytes of body to a temporary file beside key and hands it to place;
// the temporary file is gone afterwards whatever happened.
func (l *Local) put(key string, body io.Reader, size int64, place func(tmp, key string) error) error {
	if err := checkKey(key); err != nil {
		return err
	}
	if err := l.root.MkdirAll(path.Dir(key), 0o700); err != nil {
		return fmt.Errorf("media: put %s: %w", key, err)
	}
	var rnd [8]byte
	_, _ = rand.Read(rnd[:])
	tmp := path.Join(path.Dir(key), ".tmp-"+hex.EncodeToString(rnd[:]))
	f, err := l.root.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("media: put %s: %w", key, err)
	}
	defer func() { _ = l.root.Remove(tmp) }() // after a rename there is nothing left to remove
	// One byte more than size is read, so a longer body is told from an exact one.
	src := &countingReader{r: io.LimitReader(body, size+1)}
	_, err = io.Copy(f, src)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	switch {
	case src.err != nil && !errors.Is(src.err, io.ErrUnexpectedEOF):
		return &BodyError{Key: key, Read: src.n, Want: size, Err: src.err}
	case src.err != nil || (err == nil && src.n != size):
		// io.ErrUnexpectedEOF is a body that ended before its Content-Length: a short body.
		return &SizeError{Key: key, Got: src.n, Want: size}
	case err != nil:
		return fmt.Errorf("media: put %s: %w", key, err)
	}
	if err := place(tmp, key); err != nil {
		return fmt.Errorf("media: put %s: %w", key, err)
	}
	return nil
}

// countingReader counts the bytes read through it and keeps the reader's error (not io.EOF),
// so put can tell the client's side failing (the body) from its own (the file).
type countingReader struct {
	r   io.Reader
	n   int64
	err error
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	if err != nil && err != io.EOF { //nolint:errorlint // io.EOF is returned unwrapped by contract
		c.err = err
	}
	return n, err
}

// Get opens the file at key.
func (l *Local) Get(_ context.Context, key string) (io.ReadCloser, Object, error) {
	if err := checkKey(key); err != nil {
		return nil, Object{}, err
	}
	f, err := l.root.Open(key)
	if err != nil {
		return nil, Object{}, l.notFound(key, err)
	}
	st, err := f.Stat()
	if err != nil || !st.Mode().IsRegular() {
		_ = f.Close()
		return nil, Object{}, fmt.Errorf("media: get %s: %w", key, ErrNotFound)
	}
	return f, l.object(key, st), nil
}

// Stat describes the file at key.
func (l *Local) Stat(_ context.Context, key string) (Object, error) {
	if err := checkKey(key); err != nil {
		return Object{}, err
	}
	st, err := l.root.Stat(key)
	if err != nil {
		return Object{}, l.notFound(key, err)
	}
	if !st.Mode().IsRegular() {
		return Object{}, fmt.Errorf("media: stat %s: %w", key, ErrNotFound)
	}
	return l.object(key, st), nil
}

// Delete removes the file at key.
func (l *Local) Delete(_ context.Context, key string) error {
	if err := checkKey(key); err != nil {
		return err
	}
	if err := l.root.Remove(key); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("media: delete %s: %w", key, err)
	}
	return nil
}

// URL is publicBase/key.
func (l *Local) URL(key string) string { return joinURL(l.publicBase, key) }

// PresignPut sends the client to the shop's own upload route, which checks the admin session,
// the content type and the length itself (nothing to sign).
func (l *Local) PresignPut(_ context.Context, key, contentType string, _ int64) (Upload, error) {
	if err := checkKey(key); err != nil {
		return Upload{}, err
	}
	return Upload{URL: LocalUploadPath + key, Method: "PUT", Headers: map[string]string{"Content-Type": contentType}}, nil
}

// PresignGet returns "": the shop streams private objects of a Local store itself.
func (l *Local) PresignGet(context.Context, string) (string, error) { return "", nil }

func (l *Local) object(key string, st fs.FileInfo) Object {
	return Object{Size: st.Size(), ContentType: mime.TypeByExtension(path.Ext(key)), ModTime: st.ModTime()}
}

func (l *Local) notFound(key string, err error) error {
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("media: %s: %w", key, ErrNotFound)
	}
	return fmt.Errorf("media: %s: %w", key, err)
}
