-- A/B posts (AB岗, H13; internal/casework/caseworkdb, issue #14 item 2): a
-- staff member's named backup, and whether the staff member is marked away
-- (away_since, unix microseconds UTC; 0: present). While the first
-- responder of a case is away, the backup may act on its window steps.
-- An audited aggregate keyed by the staff member (store.Declare); rows are
-- never deleted.

-- +goose Up
CREATE TABLE ab_posts (
    staff_id   BIGINT  NOT NULL PRIMARY KEY REFERENCES staff (id),
    version    BIGINT  NOT NULL,
    body_path  TEXT    NOT NULL, -- the staff member's body (jurisdiction, O1)
    backup_id  BIGINT  NOT NULL, -- 0: none named
    away_since BIGINT  NOT NULL,
    updated_at BIGINT  NOT NULL
);
CREATE INDEX ab_posts_backup ON ab_posts (backup_id);

-- +goose Down
DROP TABLE ab_posts;
