-- Satisfaction surveys (满意度测评, S7; internal/rating/ratingdb): a
-- supervisor's questionnaire (rating_surveys) sent to a sample of recent
-- applicants, one secret link each (rating_survey_invites: the token's
-- hash only, the answers as JSON once given). Both audited aggregates.

-- +goose Up
CREATE TABLE rating_surveys (
    id        INTEGER PRIMARY KEY,
    version   BIGINT NOT NULL,
    body_path TEXT   NOT NULL,
    sent_at   BIGINT NOT NULL,
    data      TEXT   NOT NULL
);
CREATE INDEX rating_surveys_body ON rating_surveys (body_path, sent_at);

CREATE TABLE rating_survey_invites (
    id          INTEGER PRIMARY KEY,
    version     BIGINT NOT NULL,
    survey_id   BIGINT NOT NULL,
    token_hash  TEXT   NOT NULL,
    case_number TEXT   NOT NULL,
    answered_at BIGINT NOT NULL,
    answers     TEXT   NOT NULL
);
CREATE UNIQUE INDEX rating_survey_invites_token ON rating_survey_invites (token_hash);
CREATE INDEX rating_survey_invites_survey ON rating_survey_invites (survey_id);

-- +goose Down
DROP TABLE rating_survey_invites;
DROP TABLE rating_surveys;
