-- Leases for periodic jobs (issue #12 item 4, internal/store/lease.go): one
-- row per job name. The holder renews expires_at (unix µs UTC) while it
-- works; once it has passed, another instance may take the lease, which
-- bumps token. Every write of the job checks its token (the fence), so a
-- holder that was paused and resumes after a takeover cannot write.
-- Bookkeeping, not audited.

-- +goose Up
CREATE TABLE leases (
    name       TEXT   PRIMARY KEY,
    holder     TEXT   NOT NULL,
    token      BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);

-- +goose Down
DROP TABLE leases;
