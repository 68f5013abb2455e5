package store

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"gorm.io/gorm/schema"

	"github.com/snapshop/snapshop/app"
)

// persisted lists every type the store reads or writes through GORM. Add new
// models here: CheckSchema then proves the migrations create their columns.
var persisted = []any{
	&app.User{},
	&app.APIToken{},
	&app.Image{},
	&app.Job{},
	&hashBand{},
	&blobIntent{},
	&Change{},
	&app.Order{},
	&app.OrderItem{},
	&app.License{},
	&app.CartItem{},
	&app.Payout{},
	&paymentEvent{},
	&ledgerAccount{},
	&ledgerTransaction{},
	&ledgerEntry{},
	&app.Report{},
	&app.AuditEntry{},
	&app.Lightbox{},
	&app.LightboxItem{},
	&setting{},
	&sessionRow{},
	&schemaMigration{},
}

// CheckSchema verifies that every column of every persisted model exists in
// the database, so a model and the migrations cannot drift apart unnoticed:
// serve calls it at start, and the tests call it on both dialects.
func (db *DB) CheckSchema(ctx context.Context) error {
	var missing []string
	cache := &sync.Map{}
	for _, m := range persisted {
		s, err := schema.Parse(m, cache, db.gorm.NamingStrategy)
		if err != nil {
			return fmt.Errorf("parse model %T: %w", m, err)
		}
		cols, err := db.conn(ctx).Migrator().ColumnTypes(s.Table)
		if err != nil {
			return fmt.Errorf("read columns of %s: %w", s.Table, translate(err))
		}
		have := make(map[string]bool, len(cols))
		for _, c := range cols {
			have[c.Name()] = true
		}
		for _, f := range s.Fields {
			if f.DBName != "" && !have[f.DBName] {
				missing = append(missing, s.Table+"."+f.DBName)
			}
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("schema does not match the code: missing columns %s (run `snapshop migrate`)", strings.Join(missing, ", "))
	}
	return nil
}
