-- Case documents (internal/document/documentdb, issue #15 items 1–4).
-- documents, document_templates and seals are audited aggregates
-- (store.Declare): every change is an event whose State is the row. A
-- document is inserted once and never updated (a correction is a new row
-- naming the one it replaces); its events are rooted at its case.
-- Timestamps are unix microseconds UTC.

-- +goose Up
-- Template versions: the shipped ones (body_id 0) and each body's edits;
-- a document names the version it was rendered with, so it re-renders the
-- same whatever is edited later.
CREATE TABLE document_templates (
    id         INTEGER PRIMARY KEY,
    version    BIGINT  NOT NULL,
    body_id    BIGINT  NOT NULL, -- 0: shipped with qingdan
    kind       TEXT    NOT NULL,
    lang       TEXT    NOT NULL,
    source     TEXT    NOT NULL,
    hash       TEXT    NOT NULL, -- SHA-256 of source
    created_by TEXT    NOT NULL,
    created_at BIGINT  NOT NULL
);
CREATE INDEX document_templates_current ON document_templates (body_id, kind, lang, id);

CREATE TABLE documents (
    id          INTEGER PRIMARY KEY,
    version     BIGINT  NOT NULL,
    number      TEXT    NOT NULL UNIQUE, -- 青山审受〔2026〕0001号
    kind        TEXT    NOT NULL,
    word        TEXT    NOT NULL,        -- the sequence: body, word, year
    year        BIGINT  NOT NULL,
    seq         BIGINT  NOT NULL,
    case_number TEXT    NOT NULL,
    body_id     BIGINT  NOT NULL REFERENCES bodies (id),
    body_path   TEXT    NOT NULL,
    issued_on   TEXT    NOT NULL,        -- the date it bears, YYYY-MM-DD
    issued_at   BIGINT  NOT NULL,
    issued_by   TEXT    NOT NULL,        -- login of who issued it
    template_id BIGINT  NOT NULL REFERENCES document_templates (id),
    seal        TEXT    NOT NULL,        -- the name on the seal stamped; '' unsealed
    replaces    TEXT    NOT NULL,        -- number of the document it corrects; ''
    reason      TEXT    NOT NULL,        -- why, for a correction
    spec        TEXT    NOT NULL,        -- casework.Document as JSON
    data        TEXT    NOT NULL,        -- document.Data as JSON (the applicant's copy)
    hash        TEXT    NOT NULL         -- SHA-256 of the rendered page body
);
CREATE UNIQUE INDEX documents_sequence ON documents (body_id, word, year, seq);
CREATE INDEX documents_case ON documents (case_number, id);
-- The seal register: sealed documents by body and time.
CREATE INDEX documents_sealed ON documents (body_id, issued_at, id);

-- The numbers' sequences per body, word and year: the row is moved in the
-- write that issues the document, so a refused write uses no number.
CREATE TABLE document_numbers (
    body_id BIGINT NOT NULL,
    word    TEXT   NOT NULL,
    year    BIGINT NOT NULL,
    last    BIGINT NOT NULL,
    PRIMARY KEY (body_id, word, year)
);

-- One approval seal per body (H8), configured by the seal keeper.
CREATE TABLE seals (
    body_id    INTEGER PRIMARY KEY REFERENCES bodies (id),
    version    BIGINT  NOT NULL,
    name       TEXT    NOT NULL, -- along the arc
    enabled    BIGINT  NOT NULL, -- 1: documents may bear it
    updated_by TEXT    NOT NULL,
    updated_at BIGINT  NOT NULL
);

-- +goose Down
DROP TABLE seals;
DROP TABLE document_numbers;
DROP TABLE documents;
DROP TABLE document_templates;
