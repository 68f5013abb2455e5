package web

import (
	"bytes"
	"fmt"
	"html/template"
	"io/fs"
	"path"
	"strings"
	"sync"
)

// renderer holds one template set per page: the layouts and partials, cloned,
// plus the page's own file. Sets are parsed once; in dev mode they are parsed
// again for every render so edits show on reload.
type renderer struct {
	fsys  fs.FS
	funcs template.FuncMap
	dev   bool

	mu    sync.Mutex
	pages map[string]*template.Template
}

func newRenderer(fsys fs.FS, funcs template.FuncMap, dev bool) (*renderer, error) {
	r := &renderer{fsys: fsys, funcs: funcs, dev: dev}
	pages, err := r.parse()
	if err != nil {
		return nil, err
	}
	r.pages = pages
	return r, nil
}

func (r *renderer) parse() (map[string]*template.Template, error) {
	base, err := template.New("").Funcs(r.funcs).ParseFS(r.fsys, "layouts/*.html", "partials/*.html")
	if err != nil {
		return nil, fmt.Errorf("parse layouts: %w", err)
	}
	files, err := fs.Glob(r.fsys, "pages/*.html")
	if err != nil {
		return nil, fmt.Errorf("list pages: %w", err)
	}
	pages := make(map[string]*template.Template, len(files))
	for _, f := range files {
		t, err := base.Clone()
		if err != nil {
			return nil, fmt.Errorf("clone layouts for %s: %w", f, err)
		}
		if _, err := t.ParseFS(r.fsys, f); err != nil {
			return nil, fmt.Errorf("parse %s: %w", f, err)
		}
		pages[strings.TrimSuffix(path.Base(f), ".html")] = t
	}
	return pages, nil
}

// render executes page name's layout with data into a buffer, so that a
// failing template sends nothing rather than half a page.
func (r *renderer) render(name string, data any) ([]byte, error) {
	pages := r.pages
	if r.dev {
		r.mu.Lock()
		fresh, err := r.parse()
		r.mu.Unlock()
		if err != nil {
			return nil, err
		}
		pages = fresh
	}
	t, ok := pages[name]
	if !ok {
		return nil, fmt.Errorf("render: no page template %q", name)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", data); err != nil {
		return nil, fmt.Errorf("render %s: %w", name, err)
	}
	return buf.Bytes(), nil
}
