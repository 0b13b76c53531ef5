-- 0015: places imported from national exports (the LaMednum standard of
-- digital-mediation places, data·inclusion structures). Each belongs to
-- the import source that last delivered it, so that a re-import of that
-- source can tell new, changed, unchanged and gone places apart: gone
-- ones are retired (kept, no longer served), never those of another
-- source.

CREATE TABLE places (
    id          TEXT    PRIMARY KEY,  -- knowledge.Place.ID
    source      TEXT    NOT NULL,     -- the import source, e.g. lieux-mediation-numerique-paca
    hash        TEXT    NOT NULL,     -- hex sha256 of body_json
    body_json   TEXT    NOT NULL,     -- knowledge.Place
    imported_at INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    retired_at  INTEGER               -- set when the place left its source
);

CREATE INDEX places_source ON places (source, retired_at);
