-- Merkle nodes keyed in creation order: by the last leaf a node covers, then
-- level. Appending leaf n completes exactly the nodes whose last leaf is n, so
-- every group's new nodes land at the right edge of one B-tree page instead
-- of one page per level (issue #2: fewer pages written per commit). A node at
-- (level, index) covers leaves [index << level, (index + 1) << level), so
-- last_leaf = ((index + 1) << level) - 1 and index = ((last_leaf + 1) >> level) - 1.

-- +goose Up
CREATE TABLE audit_nodes_by_leaf (
    last_leaf BIGINT  NOT NULL,
    level     INTEGER NOT NULL,
    hash      BLOB    NOT NULL,
    PRIMARY KEY (last_leaf, level)
) WITHOUT ROWID;
INSERT INTO audit_nodes_by_leaf (last_leaf, level, hash)
SELECT ((idx + 1) << level) - 1, level, hash FROM audit_nodes ORDER BY 1, 2;
DROP TABLE audit_nodes;
ALTER TABLE audit_nodes_by_leaf RENAME TO audit_nodes;

-- +goose Down
CREATE TABLE audit_nodes_by_level (
    level INTEGER NOT NULL,
    idx   BIGINT  NOT NULL,
    hash  BLOB    NOT NULL,
    PRIMARY KEY (level, idx)
) WITHOUT ROWID;
INSERT INTO audit_nodes_by_level (level, idx, hash)
SELECT level, ((last_leaf + 1) >> level) - 1, hash FROM audit_nodes ORDER BY 1, 2;
DROP TABLE audit_nodes;
ALTER TABLE audit_nodes_by_level RENAME TO audit_nodes;
