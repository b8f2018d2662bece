-- Which days of bookings each load delivered (a small reference table, a row per loaded business
-- date, kept by the tiering batch). The next date's facts take off the transactions that left the
-- 90-day window; this says which loads can hold any, so that only those are read, whatever order
-- a load wrote its rows in (a first load carrying months of history is stored by customer).
CREATE TABLE transaction_loads (
  business_date   date PRIMARY KEY,
  rows            bigint NOT NULL,
  first_booked_on date NOT NULL,
  last_booked_on  date NOT NULL,
  -- a load of the same date after this (a correction) is recorded again
  recorded_at     timestamptz NOT NULL DEFAULT now()
);
