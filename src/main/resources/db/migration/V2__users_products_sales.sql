-- Plain tables: users and products change rarely and are never contended, so they are not event-sourced.
CREATE TABLE users (
  id UUID PRIMARY KEY,
  email VARCHAR(254) NOT NULL,
  name VARCHAR(200) NOT NULL,
  password_hash VARCHAR(100) NOT NULL,
  role VARCHAR(16) NOT NULL CHECK (role IN ('customer', 'admin')),
  created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
-- Emails are stored lower-cased; the unique index makes registration race-free.
CREATE UNIQUE INDEX users_email_idx ON users (email);

CREATE TABLE products (
  id UUID PRIMARY KEY,
  name VARCHAR(200) NOT NULL,
  description VARCHAR(5000) NOT NULL,
  image_url VARCHAR(2000),
  price NUMERIC(12, 2) NOT NULL CHECK (price >= 0),
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- The catalogue of sales: which sale entities exist. The entity is the truth about each one.
CREATE TABLE sale_catalog (
  id UUID PRIMARY KEY,
  product_id UUID NOT NULL REFERENCES products (id),
  created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
