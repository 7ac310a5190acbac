-- The sale scheduler keeps running every sale with a payment attempt in doubt; this finds them without
-- reading the orders of every sale.
CREATE INDEX orders_payment_pending_idx ON orders (sale_id) WHERE payment_status = 'PENDING';
