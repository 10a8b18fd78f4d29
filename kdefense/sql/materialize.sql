-- Run by the build after views.sql: the ledger views every Timeline, Overview, Map and Deals question reads
-- (`deals`: joins to countries, FX rates and SIPRI rows; `deliveries`: SIPRI's per-year rows of the linked deals
-- plus the ledger's own) are stored once as rows, and the public views read those rows. Their definitions stay
-- in views.sql (the documented contract); columns, types, order and rows are unchanged. Without this, every
-- filtered question re-ran the views, scanning all SIPRI per-year rows (the Gantt question took longest).
CREATE TABLE _internal.deals_rows AS SELECT * FROM deals;
-- deliveries.is_overdue depends on today's date, so it is computed when queried, not stored: a planned row whose
-- year has ended with no actual row (ledger or SIPRI) for the deal in that year (as in views.sql). Whether a
-- planned row has an actual row beside it does not change with the date, so the build stores that (no_actual)
-- and the view only compares the year: a correlated subquery in the view was planned again by every question
-- that reads deliveries.
CREATE TABLE _internal.deliveries_rows AS
SELECT d.* EXCLUDE (is_overdue),
       d.kind = 'planned' AND NOT EXISTS (SELECT 1 FROM deliveries a
                                         WHERE a.deal_id = d.deal_id AND a.year = d.year AND a.kind = 'actual')
           AS no_actual
FROM deliveries d;
CREATE OR REPLACE VIEW deliveries AS
SELECT r.* EXCLUDE (no_actual), r.no_actual AND r.year < year(current_date) AS is_overdue
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

-- The Timeline Gantt's per-deal facts (timeline_gantt.sql), which depend on no filter: each deal's place in its
-- framework tree (parent p1, grandparent p2, depth, the sort path that puts a framework directly above its
-- contracts), its delivery aggregates and first source, and its drawn parts (waiting, one per delivery year,
-- the signing marker). Only what depends on the filters is left to the question: which deals are shown, a
-- framework's span over its shown contracts, and whether a planned year is overdue (that depends on today).
-- Without this, the question re-planned the whole derivation (~65 ms of DuckDB planning) on every filter change.
CREATE TABLE _internal.gantt_deals AS
WITH d AS (
    SELECT x.deal_id, x.parent_deal_id, x.recipient, x.source_ids, x.is_signed, x.status,
           CAST(CASE length(x.signed_date) WHEN 10 THEN x.signed_date WHEN 7 THEN x.signed_date || '-01'
                ELSE x.signed_date || '-01-01' END AS DATE) AS start_date,
           p1.deal_id AS p1, p2.deal_id AS p2
    FROM deals x
    LEFT JOIN deals p1 ON p1.deal_id = x.parent_deal_id
    LEFT JOIN deals p2 ON p2.deal_id = p1.parent_deal_id
), pathed AS (
    SELECT k.*,
           CASE WHEN k.p2 IS NOT NULL THEN 2 WHEN k.p1 IS NOT NULL THEN 1 ELSE 0 END AS depth,
           concat_ws('/', CASE WHEN k.p2 IS NOT NULL THEN CAST(g2.start_date AS VARCHAR) || g2.deal_id END,
                     CASE WHEN k.p1 IS NOT NULL THEN CAST(g1.start_date AS VARCHAR) || g1.deal_id END,
                     CAST(k.start_date AS VARCHAR) || k.deal_id) AS path,
           r.recipient AS root_recipient
    FROM d k
    LEFT JOIN d g1 ON g1.deal_id = k.p1
    LEFT JOIN d g2 ON g2.deal_id = k.p2
    JOIN deals r ON r.deal_id = coalesce(k.p2, k.p1, k.deal_id)
), per_deal AS (
    SELECT deal_id, min(year) FILTER (WHERE kind = 'actual') AS first_actual,
           min(year) FILTER (WHERE kind = 'planned') AS first_planned,
           max(year) AS last_year, sum(units) FILTER (WHERE kind = 'actual') AS units_delivered
    FROM _internal.deliveries_rows GROUP BY deal_id
), first_source AS (
    SELECT p.deal_id, arg_min(s.publisher || ': ' || s.title, u.pos) AS first_source
    FROM pathed p, unnest(string_split(p.source_ids, ';')) WITH ORDINALITY AS u(sid, pos)
    JOIN sources s ON s.source_id = trim(u.sid)
    GROUP BY p.deal_id
)
SELECT p.deal_id, p.p1, p.p2, p.depth, p.start_date, p.is_signed, p.status,
       row_number() OVER (ORDER BY p.root_recipient, p.path) AS sort_order,
       pd.first_actual, pd.first_planned, pd.last_year, pd.units_delivered, fs.first_source,
       CASE WHEN pd.last_year IS NOT NULL THEN make_date(pd.last_year, 12, 31) END AS own_end,
       -- the row label (recipient · deal number; ↳ under a framework) and the deal's columns the Gantt lists
       CASE p.depth WHEN 0 THEN x.recipient || ' · ' || substr(p.deal_id, 8)
            WHEN 1 THEN '↳ ' || substr(p.deal_id, 8)
            ELSE chr(160) || chr(160) || chr(160) || '↳ ' || substr(p.deal_id, 8) END AS row_label,
       x.parent_deal_id, x.recipient, x.recipient_region, x.system_family, x.designation, x.armament_category,
       x.signed_date, x.signed_date_precision, x.signed_year, x.quantity, x.currency, x.value_amount_m,
       x.value_usd_m, x.value_usd_m_counted, x.value_note, x.sipri_tiv_order_m, x.source_ids,
       -- the label of the deal in the Timeline's "one deal" picker (timeline_deal_options.sql)
       x.recipient || ' · ' || coalesce(x.system_family, '?') || ' · ' || coalesce(x.designation, '')
       || ' — ' || x.status || ', ' || x.signed_date || ' (' || x.deal_id || ')' AS picker_label
FROM pathed p
JOIN deals x USING (deal_id)
LEFT JOIN per_deal pd USING (deal_id)
LEFT JOIN first_source fs USING (deal_id);

-- The Gantt's framework tree as pairs (timeline_gantt.sql): each deal with itself and with each framework above it
-- (parent p1, grandparent p2), and the signing date of that framework, so the question finds the frameworks shown
-- for context and spans each over its shown contracts with one join.
CREATE TABLE _internal.gantt_tree AS
SELECT g.deal_id, a.deal_id AS anc, a.start_date AS anc_start, a.deal_id = g.deal_id AS is_self
FROM _internal.gantt_deals g
JOIN _internal.gantt_deals a ON a.deal_id IN (g.deal_id, g.p1, g.p2)
ORDER BY g.deal_id, a.deal_id;

-- Drawn parts of each deal that depend on no filter. A planned year's part is 'planned' here and becomes
-- 'overdue' in the question when the year has ended (no_actual: no delivery recorded for the deal that year).
CREATE TABLE _internal.gantt_parts AS
WITH dl AS (
    SELECT deal_id, year, kind, sum(units) AS units, string_agg(DISTINCT origin, '+') AS origin,
           string_agg(DISTINCT source_ids, ';') AS source_ids
    FROM _internal.deliveries_rows GROUP BY deal_id, year, kind
), as_of AS (
    SELECT CAST(max(last_verified) AS DATE) AS as_of FROM deals
), parts AS (
    SELECT g.deal_id, 'waiting' AS part, g.start_date AS start,
           CASE WHEN g.first_actual IS NOT NULL THEN make_date(g.first_actual, 1, 1)
                WHEN g.first_planned IS NOT NULL THEN make_date(g.first_planned, 1, 1)
                ELSE (SELECT as_of FROM as_of) END AS finish,
           NULL::INTEGER AS year, NULL::BIGINT AS units, NULL AS origin, NULL AS part_sources, false AS no_actual
    FROM _internal.gantt_deals g
    WHERE g.is_signed AND NOT (g.status = 'completed' AND g.first_actual IS NULL)
    UNION ALL
    SELECT dl.deal_id, CASE WHEN dl.kind = 'actual' THEN 'delivered' ELSE 'planned' END,
           greatest(make_date(dl.year, 1, 1), g.start_date), make_date(dl.year, 12, 31), dl.year, dl.units,
           dl.origin, dl.source_ids,
           dl.kind = 'planned' AND NOT EXISTS (SELECT 1 FROM dl a WHERE a.deal_id = dl.deal_id AND a.year = dl.year
                                                                    AND a.kind = 'actual')
    FROM dl JOIN _internal.gantt_deals g USING (deal_id)
    UNION ALL
    SELECT g.deal_id, CASE WHEN g.status IN ('prospect', 'negotiating') THEN 'news'
                           WHEN g.status = 'cancelled' THEN 'cancelled'
                           WHEN g.status = 'framework/MoU' THEN 'agreement' ELSE 'signed' END,
           g.start_date, g.start_date, NULL, NULL, NULL, NULL, false
    FROM _internal.gantt_deals g
)
SELECT * FROM parts WHERE finish > start OR part IN ('signed', 'agreement', 'news', 'cancelled');

-- The Deals explorer's per-deal facts (deals_table.sql) that depend on no filter: units delivered and the last
-- delivery year (actual rows of `deliveries`), and the URLs of the deal's sources in source id order. Without
-- this, every filter change re-planned and re-ran the aggregate over deliveries and the split of source ids.
CREATE TABLE _internal.deal_table_facts AS
WITH delivered AS (
    SELECT deal_id, sum(units) FILTER (WHERE kind = 'actual') AS units_delivered,
           max(year) FILTER (WHERE kind = 'actual') AS last_delivery_year
    FROM deliveries GROUP BY deal_id
), urls AS (
    SELECT d.deal_id, string_agg(s.url, ' ' ORDER BY s.source_id) AS source_urls
    FROM deals d, unnest(string_split(d.source_ids, ';')) AS u(sid)
    JOIN sources s ON s.source_id = trim(u.sid)
    GROUP BY d.deal_id
)
SELECT d.deal_id, dl.units_delivered, dl.last_delivery_year, u.source_urls
FROM deals d
LEFT JOIN delivered dl USING (deal_id)
LEFT JOIN urls u USING (deal_id);

-- The Tenders table's URLs of each competition's sources in source id order (tenders_table.sql): they depend on
-- no filter.
CREATE TABLE _internal.competition_source_urls AS
SELECT k.competition_id, string_agg(s.url, ' ' ORDER BY s.source_id) AS source_urls
FROM competitions k, unnest(string_split(k.source_ids, ';')) AS u(sid)
JOIN sources s ON s.source_id = trim(u.sid)
GROUP BY k.competition_id;

-- The competitions filter (filter_competitions.sql, CTE `fc` of the Tenders and Timeline tender questions) reads
-- each competition with its year (of the decision; of opening while open) and its recipient's NATO / EU
-- membership. None of that depends on a filter, so the build stores those rows; the public `competitions` view
-- is unchanged. Without this, every filtered question planned the view's join to countries and the filter's
-- second join again (2-7 ms of DuckDB per question). The rows keep the order of the stored competitions, the
-- order in which the view's questions met them: the head to head's string_agg(DISTINCT …) lists in that order.
CREATE TABLE _internal.competition_filter_rows AS
SELECT k.*, coalesce(k.year_decided, k.year_opened) AS year,
       coalesce(c.is_nato, false) AS recipient_is_nato, coalesce(c.is_eu, false) AS recipient_is_eu
FROM competitions k
JOIN (SELECT competition_id, rowid AS stored_at FROM _internal.competitions) o USING (competition_id)
LEFT JOIN countries c ON c.iso3 = k.recipient_iso3
ORDER BY o.stored_at;

-- The Timeline order book's per-deal facts (timeline_orderbook.sql, timeline_orderbook_now.sql), which depend on no
-- filter: for each signed deal with a stated quantity, its outstanding units at the end of every year from its
-- signing to the as-of year (quantity − actual units delivered up to that year, never below 0; 0 for a completed
-- deal from its last recorded delivery, or from signing when none is recorded) and the pro-rata counted value
-- still to deliver; and its outstanding units now (all actual units delivered; 0 once completed). The questions
-- only pick the filtered deals and sum. Without this, every filter change re-planned and re-ran a correlated sum
-- of deliveries for every deal and year (~15 ms of DuckDB per question).
CREATE TABLE _internal.orderbook_deal_years AS
WITH book AS (
    SELECT deal_id, status, signed_year, quantity, value_usd_m_counted FROM deals WHERE is_signed AND quantity > 0
), actual AS (
    SELECT deal_id, year, sum(units) AS units FROM deliveries WHERE kind = 'actual' GROUP BY deal_id, year
), last_actual AS (
    SELECT deal_id, max(year) AS last_year FROM actual GROUP BY deal_id
), years AS (
    SELECT b.deal_id, y.year
    FROM book b, (SELECT unnest(generate_series((SELECT min(signed_year) FROM book),
                                               (SELECT year(max(CAST(last_verified AS DATE))) FROM deals))) AS year) y
    WHERE b.signed_year <= y.year
), grid AS (
    SELECT y.year, s.deal_id, s.value_usd_m_counted, s.quantity,
           CASE WHEN s.status = 'completed' AND y.year >= coalesce(la.last_year, s.signed_year) THEN 0
                ELSE greatest(s.quantity - coalesce((SELECT sum(a.units) FROM actual a
                                                     WHERE a.deal_id = s.deal_id AND a.year <= y.year), 0), 0)
           END AS outstanding
    FROM years y JOIN book s USING (deal_id)
    LEFT JOIN last_actual la USING (deal_id)
)
SELECT deal_id, year, outstanding, value_usd_m_counted * outstanding / quantity AS value_usd_m_outstanding
FROM grid
ORDER BY deal_id, year;

CREATE TABLE _internal.orderbook_deals AS
WITH delivered AS (
    SELECT deal_id, sum(units) AS units FROM deliveries WHERE kind = 'actual' GROUP BY deal_id
)
SELECT s.deal_id,
       CASE WHEN s.status = 'completed' THEN 0 ELSE greatest(s.quantity - coalesce(d.units, 0), 0) END AS outstanding
FROM deals s LEFT JOIN delivered d USING (deal_id)
WHERE s.is_signed AND s.quantity > 0
ORDER BY s.deal_id;

-- The Timeline speed chart's rows (timeline_speed.sql): one per signed deal, with its first actual delivery (year,
-- units and origin of that year), the years to it, or the years waited so far (as-of year − signing year) when
-- none is recorded and the deal is not completed, and its category's benchmark (_internal.speed_benchmarks). None
-- of it depends on a filter; the question only picks the filtered deals.
CREATE TABLE _internal.speed_rows AS
WITH first AS (
    SELECT deal_id, min(year) AS first_year, arg_min(units, year) AS first_year_units,
           arg_min(origin, year) AS first_year_origin
    FROM (SELECT deal_id, year, sum(units) AS units, string_agg(DISTINCT origin, '+') AS origin
          FROM deliveries WHERE kind = 'actual' GROUP BY deal_id, year)
    GROUP BY deal_id
)
SELECT s.deal_id, s.recipient || ' · ' || substr(s.deal_id, 8) AS row_label, s.recipient, s.recipient_region,
       s.system_family, s.designation, s.armament_category, s.status, s.signed_date, s.signed_year, s.quantity,
       f.first_year AS first_delivery_year, f.first_year_units, f.first_year_origin,
       f.first_year - s.signed_year AS years_to_first_delivery,
       CASE WHEN f.first_year IS NULL AND s.status <> 'completed'
            THEN (SELECT year(max(CAST(last_verified AS DATE))) FROM deals) - s.signed_year END AS years_waiting,
       b.others_median_years, b.others_p25_years, b.others_p75_years, b.others_records,
       f.first_year - s.signed_year - b.others_median_years AS years_vs_median,
       s.source_ids
FROM deals s
LEFT JOIN first f USING (deal_id)
LEFT JOIN _internal.speed_benchmarks b USING (armament_category)
WHERE s.is_signed AND (f.first_year IS NOT NULL OR s.status <> 'completed')
ORDER BY s.deal_id;
