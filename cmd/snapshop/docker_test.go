package main

import (
	"bufio"
	"debug/buildinfo"
	"debug/elf"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestDockerfileStepsOutsideDocker does what the Dockerfile does, without a
// Docker engine: it builds the binary with the Dockerfile's own build
// command, checks it is static (no ELF interpreter, no shared libraries,
// CGO_ENABLED=0 in its build info), then runs `serve` as the Dockerfile's
// USER (a uid with no passwd entry, as in the distroless image) with its
// ENV, a data directory that is the only place that user may write (the
// working directory, the binary's and HOME are not), and checks /readyz,
// a page, a clean SIGTERM, and that everything written is in the data
// directory. It needs root, to switch users; it takes a minute or two the
// first time (a -trimpath build), seconds once cached.
func TestDockerfileStepsOutsideDocker(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the release binary")
	}
	if os.Geteuid() != 0 {
		t.Skip("needs root to run the server as the Dockerfile's non-root user")
	}
	root := moduleRoot(t)
	df := parseDockerfile(t, filepath.Join(root, "Dockerfile"))

	base := t.TempDir()
	for _, d := range []string{filepath.Dir(base), base} {
		if err := os.Chmod(d, 0o755); err != nil { // #nosec G302 -- the test's own directories, traversable by the server's user
			t.Fatal(err)
		}
	}
	bin := filepath.Join(base, "bin")
	if err := os.Mkdir(bin, 0o755); err != nil { // #nosec G301 -- read-only to the server's user, as /usr/local/bin is
		t.Fatal(err)
	}
	exe := filepath.Join(bin, "snapshop")
	build := exec.CommandContext(t.Context(), "sh", "-c", strings.ReplaceAll(df.build, df.out, exe)) // #nosec G204 -- the repository's own Dockerfile
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", df.build, err, out)
	}
	checkStatic(t, exe)

	data := filepath.Join(base, "data")
	if err := os.Mkdir(data, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(data, df.uid, df.gid); err != nil {
		t.Fatal(err)
	}
	started := time.Now()
	cmd := exec.CommandContext(t.Context(), exe, df.cmd...) // #nosec G204 -- the binary just built
	cmd.Dir = bin
	cmd.Env = []string{"HOME=/nonexistent", "PATH=/usr/bin:/bin"}
	for k, v := range df.env {
		if v == df.volume || strings.HasPrefix(v, df.volume+"/") {
			v = data + strings.TrimPrefix(v, df.volume)
		}
		if k == "SNAPSHOP_ADDR" {
			v = "127.0.0.1:0" // the image's port may be taken here
		}
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uint32(df.uid), Gid: uint32(df.gid)}} // #nosec G115 -- ids parsed from the Dockerfile's USER, small
	logPath := filepath.Join(base, "serve.log")
	logFile, err := os.Create(logPath) // #nosec G304 -- the test's own directory
	if err != nil {
		t.Fatal(err)
	}
	defer logFile.Close()
	cmd.Stderr = logFile
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill() }()
	logs := func() string { b, _ := os.ReadFile(logPath); return string(b) } // #nosec G304 -- as above

	// The JSON log says where it listens.
	var base0 string
	waitUntil(t, "serve to listen", func() bool {
		sc := bufio.NewScanner(strings.NewReader(logs()))
		for sc.Scan() {
			var line struct{ Msg, Addr string }
			if json.Unmarshal(sc.Bytes(), &line) == nil && line.Msg == "listening" {
				base0 = "http://" + line.Addr
				return true
			}
		}
		if st, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", cmd.Process.Pid)); err != nil || strings.Contains(string(st), ") Z ") {
			t.Fatalf("serve exited:\n%s", logs())
		}
		return false
	})
	if uid := procUID(t, cmd.Process.Pid); uid != df.uid {
		t.Fatalf("serve runs as uid %d, want the Dockerfile's %d", uid, df.uid)
	}
	hc := &http.Client{Timeout: 5 * time.Second}
	waitUntil(t, "/readyz to answer 200", func() bool {
		res, err := hc.Get(base0 + "/readyz")
		if err != nil {
			return false
		}
		_ = res.Body.Close()
		return res.StatusCode == http.StatusOK
	})
	res, err := hc.Get(base0 + "/")
	if err != nil {
		t.Fatal(err)
	}
	_ = res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("home page: %d", res.StatusCode)
	}

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("serve after SIGTERM: %v\n%s", err, logs())
	}

	// What it wrote is in the data directory, and is its own.
	var files int
	err = filepath.WalkDir(data, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		files++
		if uid := ownerOf(t, p); uid != df.uid {
			t.Errorf("%s is owned by uid %d", p, uid)
		}
		return nil
	})
	if err != nil || files < 3 {
		t.Fatalf("data directory: %d entries, %v", files, err)
	}
	if fi, err := os.Stat(filepath.Join(data, "secret.key")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("secret key: %v %v", fi, err)
	}
	if entries, err := os.ReadDir(bin); err != nil || len(entries) != 1 {
		t.Fatalf("the binary's directory changed: %v %v", entries, err)
	}
	// Nothing of the server's user in the world-writable /tmp either.
	entries, err := os.ReadDir(os.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		p := filepath.Join(os.TempDir(), e.Name())
		if fi, err := os.Lstat(p); err == nil && fi.ModTime().After(started) && ownerOf(t, p) == df.uid {
			t.Errorf("the server wrote %s outside its data directory", p)
		}
	}
}

