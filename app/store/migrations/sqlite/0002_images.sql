-- Uploaded images, their processing jobs, and perceptual-hash bands for
-- near-duplicate look-ups.
CREATE TABLE images (
    id               INTEGER PRIMARY KEY,
    public_id        TEXT     NOT NULL,
    contributor_id   INTEGER  NOT NULL REFERENCES users (id),
    status           TEXT     NOT NULL CHECK (status IN ('processing', 'failed', 'draft', 'pending', 'approved', 'rejected', 'removed')),
    status_reason    TEXT     NOT NULL DEFAULT '',
    original_key     TEXT     NOT NULL DEFAULT '',
    sha256           TEXT     NOT NULL,
    file_size        INTEGER  NOT NULL,
    file_name        TEXT     NOT NULL DEFAULT '',
    format           TEXT     NOT NULL,
    width            INTEGER  NOT NULL DEFAULT 0,
    height           INTEGER  NOT NULL DEFAULT 0,
    orientation      TEXT     NOT NULL DEFAULT '',
    megapixels       REAL     NOT NULL DEFAULT 0,
    title            TEXT     NOT NULL DEFAULT '',
    description      TEXT     NOT NULL DEFAULT '',
    keywords         TEXT     NOT NULL DEFAULT '[]',
    category         TEXT     NOT NULL DEFAULT '',
    usage            TEXT     NOT NULL DEFAULT '' CHECK (usage IN ('', 'commercial', 'editorial')),
    model_release    BOOLEAN  NOT NULL DEFAULT FALSE,
    property_release BOOLEAN  NOT NULL DEFAULT FALSE,
    ai_declaration   TEXT     NOT NULL DEFAULT '' CHECK (ai_declaration IN ('', 'none', 'assisted', 'generated')),
    camera_make      TEXT     NOT NULL DEFAULT '',
    camera_model     TEXT     NOT NULL DEFAULT '',
    lens             TEXT     NOT NULL DEFAULT '',
    focal_length     REAL     NOT NULL DEFAULT 0,
    aperture         REAL     NOT NULL DEFAULT 0,
    exposure_time    TEXT     NOT NULL DEFAULT '',
    iso              INTEGER  NOT NULL DEFAULT 0,
    taken_at         DATETIME,
    copyright        TEXT     NOT NULL DEFAULT '',
    creator          TEXT     NOT NULL DEFAULT '',
    gps_latitude     REAL,
    gps_longitude    REAL,
    location         TEXT     NOT NULL DEFAULT '',
    thumb_key        TEXT     NOT NULL DEFAULT '',
    preview_key      TEXT     NOT NULL DEFAULT '',
    colors           TEXT     NOT NULL DEFAULT '[]',
    palette          TEXT     NOT NULL DEFAULT '[]',
    phash            INTEGER  NOT NULL DEFAULT 0,
    created_at       DATETIME NOT NULL,
    updated_at       DATETIME NOT NULL,
    submitted_at     DATETIME,
    reviewed_at      DATETIME
);
CREATE UNIQUE INDEX images_public_id_key ON images (public_id);
-- One live copy of any file in the whole catalogue: an exact re-upload is
-- recognised. Failed uploads keep their row (and reason) but not the claim.
CREATE UNIQUE INDEX images_sha256_key ON images (sha256) WHERE status <> 'failed';
CREATE INDEX images_contributor_status_idx ON images (contributor_id, status, created_at);
CREATE INDEX images_status_idx ON images (status, submitted_at);

-- The 64-bit perceptual hash cut into 7 bands (10+9×6 bits). Two hashes
-- within Hamming distance 6 agree exactly on at least one band (pigeonhole),
-- so a near-duplicate look-up is 7 indexed equality probes, then an exact
-- distance check on the few candidates.
CREATE TABLE image_hash_bands (
    band     INTEGER NOT NULL,
    value    INTEGER NOT NULL,
    image_id INTEGER NOT NULL REFERENCES images (id) ON DELETE CASCADE,
    PRIMARY KEY (band, value, image_id)
);
CREATE INDEX image_hash_bands_image_idx ON image_hash_bands (image_id);

-- Background work recorded in the database, so a crash loses none of it.
CREATE TABLE jobs (
    id           INTEGER PRIMARY KEY AUTOINCREMENT, -- never reused: log lines name jobs by ID
    kind         TEXT     NOT NULL,
    image_id     INTEGER  REFERENCES images (id) ON DELETE CASCADE,
    status       TEXT     NOT NULL CHECK (status IN ('queued', 'running', 'failed')),
    attempts     INTEGER  NOT NULL DEFAULT 0,
    run_after    DATETIME NOT NULL,
    locked_by    TEXT     NOT NULL DEFAULT '',
    locked_until DATETIME,
    last_error   TEXT     NOT NULL DEFAULT '',
    created_at   DATETIME NOT NULL,
    updated_at   DATETIME NOT NULL
);
CREATE INDEX jobs_ready_idx ON jobs (status, run_after, id);
CREATE INDEX jobs_image_idx ON jobs (image_id);
