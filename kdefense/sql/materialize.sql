-- Run by the build after views.sql: the ledger views every Timeline, Overview, Map and Deals question reads
-- (`deals`: joins to countries, FX rates and SIPRI rows; `deliveries`: SIPRI's per-year rows of the linked deals
-- plus the ledger's own) are stored once as rows, and the public views read those rows. Their definitions stay
-- in views.sql (the documented contract); columns, types, order and rows are unchanged. Without this, every
-- filtered question re-ran the views, scanning all SIPRI per-year rows (the Gantt question took longest).
CREATE TABLE _internal.deals_rows AS SELECT * FROM deals;
-- deliveries.is_overdue depends on today's date, so it is computed when queried, not stored: a planned row whose
-- year has ended with no actual row (ledger or SIPRI) for the deal in that year (as in views.sql).
CREATE TABLE _internal.deliveries_rows AS SELECT * EXCLUDE (is_overdue) FROM deliveries;
CREATE OR REPLACE VIEW deliveries AS
SELECT r.*,
       r.kind = 'planned' AND r.year < year(current_date)
           AND NOT EXISTS (SELECT 1 FROM _internal.deliveries_rows a
                           WHERE a.deal_id = r.deal_id AND a.year = r.year AND a.kind = 'actual') AS is_overdue
FROM _internal.deliveries_rows r;
CREATE OR REPLACE VIEW deals AS SELECT * FROM _internal.deals_rows;

-- The Timeline speed chart's benchmark (timeline_speed.sql): other suppliers' years from order to first delivery
-- per SIPRI armament category. It reads every SIPRI record and depends on no filter, so it is computed once here.
CREATE TABLE _internal.speed_benchmarks AS
    SELECT armament_category, median(first_delivery_year - order_year) AS others_median_years,
           quantile_cont(first_delivery_year - order_year, 0.25) AS others_p25_years,
           quantile_cont(first_delivery_year - order_year, 0.75) AS others_p75_years,
           count(*) AS others_records
    FROM transfers
    WHERE supplier <> 'South Korea' AND status = 'New' AND order_year >= 2000 AND NOT order_year_uncertain
      AND first_delivery_year IS NOT NULL
    GROUP BY armament_category;
