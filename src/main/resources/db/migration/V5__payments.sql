-- The payment simulator's ledger: what the simulated provider charged under each payment key (a payment
-- attempt's id). A real provider keeps this on its side; the simulator keeps it here so that every node sees
-- the same charges and they outlive a node's crash.
CREATE TABLE payment_simulator_ledger (
  payment_key VARCHAR(64) PRIMARY KEY,
  order_id VARCHAR(64) NOT NULL,
  amount NUMERIC(12, 2) NOT NULL,
  -- DECLINED, CAPTURED, REFUNDED, or VOIDED (closed by a refund before any charge)
  status VARCHAR(16) NOT NULL,
  payment_ref VARCHAR(100),
  refund_failures_left INT NOT NULL DEFAULT 0,
  charged_at TIMESTAMPTZ,
  refunded_at TIMESTAMPTZ,
  updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX payment_simulator_ledger_order_idx ON payment_simulator_ledger (order_id);

-- The outcome of an order's latest payment attempt: PENDING, DECLINED, CAPTURED or REFUNDED (null: none).
ALTER TABLE orders ADD COLUMN payment_status VARCHAR(16);
