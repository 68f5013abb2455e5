package store

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// slowQuery is the duration above which a query is logged as a warning.
const slowQuery = 250 * time.Millisecond

// gormLogger sends GORM's messages to slog instead of stdout. Failed queries
// are logged at debug level only: the error is returned to the caller, who
// decides whether it matters (a unique violation on sign-up does not).
type gormLogger struct{ log *slog.Logger }

func newGormLogger(l *slog.Logger) logger.Interface { return gormLogger{log: l} }

func (g gormLogger) LogMode(logger.LogLevel) logger.Interface { return g }

func (g gormLogger) Info(ctx context.Context, msg string, args ...any) {
	g.log.InfoContext(ctx, msg, "args", args)
}

func (g gormLogger) Warn(ctx context.Context, msg string, args ...any) {
	g.log.WarnContext(ctx, msg, "args", args)
}

func (g gormLogger) Error(ctx context.Context, msg string, args ...any) {
	g.log.ErrorContext(ctx, msg, "args", args)
}

func (g gormLogger) Trace(ctx context.Context, begin time.Time, fc func() (string, int64), err error) {
	elapsed := time.Since(begin)
	switch {
	case err != nil && !errors.Is(err, gorm.ErrRecordNotFound):
		if g.log.Enabled(ctx, slog.LevelDebug) {
			sql, rows := fc()
			g.log.DebugContext(ctx, "query failed", "err", err, "sql", sql, "rows", rows, "dur", elapsed)
		}
	case elapsed > slowQuery:
		sql, rows := fc()
		g.log.WarnContext(ctx, "slow query", "sql", sql, "rows", rows, "dur", elapsed)
	}
}
