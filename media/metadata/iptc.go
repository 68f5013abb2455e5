package metadata

import (
	"bytes"
	"encoding/binary"
)

// IPTC-IIM datasets read (record 2, the application record, unless noted).
const (
	iimCodedCharset = 90 // record 1
	iimObjectName   = 5
	iimKeywords     = 25
	iimByline       = 80
	iimCity         = 90
	iimSublocation  = 92
	iimState        = 95
	iimCountry      = 101
	iimCopyright    = 116
	iimCaption      = 120

	photoshopIPTC = 0x0404 // the image resource that holds IIM records
)

// iptcData is what the IIM records yield, already cleaned.
type iptcData struct {
	title, caption, copyright, creator string
	keywords                           keywordSet
	sublocation, city, state, country  string
}

// photoshopResource returns the data of the first image resource with the given ID from a
// stream of Photoshop image resource blocks ("8BIM", ID, padded Pascal name, size, data
// padded to even length), or nil. It stops at the first block that does not fit.
func photoshopResource(b []byte, id uint16) []byte {
	p := 0
	for len(b)-p >= 8 {
		switch string(b[p : p+4]) {
		case "8BIM", "PHUT", "AgHg", "DCSR", "MeSa": // signatures seen in the wild
		default:
			return nil
		}
		rid := binary.BigEndian.Uint16(b[p+4:])
		nameLen := 1 + int(b[p+6])
		nameLen += nameLen & 1
		p += 6 + nameLen
		if len(b)-p < 4 {
			return nil
		}
		size := binary.BigEndian.Uint32(b[p:])
		p += 4
		data := upTo(b[p:], uint64(size))
		if rid == id {
			return data // if truncated, whatever is there may still parse
		}
		if uint64(len(data)) < uint64(size) {
			return nil
		}
		p += len(data)
		if size&1 == 1 { // data is padded to even length
			p++
		}
	}
	return nil
}

// iimDataset is one IIM record: record and dataset numbers and the value bytes.
type iimDataset struct {
	record, number byte
	value          []byte
}

// iimDatasets walks IIM records, calling fn for each until fn returns false or a record does
// not parse. A value running past the end is cut to the bytes present.
func iimDatasets(b []byte, fn func(iimDataset) bool) {
	p := 0
	for len(b)-p >= 5 && b[p] == 0x1C {
		ds := iimDataset{record: b[p+1], number: b[p+2]}
		size := uint64(binary.BigEndian.Uint16(b[p+3:]))
		p += 5
		if size&0x8000 != 0 {
			// Extended dataset: the low 15 bits say how many bytes hold the real size.
			n := int(size & 0x7FFF)
			if n == 0 || n > 8 || len(b)-p < n {
				return
			}
			size = 0
			for _, c := range b[p : p+n] {
				size = size<<8 | uint64(c)
			}
			p += n
		}
		ds.value = upTo(b[p:], size) // a value running past the end is cut
		p += len(ds.value)
		if !fn(ds) {
			return
		}
	}
}

// parseIIM reads the descriptive datasets from IPTC-IIM records. Values are UTF-8 when record
// 1:90 declares it (ESC % G), otherwise UTF-8 if they happen to be valid, else Latin-1.
func parseIIM(b []byte) iptcData {
	var out iptcData
	utf8Declared := false
	iimDatasets(b, func(ds iimDataset) bool {
		if ds.record == 1 && ds.number == iimCodedCharset {
			utf8Declared = bytes.Contains(ds.value, []byte("\x1b%G"))
			return false
		}
		return ds.record < 2 // the envelope record comes first; stop once past it
	})
	decode := textLegacy
	if utf8Declared {
		decode = textUTF8
	}

	var creators []string
	iimDatasets(b, func(ds iimDataset) bool {
		if ds.record != 2 {
			return true
		}
		switch ds.number {
		case iimObjectName:
			out.title = firstText(out.title, decode(ds.value))
		case iimCaption:
			out.caption = firstText(out.caption, decode(ds.value))
		case iimCopyright:
			out.copyright = firstText(out.copyright, decode(ds.value))
		case iimKeywords:
			out.keywords.add(decode(ds.value))
		case iimByline:
			if len(creators) < maxListItems {
				if v := decode(ds.value); v != "" {
					creators = append(creators, v)
				}
			}
		case iimCity:
			out.city = firstText(out.city, decode(ds.value))
		case iimSublocation:
			out.sublocation = firstText(out.sublocation, decode(ds.value))
		case iimState:
			out.state = firstText(out.state, decode(ds.value))
		case iimCountry:
			out.country = firstText(out.country, decode(ds.value))
		}
		return true
	})
	out.creator = joinText(", ", creators...)
	return out
}
