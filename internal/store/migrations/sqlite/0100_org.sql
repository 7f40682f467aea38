-- Organisation (O1, O2): bodies, units, staff, law-enforcement qualifications.
-- Rows are never deleted (events reference them); "active" switches them off.
-- Timestamps are unix microseconds UTC; qualification dates are calendar
-- dates 'YYYY-MM-DD' (a certificate is valid on days, not instants).

-- +goose Up
CREATE TABLE bodies (
    id         INTEGER PRIMARY KEY,
    parent_id  BIGINT REFERENCES bodies (id),
    path       TEXT    NOT NULL,
    level      TEXT    NOT NULL CHECK (level IN ('city', 'district', 'town', 'community')),
    code       TEXT    NOT NULL UNIQUE,
    name       TEXT    NOT NULL,
    time_zone  TEXT    NOT NULL DEFAULT 'Asia/Shanghai',
    active     BOOLEAN NOT NULL DEFAULT TRUE,
    created_at BIGINT  NOT NULL,
    updated_at BIGINT  NOT NULL
);
CREATE INDEX bodies_path ON bodies (path);
CREATE INDEX bodies_parent ON bodies (parent_id);

CREATE TABLE units (
    id            INTEGER PRIMARY KEY,
    body_id       BIGINT  NOT NULL REFERENCES bodies (id),
    kind          TEXT    NOT NULL CHECK (kind IN ('station', 'section', 'window')),
    code          TEXT    NOT NULL,
    name          TEXT    NOT NULL,
    head_staff_id BIGINT,
    active        BOOLEAN NOT NULL DEFAULT TRUE,
    created_at    BIGINT  NOT NULL,
    updated_at    BIGINT  NOT NULL,
    UNIQUE (body_id, code)
);

CREATE TABLE staff (
    id         INTEGER PRIMARY KEY,
    body_id    BIGINT  NOT NULL REFERENCES bodies (id),
    unit_id    BIGINT REFERENCES units (id),
    name       TEXT    NOT NULL,
    phone      TEXT    NOT NULL DEFAULT '',
    roles      TEXT    NOT NULL DEFAULT '',
    is_head    BOOLEAN NOT NULL DEFAULT FALSE,
    is_liaison BOOLEAN NOT NULL DEFAULT FALSE,
    active     BOOLEAN NOT NULL DEFAULT TRUE,
    created_at BIGINT  NOT NULL,
    updated_at BIGINT  NOT NULL
);
CREATE INDEX staff_body ON staff (body_id);
CREATE INDEX staff_unit ON staff (unit_id);
-- O2: at most one head per unit, enforced by the database as well.
CREATE UNIQUE INDEX staff_one_head ON staff (unit_id) WHERE is_head AND active;

CREATE TABLE staff_qualifications (
    id         INTEGER PRIMARY KEY,
    staff_id   BIGINT  NOT NULL REFERENCES staff (id),
    cert_no    TEXT    NOT NULL UNIQUE,
    scope      TEXT    NOT NULL,
    valid_from TEXT    NOT NULL,
    valid_to   TEXT    NOT NULL,
    active     BOOLEAN NOT NULL DEFAULT TRUE,
    created_at BIGINT  NOT NULL,
    updated_at BIGINT  NOT NULL,
    CHECK (valid_from <= valid_to)
);
CREATE INDEX staff_qualifications_staff ON staff_qualifications (staff_id);

-- +goose Down
DROP TABLE staff_qualifications;
DROP TABLE staff;
DROP TABLE units;
DROP TABLE bodies;
