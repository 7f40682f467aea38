-- Business hours per body (issue #3, L11): limits counted in working hours
-- run only inside them. A body without its own row inherits its nearest
-- ancestor's; none at all means calendar.DefaultBusinessHours. hours is the
-- canonical text calendar.ParseBusinessHours reads ("09:00-12:00,13:30-17:30").
-- A change bumps calendar_version like every calendar write.
-- Timestamps are unix microseconds UTC.

-- +goose Up
CREATE TABLE calendar_business_hours (
    body_id    BIGINT PRIMARY KEY REFERENCES bodies (id),
    hours      TEXT   NOT NULL,
    updated_at BIGINT NOT NULL,
    updated_by TEXT   NOT NULL
);

-- +goose Down
DROP TABLE calendar_business_hours;
