-- A sale's waiting room as its admin set it; all null for a sale without one.
ALTER TABLE sales
  ADD COLUMN room_prequeue_opens_at timestamptz,
  ADD COLUMN room_difficulty int,
  ADD COLUMN room_admission_rate int,
  ADD COLUMN room_paused boolean;
