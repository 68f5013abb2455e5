package app

import "testing"

func TestImageStatusTransitions(t *testing.T) {
	allowed := map[[2]ImageStatus]bool{
		{StatusProcessing, StatusDraft}:  true,
		{StatusProcessing, StatusFailed}: true,
		{StatusDraft, StatusPending}:     true,
		{StatusPending, StatusApproved}:  true,
		{StatusPending, StatusRejected}:  true,
		{StatusRejected, StatusPending}:  true,
		{StatusApproved, StatusRemoved}:  true,
		{StatusRemoved, StatusApproved}:  true,
	}
	for _, from := range ImageStatuses() {
		for _, to := range ImageStatuses() {
			if got, want := from.CanBecome(to), allowed[[2]ImageStatus{from, to}]; got != want {
				t.Errorf("%s → %s: CanBecome = %v, want %v", from, to, got, want)
			}
		}
	}
	for st, want := range map[ImageStatus]bool{StatusDraft: true, StatusRejected: true, StatusApproved: true, StatusPending: false, StatusProcessing: false, StatusFailed: false, StatusRemoved: false} {
		if st.Editable() != want {
			t.Errorf("%s.Editable() = %v", st, !want)
		}
	}
}

func TestOrientationAndSlugs(t *testing.T) {
	for _, c := range []struct {
		w, h int
		want Orientation
	}{{6000, 4000, Landscape}, {4000, 6000, Portrait}, {4000, 4100, Square}, {8000, 3000, Panorama}, {3000, 8000, Panorama}, {0, 10, ""}} {
		if got := OrientationOf(c.w, c.h); got != c.want {
			t.Errorf("OrientationOf(%d, %d) = %q, want %q", c.w, c.h, got, c.want)
		}
	}
	img := &Image{PublicID: "abcdefghijklmnop", Title: "  Red Kite — over the Ridge!! "}
	if got := img.Slug(); got != "red-kite-over-the-ridge-abcdefghijklmnop" {
		t.Errorf("slug %q", got)
	}
	if got := PublicIDFromSlug(img.Slug()); got != img.PublicID {
		t.Errorf("PublicIDFromSlug = %q", got)
	}
	if got := (&Image{PublicID: "abcdefghijklmnop", Title: "日本の写真"}).Slug(); got != "abcdefghijklmnop" {
		t.Errorf("slug of a title with no ASCII letters: %q", got)
	}
	var l StringList
	if err := l.Scan(`["a","b"]`); err != nil || len(l) != 2 {
		t.Fatalf("scan: %v %v", l, err)
	}
	if v, err := StringList(nil).Value(); v != "[]" || err != nil {
		t.Fatalf("nil list value %v %v", v, err)
	}
}
