package search

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// The attributes the engine needs besides text — facet values and numbers —
// are kept in Bleve as one stored string, so that opening the index reads
// them per document without indexing a term per number (which would bloat
// the dictionary and slow indexing for no query Bleve answers).
//
// Format: fields separated by '\x1f' in a fixed order; lists joined by ','.
const attrsVersion = "2"

func encodeAttrs(d *Document) string {
	released := "no"
	if d.Released {
		released = "yes"
	}
	return strings.Join([]string{
		attrsVersion,
		d.Category,
		d.Orientation,
		strings.Join(d.Colors, ","),
		d.Use,
		released,
		d.AI,
		strconv.FormatInt(d.PriceCents, 10),
		strconv.FormatFloat(d.Megapixels, 'f', 2, 64),
		strconv.FormatInt(d.ApprovedAt.Unix(), 10),
		strconv.FormatInt(d.Sales, 10),
		strconv.FormatInt(d.Views, 10),
		strconv.FormatUint(docSig(d), 16),
		strconv.FormatUint(d.PHash, 16),
	}, "\x1f")
}

// decodeAttrs fills the non-text part of a Document from its stored attrs,
// and returns the signature of the whole document (see docSig).
func decodeAttrs(s string, d *Document) (uint64, error) {
	f := strings.Split(s, "\x1f")
	if len(f) != 14 || f[0] != attrsVersion {
		return 0, fmt.Errorf("search: stored attributes %q are not version %s", s, attrsVersion)
	}
	d.Category, d.Orientation = f[1], f[2]
	d.Colors = nil
	if f[3] != "" {
		d.Colors = strings.Split(f[3], ",")
	}
	d.Use, d.Released, d.AI = f[4], f[5] == "yes", f[6]
	var err error
	if d.PriceCents, err = strconv.ParseInt(f[7], 10, 64); err != nil {
		return 0, fmt.Errorf("search: stored price: %w", err)
	}
	if d.Megapixels, err = strconv.ParseFloat(f[8], 64); err != nil {
		return 0, fmt.Errorf("search: stored megapixels: %w", err)
	}
	approved, err := strconv.ParseInt(f[9], 10, 64)
	if err != nil {
		return 0, fmt.Errorf("search: stored approval time: %w", err)
	}
	d.ApprovedAt = time.Unix(approved, 0).UTC()
	if d.Sales, err = strconv.ParseInt(f[10], 10, 64); err != nil {
		return 0, fmt.Errorf("search: stored sales: %w", err)
	}
	if d.Views, err = strconv.ParseInt(f[11], 10, 64); err != nil {
		return 0, fmt.Errorf("search: stored views: %w", err)
	}
	sig, err := strconv.ParseUint(f[12], 16, 64)
	if err != nil {
		return 0, fmt.Errorf("search: stored signature: %w", err)
	}
	if d.PHash, err = strconv.ParseUint(f[13], 16, 64); err != nil {
		return 0, fmt.Errorf("search: stored perceptual hash: %w", err)
	}
	return sig, nil
}

func lowerTrim(s string) string { return strings.ToLower(strings.Join(strings.Fields(s), " ")) }
