-- Run by the build after views.sql: the ledger views every Timeline, Overview, Map and Deals question reads
-- (`deals`: joins to countries, FX rates and SIPRI rows; `deliveries`: SIPRI's per-year rows of the linked deals
-- plus the ledger's own) are stored once as rows, and the public views read those rows. Their definitions stay
-- in views.sql (the documented contract); columns, types, order and rows are unchanged. Without this, every
-- filtered question re-ran the views, scanning all SIPRI per-year rows (the Gantt question took longest).
CREATE TABLE base.deals_rows AS SELECT * FROM deals;
CREATE TABLE base.deliveries_rows AS SELECT * FROM deliveries;
CREATE OR REPLACE VIEW deliveries AS SELECT * FROM base.deliveries_rows;
CREATE OR REPLACE VIEW deals AS SELECT * FROM base.deals_rows;

-- The Timeline speed chart's benchmark (timeline_speed.sql): other suppliers' years from order to first delivery
-- per SIPRI armament category. It reads every SIPRI record and depends on no filter, so it is computed once here.
CREATE TABLE base.speed_benchmarks AS
    SELECT armament_category, median(first_delivery_year - order_year) AS others_median_years,
           quantile_cont(first_delivery_year - order_year, 0.25) AS others_p25_years,
           quantile_cont(first_delivery_year - order_year, 0.75) AS others_p75_years,
           count(*) AS others_records
    FROM transfers
    WHERE supplier <> 'South Korea' AND status = 'New' AND order_year >= 2000 AND NOT order_year_uncertain
      AND first_delivery_year IS NOT NULL
    GROUP BY armament_category;
