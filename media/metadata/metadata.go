package metadata

import (
	"errors"
	"time"
)

// Metadata is what Read finds. Zero values mean "absent".
type Metadata struct {
	// EXIF
	Orientation  int // 1–8; 0 when absent
	CameraMake   string
	CameraModel  string
	Lens         string  // LensModel, else LensMake+…; "" when absent
	FocalLength  float64 // millimetres
	Aperture     float64 // f-number, e.g. 2.8
	ExposureTime string  // as photographers write it: "1/250", "1/8", "2", "2.5"
	ISO          int
	TakenAt      time.Time // DateTimeOriginal (else DateTimeDigitized, else DateTime); with OffsetTimeOriginal when present, else UTC
	// Descriptive, from XMP (dc:title, dc:description, dc:subject, dc:rights, dc:creator) and IPTC-IIM
	// (2:05 Object Name, 2:120 Caption, 2:25 Keywords, 2:116 Copyright, 2:80 By-line); XMP wins when both have a value.
	Title     string
	Caption   string
	Keywords  []string // trimmed, empty ones dropped, de-duplicated case-insensitively, original case kept, at most 200
	Copyright string
	Creator   string
	// Private — never to be shown publicly.
	GPS      *GPS   // from the EXIF GPS IFD, else XMP exif:GPSLatitude/GPSLongitude
	Location string // place names: IPTC 2:90 City, 2:95 Province-State, 2:101 Country, or XMP photoshop:City/State/Country / Iptc4xmpCore:Location, joined with ", "
}

// GPS is a position in decimal degrees (south and west negative).
type GPS struct{ Latitude, Longitude float64 }

// Read extracts metadata from a JPEG, PNG or WebP file. Missing or malformed metadata is not an
// error — Read returns whatever it could read; the error is only for data that is none of the three
// formats.
func Read(data []byte) (Metadata, error) {
	return Metadata{}, errors.New("metadata: not implemented yet")
}
