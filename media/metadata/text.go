package metadata

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

const (
	// maxRunes caps every string Read returns, so a hostile file cannot put megabytes into a
	// form field or a page.
	maxRunes = 2000
	// maxRawBytes caps how much of one value is even looked at. A rune is at most 4 bytes, so
	// this always covers maxRunes runes, and it keeps cleaning a value cheap whatever its size.
	maxRawBytes = 4*maxRunes + 64
	// maxKeywords caps the keyword list; real photos carry a few dozen at most.
	maxKeywords = 200
	// maxListItems caps other repeated values (creators, language alternatives) collected
	// before joining; the joined string is capped at maxRunes anyway.
	maxListItems = 64
)

// textUTF8 cleans bytes that are declared to be UTF-8; invalid sequences become U+FFFD.
func textUTF8(b []byte) string {
	if len(b) > maxRawBytes {
		b = b[:maxRawBytes]
	}
	return clean(strings.ToValidUTF8(string(b), "\uFFFD"))
}

// textLegacy cleans bytes whose character set is not declared (EXIF ASCII fields, IPTC without
// 1:90). Valid UTF-8 is kept as it is — modern tools write UTF-8 without declaring it — and
// anything else is read as Latin-1 in its Windows-1252 form, which is what the "Latin-1" that
// older Windows and Mac software wrote actually is: it differs from ISO 8859-1 only in
// 0x80–0x9F, which ISO 8859-1 leaves to invisible control codes.
func textLegacy(b []byte) string {
	if len(b) > maxRawBytes {
		b = b[:maxRawBytes]
	}
	if utf8.Valid(b) {
		return clean(string(b))
	}
	var sb strings.Builder
	sb.Grow(len(b) + len(b)/2)
	for _, c := range b {
		sb.WriteRune(windows1252(c))
	}
	return clean(sb.String())
}

// windows1252 maps one Windows-1252 byte to its rune. Undefined bytes map to C1 control
// codes, which clean then drops.
func windows1252(c byte) rune {
	if c < 0x80 || c > 0x9F {
		return rune(c)
	}
	switch c {
	case 0x80:
		return '€'
	case 0x82:
		return '‚'
	case 0x83:
		return 'ƒ'
	case 0x84:
		return '„'
	case 0x85:
		return '…'
	case 0x86:
		return '†'
	case 0x87:
		return '‡'
	case 0x88:
		return 'ˆ'
	case 0x89:
		return '‰'
	case 0x8A:
		return 'Š'
	case 0x8B:
		return '‹'
	case 0x8C:
		return 'Œ'
	case 0x8E:
		return 'Ž'
	case 0x91:
		return '‘'
	case 0x92:
		return '’'
	case 0x93:
		return '“'
	case 0x94:
		return '”'
	case 0x95:
		return '•'
	case 0x96:
		return '–'
	case 0x97:
		return '—'
	case 0x98:
		return '˜'
	case 0x99:
		return '™'
	case 0x9A:
		return 'š'
	case 0x9B:
		return '›'
	case 0x9C:
		return 'œ'
	case 0x9E:
		return 'ž'
	case 0x9F:
		return 'Ÿ'
	}
	return rune(c)
}

// clean makes a valid UTF-8 string presentable: NULs and control characters other than tab
// and newline are dropped (CR and CRLF become newline, as old Mac captions use CR), a byte
// order mark is dropped, surrounding whitespace is trimmed and the result is cut to maxRunes.
// The input must already be valid UTF-8.
func clean(s string) string {
	var sb strings.Builder
	sb.Grow(min(len(s), maxRawBytes))
	n := 0
	for i := 0; i < len(s) && n < maxRunes; {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch {
		case r == '\r':
			if i < len(s) && s[i] == '\n' {
				continue
			}
			r = '\n'
		case r == '\t' || r == '\n':
		case r == '\uFEFF' || unicode.IsControl(r):
			continue
		}
		sb.WriteRune(r)
		n++
	}
	return strings.TrimSpace(sb.String())
}

// joinText joins the non-empty values with sep and caps the result like any other string.
func joinText(sep string, values ...string) string {
	parts := make([]string, 0, len(values))
	for _, v := range values {
		if v != "" {
			parts = append(parts, v)
		}
	}
	return clean(strings.Join(parts, sep))
}

// firstText returns the first non-empty value: the order of the arguments is the precedence
// of the sources.
func firstText(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}

// keywordSet collects keywords in order: cleaned, empty ones dropped, de-duplicated without
// regard to case (the first spelling wins), at most maxKeywords.
type keywordSet struct {
	list []string
	seen map[string]struct{}
}

// add adds a cleaned keyword and reports whether there is still room for more.
func (k *keywordSet) add(kw string) bool {
	if len(k.list) >= maxKeywords {
		return false
	}
	if kw == "" {
		return true
	}
	key := strings.ToLower(kw)
	if _, dup := k.seen[key]; dup {
		return true
	}
	if k.seen == nil {
		k.seen = make(map[string]struct{})
	}
	k.seen[key] = struct{}{}
	k.list = append(k.list, kw)
	return len(k.list) < maxKeywords
}