// dockerfile is what the test takes from the Dockerfile.
type dockerfile struct {
	build, out string // the build command, and the binary it writes
	uid, gid   int
	env        map[string]string
	volume     string
	cmd        []string // ENTRYPOINT's arguments: CMD
}

func parseDockerfile(t *testing.T, name string) dockerfile {
	t.Helper()
	b, err := os.ReadFile(name) // #nosec G304 -- the repository's Dockerfile
	if err != nil {
		t.Fatal(err)
	}
	// Join continued lines, drop comments.
	var lines []string
	cur := ""
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), "#") {
			continue
		}
		if s, ok := strings.CutSuffix(l, "\\"); ok {
			cur += s + " "
			continue
		}
		lines = append(lines, strings.TrimSpace(cur+l))
		cur = ""
	}
	df := dockerfile{env: map[string]string{}}
	buildRE := regexp.MustCompile(`(CGO_ENABLED=0 go build .* -o (\S+) \S+)`)
	envRE := regexp.MustCompile(`(\w+)=(\S+)`)
	for _, l := range lines {
		kw, rest, _ := strings.Cut(l, " ")
		switch kw {
		case "RUN":
			for _, part := range strings.Split(rest, "&&") {
				if m := buildRE.FindStringSubmatch(strings.TrimSpace(part)); m != nil {
					df.build, df.out = m[1], m[2]
				}
			}
		case "ENV":
			for _, m := range envRE.FindAllStringSubmatch(rest, -1) {
				df.env[m[1]] = m[2]
			}
		case "USER":
			u, g, _ := strings.Cut(rest, ":")
			df.uid, _ = strconv.Atoi(u)
			df.gid, _ = strconv.Atoi(g)
		case "VOLUME":
			df.volume = strings.TrimSpace(rest)
		case "CMD":
			if err := json.Unmarshal([]byte(rest), &df.cmd); err != nil {
				t.Fatalf("CMD %s: %v", rest, err)
			}
		}
	}
	if df.build == "" || df.uid == 0 || df.gid == 0 || df.volume == "" || len(df.cmd) == 0 || df.env["SNAPSHOP_DATA"] != df.volume {
		t.Fatalf("Dockerfile: want a CGO_ENABLED=0 go build, a non-root USER uid:gid, a VOLUME that is SNAPSHOP_DATA, and a CMD; read %+v", df)
	}
	return df
}

// checkStatic fails unless exe is a static Go binary built without cgo.
func checkStatic(t *testing.T, exe string) {
	t.Helper()
	f, err := elf.Open(exe)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP || p.Type == elf.PT_DYNAMIC {
			t.Fatalf("%s is dynamically linked (%v)", exe, p.Type)
		}
	}
	if libs, err := f.ImportedLibraries(); err == nil && len(libs) > 0 {
		t.Fatalf("%s needs %v", exe, libs)
	}
	info, err := buildinfo.ReadFile(exe)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range info.Settings {
		if s.Key == "CGO_ENABLED" && s.Value != "0" {
			t.Fatalf("%s built with CGO_ENABLED=%s", exe, s.Value)
		}
	}
}

func procUID(t *testing.T, pid int) int {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^Uid:\s+(\d+)`).FindSubmatch(b)
	if m == nil {
		t.Fatalf("no Uid in /proc/%d/status", pid)
	}
	uid, _ := strconv.Atoi(string(m[1]))
	return uid
}

func ownerOf(t *testing.T, p string) int {
	t.Helper()
	fi, err := os.Lstat(p)
	if err != nil {
		t.Fatal(err)
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		t.Fatalf("no owner for %s", p)
	}
	return int(st.Uid)
}
