-- Run by the build after views.sql: the ledger views every Timeline, Overview, Map and Deals question reads
-- (`deals`: joins to countries, FX rates and SIPRI rows; `deliveries`: SIPRI's per-year rows of the linked deals
-- plus the ledger's own) are stored once as rows, and the public views read those rows. Their definitions stay
-- in views.sql (the documented contract); columns, types, order and rows are unchanged. Without this, every
-- filtered question re-ran the views, scanning all SIPRI per-year rows (the Gantt question took longest).
CREATE TABLE base.deals_rows AS SELECT * FROM deals;
CREATE TABLE base.deliveries_rows AS SELECT * FROM deliveries;
CREATE OR REPLACE VIEW deliveries AS SELECT * FROM base.deliveries_rows;
CREATE OR REPLACE VIEW deals AS SELECT * FROM base.deals_rows;
