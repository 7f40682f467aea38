-- Working-day calendar (L9) and persisted clocks (issue #3). A year an
-- administrator imported or edited is stored whole, in the holiday-cn JSON
-- layout, and overlays the embedded year of the same number. Regional days
-- apply to a body's subtree. calendar_version is bumped in every calendar
-- write, so every instance sees a change with one cheap read. A clock stores
-- its spec and events only: due and overdue are derived at read time.
-- Timestamps are unix microseconds UTC; dates are 'YYYY-MM-DD'.

-- +goose Up
CREATE TABLE calendar_years (
    year       INTEGER PRIMARY KEY,
    days       TEXT    NOT NULL,                 -- holiday-cn JSON of the year
    source     TEXT    NOT NULL CHECK (source IN ('embedded', 'upload', 'edit')),
    file_name  TEXT    NOT NULL DEFAULT '',      -- the uploaded file's name
    updated_at BIGINT  NOT NULL,
    updated_by TEXT    NOT NULL
);

CREATE TABLE calendar_regional_days (
    id         INTEGER PRIMARY KEY,
    body_id    BIGINT  NOT NULL REFERENCES bodies (id),
    date       TEXT    NOT NULL,
    name       TEXT    NOT NULL,
    is_off_day BOOLEAN NOT NULL,
    created_at BIGINT  NOT NULL,
    created_by TEXT    NOT NULL,
    UNIQUE (body_id, date)
);

CREATE TABLE calendar_version (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    version BIGINT  NOT NULL
);
INSERT INTO calendar_version (id, version) VALUES (1, 0);

CREATE TABLE clocks (
    id          INTEGER PRIMARY KEY,
    object_type TEXT    NOT NULL,
    object_id   TEXT    NOT NULL,
    kind        TEXT    NOT NULL,                -- which limit of the object: 'handling', 'acceptance' …
    body_id     BIGINT  NOT NULL REFERENCES bodies (id),
    spec        TEXT    NOT NULL,                -- calendar.Spec JSON
    events      TEXT    NOT NULL,                -- []calendar.Event JSON
    created_at  BIGINT  NOT NULL,
    updated_at  BIGINT  NOT NULL,
    UNIQUE (object_type, object_id, kind)
);
CREATE INDEX clocks_body ON clocks (body_id);

-- +goose Down
DROP TABLE clocks;
DROP TABLE calendar_version;
DROP TABLE calendar_regional_days;
DROP TABLE calendar_years;
