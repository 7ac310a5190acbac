-- A starting node's warm-up sales (warmup.Warmup) write their events and snapshots here, through journal and
-- snapshot plugins of their own, so that no projection, history or lookup of the service's journal ever sees
-- them. Same shape as event_journal, event_tag and snapshot (V1), with a sequence of its own: sharing
-- event_journal's would leave holes in its ordering, which the read journal waits on.
CREATE TABLE IF NOT EXISTS warmup_event_journal (
  ordering BIGSERIAL,
  persistence_id VARCHAR(255) NOT NULL,
  sequence_number BIGINT NOT NULL,
  deleted BOOLEAN DEFAULT FALSE NOT NULL,
  writer VARCHAR(255) NOT NULL,
  write_timestamp BIGINT,
  adapter_manifest VARCHAR(255),
  event_ser_id INTEGER NOT NULL,
  event_ser_manifest VARCHAR(255) NOT NULL,
  event_payload BYTEA NOT NULL,
  meta_ser_id INTEGER,
  meta_ser_manifest VARCHAR(255),
  meta_payload BYTEA,
  PRIMARY KEY (persistence_id, sequence_number)
);

CREATE UNIQUE INDEX IF NOT EXISTS warmup_event_journal_ordering_idx ON warmup_event_journal (ordering);

CREATE TABLE IF NOT EXISTS warmup_event_tag (
  event_id BIGINT,
  tag VARCHAR(256),
  PRIMARY KEY (event_id, tag),
  CONSTRAINT fk_warmup_event_journal FOREIGN KEY (event_id) REFERENCES warmup_event_journal (ordering) ON DELETE CASCADE
);

CREATE TABLE IF NOT EXISTS warmup_snapshot (
  persistence_id VARCHAR(255) NOT NULL,
  sequence_number BIGINT NOT NULL,
  created BIGINT NOT NULL,
  snapshot_ser_id INTEGER NOT NULL,
  snapshot_ser_manifest VARCHAR(255) NOT NULL,
  snapshot_payload BYTEA NOT NULL,
  meta_ser_id INTEGER,
  meta_ser_manifest VARCHAR(255),
  meta_payload BYTEA,
  PRIMARY KEY (persistence_id, sequence_number)
);
