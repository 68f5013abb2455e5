package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/snapshop/snapshop/app/config"
	"github.com/snapshop/snapshop/media/synth"
)

// journeySite is the real program for the browser journeys: started
// in-process on a free port with a fresh data directory, an admin made on
// the command line as the README says, and a small catalogue already
// published by another contributor, so that searching and narrowing have
// something to narrow.
type journeySite struct {
	base string
	hc   *http.Client
}

const (
	journeyAdmin         = "ada"
	journeyAdminPassword = "ada's long admin password"
)

func startJourneySite(t *testing.T) *journeySite {
	t.Helper()
	vars := map[string]string{
		"SNAPSHOP_DATA":      t.TempDir(),
		"SNAPSHOP_LOG_LEVEL": "warn",
		// Small photos keep uploading and processing quick; the limits
		// themselves are tested elsewhere.
		"SNAPSHOP_MIN_MEGAPIXELS": "0.5",
	}
	e, _, _ := testEnv(vars, "")
	for _, u := range [][]string{{journeyAdmin, "admin", journeyAdminPassword}, {"sam", "contributor", "sam's long password"}} {
		if err := run(t.Context(), []string{"user", "create", "--username", u[0], "--email", u[0] + "@example.com", "--role", u[1], "--password", u[2]}, e); err != nil {
			t.Fatalf("user create %s: %v", u[0], err)
		}
	}
	cfg, err := config.FromEnv(func(k string) (string, bool) { v, ok := vars[k]; return v, ok })
	if err != nil {
		t.Fatal(err)
	}
	cfg.Addr = "127.0.0.1:0"
	m, _, _ := startMain(t, cfg)
	s := &journeySite{base: "http://" + m.Addr(), hc: &http.Client{Timeout: 30 * time.Second}}
	s.seedCatalogue(t)
	return s
}

// catalogueSeed is a published photo of the other contributor. Both match
// "harbour"; one is in the journey photo's category but portrait, the other
// landscape but in another category, so each facet the buyer picks drops one.
var catalogueSeed = []struct {
	title, category string
	width, height   int
	seed            int64
}{
	{"Harbour steps in the rain", "travel", 800, 1200, 101},
	{"Harbour cranes at work", "industry", 1200, 800, 102},
}

// seedCatalogue publishes catalogueSeed through the JSON API, as a script
// of the other contributor and the admin would.
func (s *journeySite) seedCatalogue(t *testing.T) {
	t.Helper()
	sam := s.token(t, "sam", "sam's long password")
	admin := s.token(t, journeyAdmin, journeyAdminPassword)
	for _, p := range catalogueSeed {
		photo, err := synth.JPEG(p.width, p.height, p.seed, 85)
		if err != nil {
			t.Fatal(err)
		}
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		fw, _ := mw.CreateFormFile("files", strings.ToLower(strings.ReplaceAll(p.title, " ", "-"))+".jpg")
		_, _ = fw.Write(photo)
		_ = mw.Close()
		var up struct {
			Images []struct{ ID string } `json:"images"`
		}
		s.api(t, "POST", "/api/v1/uploads", sam, mw.FormDataContentType(), &body, http.StatusAccepted, &up)
		if len(up.Images) != 1 {
			t.Fatalf("upload %q: %+v", p.title, up)
		}
		id := up.Images[0].ID
		waitUntil(t, "the seed photo to be processed", func() bool {
			var img struct{ Status string }
			s.api(t, "GET", "/api/v1/images/"+id, sam, "", nil, http.StatusOK, &img)
			return img.Status == "draft"
		})
		desc, _ := json.Marshal(map[string]any{
			"title": p.title, "category": p.category, "usage": "commercial", "ai_declaration": "none",
			"keywords": []string{"harbour", "boats", "sea", "coast", "town"},
		})
		s.api(t, "PATCH", "/api/v1/images/"+id, sam, "application/json", bytes.NewReader(desc), http.StatusOK, nil)
		s.api(t, "POST", "/api/v1/images/"+id+"/submit", sam, "", nil, http.StatusOK, nil)
		s.api(t, "POST", "/api/v1/admin/images/"+id+"/approve", admin, "", nil, http.StatusOK, nil)
	}
	s.waitSearchable(t, "harbour", len(catalogueSeed))
}

// waitSearchable waits until a search for q finds total images.
func (s *journeySite) waitSearchable(t *testing.T, q string, total int) {
	t.Helper()
	waitUntil(t, fmt.Sprintf("%d images to be found for %q", total, q), func() bool {
		var res struct{ Total int }
		s.api(t, "GET", "/api/v1/search?q="+url.QueryEscape(q), "", "", nil, http.StatusOK, &res)
		return res.Total == total
	})
}

func (s *journeySite) token(t *testing.T, login, password string) string {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"login": login, "password": password})
	var out struct{ Token string }
	s.api(t, "POST", "/api/v1/tokens", "", "application/json", bytes.NewReader(body), http.StatusCreated, &out)
	return out.Token
}

// api calls the JSON API and decodes the answer into out (if not nil).
func (s *journeySite) api(t *testing.T, method, path, token, contentType string, body io.Reader, want int, out any) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, s.base+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	res, err := s.hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != want {
		t.Fatalf("%s %s: %d, want %d: %s", method, path, res.StatusCode, want, b)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s %s: %v: %s", method, path, err, b)
		}
	}
}

// journeyPhotos writes the contributor's two photos to disk, where the
// browser picks them up as dropped files, and returns their paths and bytes.
func journeyPhotos(t *testing.T) (paths []string, data [][]byte) {
	t.Helper()
	dir := t.TempDir()
	for i, p := range []struct {
		name          string
		width, height int
		seed          int64
	}{
		{"harbour-at-dawn.jpg", 1200, 800, 201},
		{"blurry-crane.jpg", 1200, 800, 202},
	} {
		b, err := synth.JPEG(p.width, p.height, p.seed, 90)
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, p.name)
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(fmt.Errorf("photo %d: %w", i, err))
		}
		paths, data = append(paths, path), append(data, b)
	}
	return paths, data
}
