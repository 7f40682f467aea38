-- A supervision order's next check (internal/supervise/supervisedb): the
-- instant its time rules (order.reminder, order.red) can next fire, NULL
-- when none can; derived and not audited, like clocks.next_check_at, so
-- the sweep finds due orders by an index range.

-- +goose Up
ALTER TABLE supervise_orders ADD COLUMN check_at BIGINT;
CREATE INDEX supervise_orders_check ON supervise_orders (check_at, id);

-- +goose Down
DROP INDEX supervise_orders_check;
ALTER TABLE supervise_orders DROP COLUMN check_at;
