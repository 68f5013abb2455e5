package metadata

import (
	"errors"
	"fmt"
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

// ErrUnsupportedFormat is returned (wrapped) by Read for data that is not a JPEG, PNG or WebP file.
var ErrUnsupportedFormat = errors.New("not a JPEG, PNG or WebP file")

// Read extracts metadata from a JPEG, PNG or WebP file. Missing or malformed metadata is not an
// error — Read returns whatever it could read; the error is only for data that is none of the three
// formats.
func Read(data []byte) (Metadata, error) {
	var src sources
	switch {
	case isJPEG(data):
		src = scanJPEG(data)
	case isPNG(data):
		src = scanPNG(data)
	case isWebP(data):
		src = scanWebP(data)
	default:
		return Metadata{}, fmt.Errorf("metadata: read %d bytes: %w", len(data), ErrUnsupportedFormat)
	}
	return src.metadata(), nil
}

// photoshopXMP is the image resource in which Photoshop keeps XMP; some JPEG writers put it
// there instead of (or as well as) APP1.
const photoshopXMP = 0x0424

// metadata parses the blocks found and merges them: camera values come from EXIF alone;
// descriptive values from XMP, else IPTC, else (copyright and creator) EXIF; GPS from EXIF,
// else XMP; each place-name part from XMP, else IPTC.
func (src sources) metadata() Metadata {
	e := parseTIFF(src.exif)
	iptc := src.iptc
	if iptc == nil {
		iptc = photoshopResource(src.photoshop, photoshopIPTC)
	}
	i := parseIIM(iptc)
	xmpPacket := src.xmp
	if xmpPacket == nil {
		xmpPacket = photoshopResource(src.photoshop, photoshopXMP)
	}
	x := parseXMP(xmpPacket)
	if x.extendedGUID != "" && len(src.extended) > 0 {
		if ext := assembleExtended(src.extended, x.extendedGUID); ext != nil {
			extX := parseXMP(ext)
			x.merge(&extX)
		}
	}

	md := Metadata{
		Orientation:  e.orientation,
		CameraMake:   e.make,
		CameraModel:  e.model,
		Lens:         e.lens,
		FocalLength:  e.focal,
		Aperture:     e.aperture,
		ExposureTime: e.exposure,
		ISO:          e.iso,
		TakenAt:      e.takenAt,

		Title:     firstText(x.title, i.title),
		Caption:   firstText(x.caption, i.caption),
		Keywords:  x.keywords.list,
		Copyright: firstText(x.copyright, i.copyright, e.copyright),
		Creator:   firstText(x.creator, i.creator, e.artist),

		GPS: e.gps,
		Location: joinText(", ",
			firstText(x.location, i.sublocation),
			firstText(x.city, i.city),
			firstText(x.state, i.state),
			firstText(x.country, i.country)),
	}
	if len(md.Keywords) == 0 {
		md.Keywords = i.keywords.list
	}
	if md.GPS == nil {
		md.GPS = x.gps()
	}
	return md
}
