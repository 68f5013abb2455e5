package metadata

import (
	"math"
	"strconv"
	"strings"
)

// gps reads GPSLatitude/Longitude with their references. Both must be present and in range.
func (t tiffReader) gps(tags tagValues) *GPS {
	first := func(tag uint16) ifdEntry {
		if l := tags[tag]; len(l) > 0 {
			return l[0]
		}
		return ifdEntry{}
	}
	lat, ok1 := t.coordinate(first(gpsLatitude), first(gpsLatitudeRef), 'S')
	lon, ok2 := t.coordinate(first(gpsLongitude), first(gpsLongitudeRef), 'W')
	if !ok1 || !ok2 || math.Abs(lat) > 90 || math.Abs(lon) > 180 {
		return nil
	}
	return &GPS{Latitude: lat, Longitude: lon}
}

// coordinate reads degrees, minutes and seconds as rationals (minutes and seconds may be
// missing; a 0/0 minute or second, which some writers use for "unknown", counts as zero but
// 0/0 degrees means no position). Some phones wrote the value as an ASCII string instead.
func (t tiffReader) coordinate(e, ref ifdEntry, negative byte) (float64, bool) {
	var v float64
	switch e.typ {
	case 5, 10:
		deg, ok := t.rational(e, 0)
		if !ok {
			return 0, false
		}
		v = math.Abs(deg)
		if m, ok := t.rational(e, 1); ok {
			v += math.Abs(m) / 60
		}
		if s, ok := t.rational(e, 2); ok {
			v += math.Abs(s) / 3600
		}
	case 2:
		c, ok := parseDMS(t.text(e))
		if !ok {
			return 0, false
		}
		v = c
	default:
		return 0, false
	}
	if r := t.text(ref); r != "" && (r[0]|0x20) == (negative|0x20) {
		v = -v
	}
	return v, true
}

// parseDMS parses a coordinate written as text: XMP's "DD,MM.mmmmN" and "DD,MM,SSN", plain
// decimal degrees, and the "52,00000,50,00000,34,01180" (degrees, minutes, seconds with a
// decimal comma) that some HTC phones wrote into EXIF. A trailing S or W makes it negative.
func parseDMS(s string) (float64, bool) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 64 {
		return 0, false
	}
	sign := 1.0
	switch s[len(s)-1] | 0x20 {
	case 's', 'w':
		sign = -1
		s = s[:len(s)-1]
	case 'n', 'e':
		s = s[:len(s)-1]
	}
	parts := strings.Split(strings.TrimSpace(s), ",")
	if len(parts) == 6 {
		parts = []string{parts[0] + "." + parts[1], parts[2] + "." + parts[3], parts[4] + "." + parts[5]}
	}
	if len(parts) > 3 {
		return 0, false
	}
	v := 0.0
	for i, p := range parts {
		f, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || (i > 0 && f < 0) {
			return 0, false
		}
		if i == 0 && f < 0 {
			sign, f = -sign, -f
		}
		v += f / math.Pow(60, float64(i))
	}
	return sign * v, true
}
