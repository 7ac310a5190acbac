-- Read side, written only by the projections (exactly-once: the offset is stored in the same transaction).
-- Every row remembers the sequence number of the last event applied to it, so a replayed event is a no-op.

CREATE TABLE IF NOT EXISTS akka_projection_offset_store (
  projection_name VARCHAR(255) NOT NULL,
  projection_key VARCHAR(255) NOT NULL,
  current_offset VARCHAR(255) NOT NULL,
  manifest VARCHAR(4) NOT NULL,
  mergeable BOOLEAN NOT NULL,
  last_updated BIGINT NOT NULL,
  PRIMARY KEY (projection_name, projection_key)
);
CREATE INDEX IF NOT EXISTS projection_name_index ON akka_projection_offset_store (projection_name);

CREATE TABLE IF NOT EXISTS akka_projection_management (
  projection_name VARCHAR(255) NOT NULL,
  projection_key VARCHAR(255) NOT NULL,
  paused BOOLEAN NOT NULL,
  last_updated BIGINT NOT NULL,
  PRIMARY KEY (projection_name, projection_key)
);

CREATE TABLE sales (
  id UUID PRIMARY KEY,
  product_id UUID NOT NULL,
  price NUMERIC(12, 2) NOT NULL,
  stock INT NOT NULL,
  available INT NOT NULL,
  reserved INT NOT NULL,
  confirmed INT NOT NULL,
  released INT NOT NULL,
  starts_at TIMESTAMPTZ NOT NULL,
  ends_at TIMESTAMPTZ NOT NULL,
  per_user_limit INT NOT NULL,
  hold_seconds INT NOT NULL,
  cancelled BOOLEAN NOT NULL DEFAULT false,
  created_at TIMESTAMPTZ NOT NULL,
  updated_at TIMESTAMPTZ NOT NULL,
  seq_nr BIGINT NOT NULL
);
CREATE INDEX sales_starts_idx ON sales (starts_at);
CREATE INDEX sales_ends_idx ON sales (ends_at);

CREATE TABLE orders (
  id VARCHAR(64) PRIMARY KEY,
  sale_id UUID NOT NULL,
  order_no BIGINT NOT NULL,
  user_id VARCHAR(64) NOT NULL,
  quantity INT NOT NULL,
  unit_price NUMERIC(12, 2) NOT NULL,
  status VARCHAR(16) NOT NULL,
  payment_ref VARCHAR(100),
  created_at TIMESTAMPTZ NOT NULL,
  expires_at TIMESTAMPTZ NOT NULL,
  updated_at TIMESTAMPTZ NOT NULL,
  seq_nr BIGINT NOT NULL
);
-- "My orders", newest first; the admin's keyset pages per sale (and per status) by order number.
CREATE INDEX orders_user_idx ON orders (user_id, created_at DESC, id DESC);
CREATE UNIQUE INDEX orders_sale_idx ON orders (sale_id, order_no);
CREATE INDEX orders_sale_status_idx ON orders (sale_id, status, order_no);
