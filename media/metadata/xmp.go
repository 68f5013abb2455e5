package metadata

import (
	"bytes"
	"encoding/xml"
	"strings"
)

// maxXMP caps the XMP bytes parsed, per packet; the rest of a larger packet is not read.
const maxXMP = 1 << 20

// Namespaces of the XMP properties read. Prefixes are only conventions, so properties are
// matched by namespace; a packet that forgets to declare a prefix is matched by the
// conventional prefix instead (see namespace).
const (
	nsRDF       = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
	nsXML       = "http://www.w3.org/XML/1998/namespace"
	nsDC        = "http://purl.org/dc/elements/1.1/"
	nsPhotoshop = "http://ns.adobe.com/photoshop/1.0/"
	nsIptcCore  = "http://iptc.org/std/Iptc4xmpCore/1.0/xmlns/"
	nsExif      = "http://ns.adobe.com/exif/1.0/"
	nsXMPNote   = "http://ns.adobe.com/xmp/note/"
)

// xmpData is what an XMP packet yields, already cleaned.
type xmpData struct {
	title, caption, copyright, creator string
	keywords                           keywordSet
	location, city, state, country     string
	latitude, longitude                string
	extendedGUID                       string // xmpNote:HasExtendedXMP, the GUID of the rest
	creators                           []string
	titleAlt, captionAlt, copyrightAlt altText
}

// altText picks from a language alternative (rdf:Alt): the x-default item, else the first.
type altText struct {
	first, xDefault string
}

func (a *altText) add(lang, v string) {
	if v == "" {
		return
	}
	if a.first == "" {
		a.first = v
	}
	if a.xDefault == "" && strings.EqualFold(lang, "x-default") {
		a.xDefault = v
	}
}

func (a *altText) value() string { return firstText(a.xDefault, a.first) }

// namespace maps an unresolved conventional prefix to its namespace. encoding/xml leaves an
// undeclared prefix as the Space of a name.
func namespace(space string) string {
	switch space {
	case "rdf":
		return nsRDF
	case "dc":
		return nsDC
	case "photoshop":
		return nsPhotoshop
	case "Iptc4xmpCore":
		return nsIptcCore
	case "exif":
		return nsExif
	case "xmpNote":
		return nsXMPNote
	}
	return space
}

func isName(n xml.Name, space, local string) bool {
	return n.Local == local && namespace(n.Space) == space
}

// xmpProperty is the top-level property element being read.
type xmpProperty struct {
	name     xml.Name
	depth    int             // stack depth of the property element
	text     strings.Builder // character data directly inside the property element
	liDepth  int             // stack depth of the open rdf:li, 0 when none
	liLang   string
	liText   strings.Builder
	hasItems bool
}

// parseXMP reads an XMP packet with encoding/xml, which expands no external entities and
// fetches nothing. Properties are read from top-level rdf:Description elements, both as
// attributes (simple values) and as child elements (simple values or rdf:Alt/Bag/Seq).
// Structures and qualifiers are skipped. A parse error ends the walk but keeps what was read.
func parseXMP(b []byte) xmpData {
	var out xmpData
	if len(b) > maxXMP {
		b = b[:maxXMP]
	}
	// Writers pad packets with NULs (PNG iTXt, WebP), which XML does not allow.
	b = bytes.Trim(b, "\x00")
	d := xml.NewDecoder(bytes.NewReader(b))
	var stack []xml.Name
	var prop *xmpProperty
	for {
		tok, err := d.Token()
		if err != nil {
			break
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			stack = append(stack, tok.Name)
			depth := len(stack)
			switch {
			case prop != nil:
				// Inside a property: only items of an rdf:Alt/Bag/Seq directly under it count.
				if depth == prop.depth+2 && isName(tok.Name, nsRDF, "li") {
					prop.liDepth = depth
					prop.liLang = attr(tok, nsXML, "lang")
					prop.liText.Reset()
				}
			case depth >= 2 && isName(tok.Name, nsRDF, "Description") && isName(stack[depth-2], nsRDF, "RDF"):
				for _, a := range tok.Attr {
					out.set(a.Name, a.Value)
				}
			case depth >= 3 && isName(stack[depth-2], nsRDF, "Description") && isName(stack[depth-3], nsRDF, "RDF"):
				prop = &xmpProperty{name: tok.Name, depth: depth}
			}
		case xml.CharData:
			switch {
			case prop == nil:
			case prop.liDepth != 0 && len(stack) == prop.liDepth:
				appendCapped(&prop.liText, tok)
			case len(stack) == prop.depth:
				appendCapped(&prop.text, tok)
			}
		case xml.EndElement:
			depth := len(stack)
			if depth == 0 {
				break
			}
			stack = stack[:depth-1]
			switch {
			case prop == nil:
			case depth == prop.liDepth:
				out.item(prop.name, prop.liLang, prop.liText.String())
				prop.liDepth = 0
				prop.hasItems = true
			case depth == prop.depth:
				if !prop.hasItems {
					out.set(prop.name, prop.text.String())
				}
				prop = nil
			}
		}
	}
	out.title = out.titleAlt.value()
	out.caption = out.captionAlt.value()
	out.copyright = out.copyrightAlt.value()
	out.creator = joinText(", ", out.creators...)
	return out
}

