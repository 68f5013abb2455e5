package metadata

import "time"

// takenAt uses DateTimeOriginal, else DateTimeDigitized, else DateTime, each with its own
// sub-second and UTC-offset tags; without an offset the time is taken as UTC.
func (t tiffReader) takenAt(tags tagValues) time.Time {
	for _, c := range [...][3]uint16{
		{tagDateTimeOriginal, tagSubSecOriginal, tagOffsetOriginal},
		{tagDateTimeDigitized, tagSubSecDigitized, tagOffsetDigitized},
		{tagDateTime, tagSubSecTime, tagOffsetTime},
	} {
		ts := parseExifTime(firstValue(tags[c[0]], t.text), firstValue(tags[c[1]], t.text), firstValue(tags[c[2]], t.text))
		if !ts.IsZero() {
			return ts
		}
	}
	return time.Time{}
}

// parseExifTime parses "YYYY:MM:DD HH:MM:SS" (any separators; blank or all-zero dates,
// which cameras write when the clock is unset, are absent), the SubSecTime digits and an
// OffsetTime "+HH:MM".
func parseExifTime(s, subsec, offset string) time.Time {
	if len(s) < 19 {
		return time.Time{}
	}
	var f [6]int
	for i, pos := range [...][2]int{{0, 4}, {5, 7}, {8, 10}, {11, 13}, {14, 16}, {17, 19}} {
		n, ok := digits(s[pos[0]:pos[1]])
		if !ok {
			return time.Time{}
		}
		f[i] = n
	}
	year, month, day, hour, minute, sec := f[0], f[1], f[2], f[3], f[4], f[5]
	if year < 1 || month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || sec > 59 {
		return time.Time{}
	}
	if day > daysIn(year, time.Month(month)) {
		return time.Time{}
	}
	nsec := 0
	if n := len(subsec); n > 0 && n <= 9 {
		if v, ok := digits(subsec); ok {
			for ; n < 9; n++ {
				v *= 10
			}
			nsec = v
		}
	}
	loc := time.UTC
	if off, ok := parseOffset(offset); ok {
		loc = time.FixedZone("", off)
	}
	return time.Date(year, time.Month(month), day, hour, minute, sec, nsec, loc)
}

func daysIn(year int, m time.Month) int {
	return time.Date(year, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// digits parses a short run of ASCII digits; anything else is not a number.
func digits(s string) (int, bool) {
	if s == "" || len(s) > 9 {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		n = n*10 + int(s[i]-'0')
	}
	return n, true
}

// parseOffset parses an EXIF OffsetTime "+HH:MM" or "-HH:MM" into seconds east of UTC.
func parseOffset(s string) (int, bool) {
	if len(s) != 6 || (s[0] != '+' && s[0] != '-') || s[3] != ':' {
		return 0, false
	}
	h, ok1 := digits(s[1:3])
	m, ok2 := digits(s[4:6])
	if !ok1 || !ok2 || h > 14 || m > 59 {
		return 0, false
	}
	off := h*3600 + m*60
	if s[0] == '-' {
		off = -off
	}
	return off, true
}
