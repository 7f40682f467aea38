-- The power & responsibility list (C1–C11): items per body, their published
-- versions (never edited: only status and valid_to change when a later
-- version supersedes one), adjustments with their trace, derived-list review
-- tasks (C6) and the reform office's review-group membership (C3).
-- Timestamps are unix microseconds UTC.

-- +goose Up
CREATE TABLE catalog_items (
    id         INTEGER PRIMARY KEY,
    body_id    BIGINT  NOT NULL REFERENCES bodies (id),
    base_code  TEXT    NOT NULL,
    impl_code  TEXT    NOT NULL,
    name       TEXT    NOT NULL,
    category   TEXT    NOT NULL,
    unit       TEXT    NOT NULL DEFAULT '',
    standing   TEXT    NOT NULL CHECK (standing IN ('listed', 'suspended', 'cancelled', 'unknown')),
    version    INTEGER NOT NULL DEFAULT 0,
    created_at BIGINT  NOT NULL,
    updated_at BIGINT  NOT NULL,
    UNIQUE (body_id, base_code)
);
CREATE INDEX catalog_items_impl ON catalog_items (impl_code);
CREATE INDEX catalog_items_body_cat ON catalog_items (body_id, category);

CREATE TABLE catalog_adjustments (
    id            INTEGER PRIMARY KEY,
    body_id       BIGINT NOT NULL REFERENCES bodies (id),
    upper_body_id BIGINT NOT NULL REFERENCES bodies (id),
    unit_id       BIGINT NOT NULL,
    title         TEXT   NOT NULL,
    stage         TEXT   NOT NULL,
    content       TEXT   NOT NULL,
    approved_at   BIGINT,
    published_at  BIGINT,
    created_by    TEXT   NOT NULL,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);
CREATE INDEX catalog_adjustments_body ON catalog_adjustments (body_id, stage);
CREATE INDEX catalog_adjustments_upper ON catalog_adjustments (upper_body_id, stage);

CREATE TABLE catalog_versions (
    id            INTEGER PRIMARY KEY,
    item_id       BIGINT  NOT NULL REFERENCES catalog_items (id),
    body_id       BIGINT  NOT NULL REFERENCES bodies (id),
    version       INTEGER NOT NULL,
    status        TEXT    NOT NULL CHECK (status IN ('published', 'superseded', 'suspended', 'cancelled')),
    valid_from    BIGINT  NOT NULL,
    valid_to      BIGINT,
    published_at  BIGINT  NOT NULL,
    adjustment_id BIGINT REFERENCES catalog_adjustments (id),
    content       TEXT    NOT NULL,
    content_hash  TEXT    NOT NULL,
    UNIQUE (item_id, version)
);
CREATE INDEX catalog_versions_body ON catalog_versions (body_id, status);

CREATE TABLE catalog_reviews (
    id               INTEGER PRIMARY KEY,
    body_id          BIGINT NOT NULL REFERENCES bodies (id),
    upper_body_id    BIGINT NOT NULL REFERENCES bodies (id),
    upper_version_id BIGINT NOT NULL REFERENCES catalog_versions (id),
    base_code        TEXT   NOT NULL,
    name             TEXT   NOT NULL,
    due              BIGINT NOT NULL,
    status           TEXT   NOT NULL CHECK (status IN ('open', 'done')),
    violations       TEXT   NOT NULL DEFAULT '',
    note             TEXT   NOT NULL DEFAULT '',
    done_by          TEXT   NOT NULL DEFAULT '',
    done_at          BIGINT,
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL
);
CREATE INDEX catalog_reviews_body ON catalog_reviews (body_id, status, due);

CREATE TABLE catalog_reform_members (
    id         INTEGER PRIMARY KEY,
    body_id    BIGINT NOT NULL REFERENCES bodies (id),
    staff_id   BIGINT NOT NULL REFERENCES staff (id),
    grp        TEXT   NOT NULL CHECK (grp IN ('power_list', 'duty_list')),
    active     BOOLEAN NOT NULL DEFAULT TRUE,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (staff_id, grp)
);

-- +goose Down
DROP TABLE catalog_reform_members;
DROP TABLE catalog_reviews;
DROP TABLE catalog_versions;
DROP TABLE catalog_adjustments;
DROP TABLE catalog_items;