func attr(se xml.StartElement, space, local string) string {
	for _, a := range se.Attr {
		if a.Name.Local == local && a.Name.Space == space {
			return a.Value
		}
	}
	return ""
}

// appendCapped appends character data but never more than maxRawBytes per value, so a long
// text node costs nothing beyond what the decoder already did.
func appendCapped(sb *strings.Builder, b []byte) {
	if room := maxRawBytes - sb.Len(); room > 0 {
		if len(b) > room {
			b = b[:room]
		}
		sb.Write(b)
	}
}

// set records a simple property value (attribute form or element with text). A property
// that is an array in XMP but written as a simple value is taken as a one-item array.
func (x *xmpData) set(name xml.Name, raw string) {
	x.item(name, "x-default", raw)
}

// item records one value of a property; the first value of single-valued properties wins.
func (x *xmpData) item(name xml.Name, lang, raw string) {
	if len(raw) > maxRawBytes { // attribute values are not capped while decoding
		raw = raw[:maxRawBytes]
	}
	v := textUTF8([]byte(raw))
	if v == "" {
		return
	}
	switch namespace(name.Space) {
	case nsDC:
		switch name.Local {
		case "title":
			x.titleAlt.add(lang, v)
		case "description":
			x.captionAlt.add(lang, v)
		case "rights":
			x.copyrightAlt.add(lang, v)
		case "subject":
			x.keywords.add(v)
		case "creator":
			if len(x.creators) < maxListItems {
				x.creators = append(x.creators, v)
			}
		}
	case nsPhotoshop:
		switch name.Local {
		case "City":
			x.city = firstText(x.city, v)
		case "State":
			x.state = firstText(x.state, v)
		case "Country":
			x.country = firstText(x.country, v)
		}
	case nsIptcCore:
		if name.Local == "Location" {
			x.location = firstText(x.location, v)
		}
	case nsExif:
		switch name.Local {
		case "GPSLatitude":
			x.latitude = firstText(x.latitude, v)
		case "GPSLongitude":
			x.longitude = firstText(x.longitude, v)
		}
	case nsXMPNote:
		if name.Local == "HasExtendedXMP" {
			x.extendedGUID = firstText(x.extendedGUID, v)
		}
	}
}

// gps reads exif:GPSLatitude/GPSLongitude ("DD,MM.mmmmN" or "DD,MM,SSN").
func (x *xmpData) gps() *GPS {
	lat, ok1 := parseDMS(x.latitude)
	lon, ok2 := parseDMS(x.longitude)
	if !ok1 || !ok2 || lat < -90 || lat > 90 || lon < -180 || lon > 180 {
		return nil
	}
	return &GPS{Latitude: lat, Longitude: lon}
}

// merge fills the values x lacks from the extended part of the same packet.
func (x *xmpData) merge(ext *xmpData) {
	x.title = firstText(x.title, ext.title)
	x.caption = firstText(x.caption, ext.caption)
	x.copyright = firstText(x.copyright, ext.copyright)
	x.creator = firstText(x.creator, ext.creator)
	if len(x.keywords.list) == 0 {
		x.keywords = ext.keywords
	}
	x.location = firstText(x.location, ext.location)
	x.city = firstText(x.city, ext.city)
	x.state = firstText(x.state, ext.state)
	x.country = firstText(x.country, ext.country)
	if x.latitude == "" || x.longitude == "" {
		x.latitude, x.longitude = ext.latitude, ext.longitude
	}
}
