package web

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
)

// assets serves static files under content-hashed names ("css/app.3f2a9c1b7e.css")
// with a one-year immutable cache: a changed file gets a new name, so browsers
// never hold a stale copy and never ask twice for a current one. (The hashfs
// module that does this is not served by our module proxy; this is the small
// part of it we need.)
type assets struct {
	fsys    fs.FS
	dev     bool
	hashed  map[string]string // "css/app.css" → "css/app.3f2a9c1b7e.css"
	origins map[string]string // the reverse
}

func newAssets(fsys fs.FS, dev bool) (*assets, error) {
	a := &assets{fsys: fsys, dev: dev, hashed: map[string]string{}, origins: map[string]string{}}
	err := fs.WalkDir(fsys, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasSuffix(name, ".go") {
			return err
		}
		f, err := fsys.Open(name)
		if err != nil {
			return err
		}
		defer f.Close()
		h := sha256.New()
		if _, err := io.Copy(h, f); err != nil {
			return fmt.Errorf("hash %s: %w", name, err)
		}
		ext := path.Ext(name)
		hashedName := strings.TrimSuffix(name, ext) + "." + hex.EncodeToString(h.Sum(nil))[:10] + ext
		a.hashed[name] = hashedName
		a.origins[hashedName] = name
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("index static files: %w", err)
	}
	return a, nil
}

// url returns the public URL of a static file; an unknown name is an error,
// so a typo in a template fails the page test rather than a browser.
func (a *assets) url(name string) (string, error) {
	if a.dev {
		return "/static/" + name, nil
	}
	h, ok := a.hashed[name]
	if !ok {
		return "", fmt.Errorf("no static file %q", name)
	}
	return "/static/" + h, nil
}

// serve handles GET /static/*. It never touches the database.
func (a *assets) serve(c echo.Context) error {
	name := c.Param("*")
	w := c.Response()
	if orig, ok := a.origins[name]; ok && !a.dev {
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		return a.send(c, orig)
	}
	if _, ok := a.hashed[name]; ok || a.dev {
		// The unhashed name works too, but must be revalidated.
		w.Header().Set("Cache-Control", "no-cache")
		return a.send(c, name)
	}
	return echo.ErrNotFound
}

func (a *assets) send(c echo.Context, name string) error {
	if !fs.ValidPath(name) || strings.HasSuffix(name, ".go") {
		return echo.ErrNotFound
	}
	f, err := a.fsys.Open(name)
	if err != nil {
		return echo.ErrNotFound
	}
	defer f.Close()
	rs, ok := f.(io.ReadSeeker)
	if !ok {
		return fmt.Errorf("static file %s is not seekable", name)
	}
	http.ServeContent(c.Response(), c.Request(), name, time.Time{}, rs)
	return nil
}
