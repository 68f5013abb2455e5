package metadata

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"testing"
	"time"
)

// goexifModule ships real camera JPEGs in exif/samples. The test only reads them from the
// module cache: nothing is copied into this repository and go.mod is not touched.
const goexifModule = "github.com/rwcarlsen/goexif@v0.0.0-20190401172101-9e8deecbddbd"

func goexifSamples(t *testing.T) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", "mod", "download", "-json", goexifModule)
	cmd.Dir = t.TempDir() // outside this module, so nothing is recorded in go.mod or go.sum
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=")
	out, err := cmd.Output()
	if err != nil {
		t.Skipf("skipping: cannot download %s (offline?): %v", goexifModule, err)
	}
	var info struct{ Dir string }
	if err := json.Unmarshal(out, &info); err != nil || info.Dir == "" {
		t.Skipf("skipping: unexpected output from go mod download: %v %s", err, out)
	}
	dir := filepath.Join(info.Dir, "exif")
	if _, err := os.Stat(filepath.Join(dir, "samples")); err != nil {
		t.Skipf("skipping: %s has no exif/samples: %v", goexifModule, err)
	}
	return dir
}

// TestCameraSamples reads every sample JPEG and checks the values where they are known.
// Expected values were cross-checked against goexif's own regression table.
func TestCameraSamples(t *testing.T) {
	dir := goexifSamples(t)
	files, err := filepath.Glob(filepath.Join(dir, "samples", "*.jpg"))
	if err != nil || len(files) < 50 {
		t.Fatalf("expected the goexif samples, found %d (%v)", len(files), err)
	}
	files = append(files, filepath.Join(dir, "sample1.jpg"))
	got := make(map[string]Metadata)
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		md, err := Read(data)
		if err != nil {
			t.Errorf("%s: %v", filepath.Base(f), err)
		}
		checkInvariants(t, md)
		if md.CameraMake == "" && md.Orientation == 0 {
			t.Errorf("%s: no EXIF found", filepath.Base(f))
		}
		got[filepath.Base(f)] = md
	}

	utc := func(y int, mo time.Month, d, h, mi, s, ns int) time.Time {
		return time.Date(y, mo, d, h, mi, s, ns, time.UTC)
	}
	tests := []struct {
		file string
		want Metadata
		lat  float64
		lon  float64
	}{
		{"has-lens-info.jpg", Metadata{CameraMake: "Apple", CameraModel: "iPhone 4S", Lens: "iPhone 4S back camera 4.28mm f/2.4",
			FocalLength: 4.28, Aperture: 2.4, ExposureTime: "1/1284", ISO: 50, Orientation: 6, TakenAt: utc(2014, 9, 1, 15, 3, 47, 880e6)},
			59 + 19.0/60 + 57.17/3600, 18 + 3.0/60 + 53.79/3600},
		// Make is broken in IFD0 and correct in the Exif IFD; GPS is an ASCII string.
		{"geodegrees_as_string.jpg", Metadata{CameraMake: "HTC", CameraModel: "HTC One_M8", FocalLength: 3, ISO: 125,
			TakenAt: utc(2014, 4, 26, 19, 9, 19, 0)}, 52 + 50.0/60 + 34.0118/3600, 11 + 10.0/60 + 58.2836/3600},
		{"2012-12-19-21-38-40-sep-temple_square1.jpg", Metadata{CameraMake: "HTC", CameraModel: "ADR6400L", FocalLength: 4.57, ISO: 801,
			TakenAt: utc(2012, 12, 19, 21, 38, 40, 0)}, 40 + 46.0/60 + 13.22/3600, -(111 + 53.0/60 + 28.40/3600)},
		{"2004-01-11-22-45-15-sep-2004-01-11-22-45-15a.jpg", Metadata{CameraMake: "Samsung Techwin", CameraModel: "U-CA 501",
			FocalLength: 7.45, Aperture: 3.2, ExposureTime: "1/30", ISO: 150, Orientation: 1, TakenAt: utc(2004, 1, 11, 22, 45, 15, 0)}, 0, 0},
		{"2012-12-21-11-15-19-sep-IMG_0001.jpg", Metadata{CameraMake: "Canon", CameraModel: "Canon EOS REBEL T4i",
			Lens: "EF-S18-55mm f/3.5-5.6 IS II", FocalLength: 24, Aperture: 4.5, ExposureTime: "1/30", ISO: 1600, Orientation: 1,
			TakenAt: utc(2012, 12, 21, 11, 15, 19, 0)}, 0, 0},
		{"2011-10-28-18-25-43-sep-2011-10-28-18-25-43.jpg", Metadata{CameraMake: "NIKON CORPORATION", CameraModel: "NIKON D80",
			FocalLength: 80, Aperture: 5.6, ExposureTime: "1/60", ISO: 1250, Orientation: 1, TakenAt: utc(2011, 10, 28, 18, 25, 43, 500e6)}, 0, 0},
		{"2007-06-26-10-13-04-sep-2007-06-26-10-13-04a.jpg", Metadata{CameraMake: "CEC", CameraModel: "DV", Aperture: 3,
			ExposureTime: "1/125", ISO: 100, Orientation: 1, Copyright: "Copyright2004", TakenAt: utc(2007, 6, 26, 10, 13, 4, 0)}, 0, 0},
		{"FailedHash-NoDate-sep-remembory.jpg", Metadata{CameraMake: "Brother", CameraModel: "MFC-7840W", Orientation: 1}, 0, 0},
		{"sample1.jpg", Metadata{CameraMake: "NIKON CORPORATION", CameraModel: "NIKON D2H", FocalLength: 23.33, Aperture: 4.5,
			ExposureTime: "1/125", Orientation: 1, TakenAt: utc(2003, 11, 23, 18, 7, 37, 630e6)}, 39 + 54.0/60 + 56.0/3600, 116 + 23.0/60 + 27.0/3600},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			md, ok := got[tt.file]
			if !ok {
				t.Fatal("sample missing")
			}
			if tt.lat != 0 {
				if md.GPS == nil || !nearTo(md.GPS.Latitude, tt.lat, 1e-6) || !nearTo(md.GPS.Longitude, tt.lon, 1e-6) {
					t.Errorf("GPS = %+v, want %v,%v", md.GPS, tt.lat, tt.lon)
				}
			} else if md.GPS != nil {
				t.Errorf("GPS = %+v, want none", md.GPS)
			}
			if !md.TakenAt.Equal(tt.want.TakenAt) {
				t.Errorf("TakenAt = %v, want %v", md.TakenAt, tt.want.TakenAt)
			}
			md.GPS, md.TakenAt, tt.want.TakenAt = nil, time.Time{}, time.Time{}
			if !reflect.DeepEqual(md, tt.want) {
				t.Errorf("got  %+v\nwant %+v", md, tt.want)
			}
		})
	}
	for i := 1; i <= 8; i++ {
		name := "f" + itoa(i) + "-exif.jpg"
		if got[name].Orientation != i {
			t.Errorf("%s: Orientation = %d", name, got[name].Orientation)
		}
	}
}

func nearTo(a, b, eps float64) bool { return a-b < eps && b-a < eps }
