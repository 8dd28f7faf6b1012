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
// sees half an object.
func (l *Local) Put(_ context.Context, key, _ string, body io.Reader, size int64) error {
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
	n, err := io.Copy(f, io.LimitReader(body, size+1))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil && n != size {
		err = fmt.Errorf("got %d bytes, want %d", n, size)
	}
	if err == nil {
		err = l.root.Rename(tmp, key)
	}
	if err != nil {
		_ = l.root.Remove(tmp)
		return fmt.Errorf("media: put %s: %w", key, err)
	}
	return nil
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
