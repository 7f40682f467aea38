-- Event consumers (issue #12 item 1, internal/store/consumer.go): each named
-- consumer's position, the seq of the next event it will handle. A consumer
-- moves it in the same transaction as its own writes, so every event is
-- handled exactly once across crashes and restarts. Bookkeeping, not audited.

-- +goose Up
CREATE TABLE consumer_positions (
    name     TEXT   PRIMARY KEY,
    position BIGINT NOT NULL
);

-- +goose Down
DROP TABLE consumer_positions;
