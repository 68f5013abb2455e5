-- Moderation: reject reasons and appeals on images, reports from the public,
-- the admins' append-only audit log, and settings admins change at run time.
ALTER TABLE images ADD COLUMN reject_reasons TEXT NOT NULL DEFAULT '[]'; -- JSON list of app.RejectReason
ALTER TABLE images ADD COLUMN appealed_at DATETIME;                      -- set once: one appeal per image
ALTER TABLE images ADD COLUMN appeal_note TEXT NOT NULL DEFAULT '';

CREATE TABLE reports (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    public_id   TEXT     NOT NULL,
    image_id    INTEGER  NOT NULL REFERENCES images (id) ON DELETE CASCADE,
    reporter_id INTEGER  NOT NULL REFERENCES users (id),
    reason      TEXT     NOT NULL CHECK (reason IN ('copyright', 'offensive', 'metadata', 'other')),
    note        TEXT     NOT NULL DEFAULT '',
    status      TEXT     NOT NULL CHECK (status IN ('open', 'dismissed', 'actioned')),
    resolved_by INTEGER  REFERENCES users (id),
    resolved_at DATETIME,
    created_at  DATETIME NOT NULL
);
CREATE UNIQUE INDEX reports_public_id_key ON reports (public_id);
-- One open report per person and image: reporting again changes nothing.
CREATE UNIQUE INDEX reports_open_key ON reports (image_id, reporter_id) WHERE status = 'open';
CREATE INDEX reports_status_idx ON reports (status, created_at);

CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    actor_id    INTEGER  NOT NULL REFERENCES users (id),
    action      TEXT     NOT NULL,
    target_type TEXT     NOT NULL,
    target_id   TEXT     NOT NULL,
    before      TEXT     NOT NULL DEFAULT '',
    after       TEXT     NOT NULL DEFAULT '',
    note        TEXT     NOT NULL DEFAULT '',
    request_id  TEXT     NOT NULL DEFAULT '',
    ip          TEXT     NOT NULL DEFAULT '',
    created_at  DATETIME NOT NULL
);
CREATE INDEX audit_log_created_idx ON audit_log (created_at, id);
CREATE INDEX audit_log_actor_idx ON audit_log (actor_id, id);
CREATE INDEX audit_log_target_idx ON audit_log (target_type, target_id, id);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;

CREATE TABLE settings (
    key        TEXT     PRIMARY KEY,
    value      TEXT     NOT NULL,
    updated_at DATETIME NOT NULL
);
