-- The public, documented views of kdefense.duckdb (docs/schema.md). Base tables live in schema `_internal`
-- and may change; these views are the stable contract for analysts and for the app.

CREATE VIEW countries AS
SELECT iso3, iso2, name, region, subregion,
       nato_join_year, eu_join_year, eu_leave_year,
       nato_join_year IS NOT NULL AS is_nato,
       eu_join_year IS NOT NULL AND eu_leave_year IS NULL AS is_eu,
       centroid_lat, centroid_lon, centroid_source, membership_source
FROM _internal.countries;

CREATE VIEW system_families AS
SELECT supplier, designation, description, system_family, system_class, note FROM _internal.system_families;

CREATE VIEW transfers AS
SELECT t.transfer_id, t.sipri_at_id,  -- derived columns: kdefense/sql/derive.sql
       t.supplier, t.supplier_iso3, t.supplier_type,
       t.recipient, t.recipient_iso3, t.recipient_type, t.recipient_location_iso3, t.recipient_region,
       CAST(t.order_year AS INTEGER) AS order_year, t.order_year_uncertain,
       CAST(t.number_ordered AS BIGINT) AS number_ordered, t.number_ordered_uncertain,
       CAST(t.number_delivered AS BIGINT) AS number_delivered, t.number_delivered_uncertain,
       t.delivery_years, CAST(t.first_delivery_year AS INTEGER) AS first_delivery_year,
       CAST(t.last_delivery_year AS INTEGER) AS last_delivery_year,
       t.designation, t.description, t.armament_category, t.system_family, t.system_class,
       t.status, t.comments, t.tiv_per_unit_m, t.tiv_order_m, t.tiv_delivered_m
FROM _internal.transfers t;

CREATE VIEW transfer_deliveries AS
SELECT d.sipri_at_id, d.transfer_id, d.supplier, d.supplier_iso3, d.recipient, d.recipient_iso3,
       d.recipient_region, d.designation, d.description, d.armament_category,
       d.system_family, d.system_class,  -- with the register row's family as fallback: derive.sql
       CAST(d.order_year AS INTEGER) AS order_year, d.order_year_uncertain,
       CAST(d.delivery_year AS INTEGER) AS delivery_year, d.delivery_year_uncertain,
       d.units, d.units_uncertain, d.tiv_unit_m, d.tiv_delivered_m, d.status, d.local_production, d.basis
FROM _internal.transfer_deliveries d;

CREATE VIEW fx_rates AS
SELECT currency, CAST(year AS INTEGER) AS year, units_per_usd, 1.0 / units_per_usd AS usd_per_unit, days, is_partial_year, basis, source_ids
FROM _internal.fx;

-- Text dates keep their precision ('2022', '2022-07', '2022-07-27'); each has a typed DATE beside it, the first
-- day of the period the text names, and a precision (day / month / year) saying how much of that DATE is known.
CREATE VIEW sources AS
SELECT source_id, publisher, title, date,
       CASE length(date) WHEN 10 THEN TRY_CAST(date AS DATE) WHEN 7 THEN TRY_CAST(date || '-01' AS DATE) WHEN 4 THEN TRY_CAST(date || '-01-01' AS DATE) END AS date_typed,
       CASE length(date) WHEN 10 THEN 'day' WHEN 7 THEN 'month' WHEN 4 THEN 'year' END AS date_precision,
       url, kind, note
FROM _internal.sources;

CREATE VIEW deals AS
WITH d AS (
    SELECT *, CAST(left(signed_date, 4) AS INTEGER) AS signed_year FROM _internal.deals
), valued_children AS (
    SELECT DISTINCT parent_deal_id FROM _internal.deals WHERE parent_deal_id IS NOT NULL AND value_amount_m IS NOT NULL
)
SELECT d.deal_id, d.parent_deal_id, d.recipient_iso3, c.name AS recipient, c.region AS recipient_region,
       c.subregion AS recipient_subregion,
       c.nato_join_year IS NOT NULL AND c.nato_join_year <= coalesce(d.signed_year, 9999) AS recipient_nato_at_signing,
       c.is_nato AS recipient_is_nato, c.is_eu AS recipient_is_eu,
       d.system_family, d.designation, d.description, d.armament_category, d.company, d.partners,
       d.status, d.status IN ('contract', 'delivering', 'completed') AS is_signed,
       d.signed_date, CASE length(d.signed_date) WHEN 10 THEN TRY_CAST(d.signed_date AS DATE) WHEN 7 THEN TRY_CAST(d.signed_date || '-01' AS DATE) WHEN 4 THEN TRY_CAST(d.signed_date || '-01-01' AS DATE) END AS signed_date_typed,
       d.signed_date_precision, d.signed_year,
       d.quantity, d.quantity_note,
       d.currency, d.value_amount_m, d.value_is_estimate, d.value_note,
       round(d.value_amount_m / fx.units_per_usd, 3) AS value_usd_m,
       CASE WHEN vc.parent_deal_id IS NULL THEN round(d.value_amount_m / fx.units_per_usd, 3) END AS value_usd_m_counted,
       CAST(fx.year AS INTEGER) AS fx_year, fx.units_per_usd AS fx_units_per_usd, fx.is_partial_year AS fx_partial_year,
       d.local_production_share_pct, d.local_production_note,
       d.sipri_transfer_id, t.tiv_order_m AS sipri_tiv_order_m, t.tiv_delivered_m AS sipri_tiv_delivered_m,
       t.comments AS sipri_comments,
       d.confidence, d.last_verified,
       CASE length(d.last_verified) WHEN 10 THEN TRY_CAST(d.last_verified AS DATE) WHEN 7 THEN TRY_CAST(d.last_verified || '-01' AS DATE) WHEN 4 THEN TRY_CAST(d.last_verified || '-01-01' AS DATE) END AS last_verified_typed,
       CASE length(d.last_verified) WHEN 10 THEN 'day' WHEN 7 THEN 'month' WHEN 4 THEN 'year' END AS last_verified_precision,
       d.source_ids, d.notes,
       d.deal_kind, d.competition_id
FROM d
LEFT JOIN countries c ON c.iso3 = d.recipient_iso3
LEFT JOIN _internal.fx fx ON fx.currency = d.currency AND fx.year = d.signed_year
LEFT JOIN valued_children vc ON vc.parent_deal_id = d.deal_id
LEFT JOIN _internal.transfers t ON t.transfer_id = d.sipri_transfer_id;

-- SIPRI's per-year deliveries go to the earliest deal linked to each SIPRI record, so that two contracts
-- sharing one SIPRI row never count the same units twice.
CREATE VIEW deliveries AS
WITH primary_deal AS (
    SELECT sipri_transfer_id, arg_min(deal_id, signed_date || deal_id) AS deal_id
    FROM _internal.deals WHERE sipri_transfer_id IS NOT NULL GROUP BY sipri_transfer_id
), ledger AS (
    SELECT deal_id, CAST(year AS INTEGER) AS year, units, kind, coalesce(is_estimate, false) AS is_estimate, source_ids, note,
           'ledger' AS origin
    FROM _internal.deliveries_ledger
), sipri AS (
    SELECT p.deal_id, CAST(td.delivery_year AS INTEGER) AS year, td.units, 'actual' AS kind, td.units_uncertain AS is_estimate,
           CASE WHEN td.basis = 'sipri_per_year' THEN 'S-SIPRI-2025PY' ELSE 'S-SIPRI-2026' END AS source_ids,
           CASE td.basis
               WHEN 'sipri_per_year' THEN 'SIPRI per-delivery-year register'
               WHEN 'register_single_year' THEN 'SIPRI register: all delivered units in its only delivery year'
               WHEN 'register_minus_per_year' THEN 'SIPRI register total minus per-year units to the last covered year'
               ELSE 'SIPRI register lists this delivery year; units not given'
           END AS note,
           'sipri' AS origin
    FROM _internal.transfer_deliveries td
    JOIN primary_deal p ON p.sipri_transfer_id = td.transfer_id
    WHERE td.delivery_year IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM ledger l WHERE l.deal_id = p.deal_id AND l.year = td.delivery_year
                                              AND l.kind = 'actual')
)
SELECT *,
       -- a planned year that has ended with no actual delivery recorded for the deal in that year
       kind = 'planned' AND year < year(current_date)
           AND NOT EXISTS (SELECT 1 FROM ledger a WHERE a.deal_id = u.deal_id AND a.year = u.year AND a.kind = 'actual')
           AND NOT EXISTS (SELECT 1 FROM sipri a WHERE a.deal_id = u.deal_id AND a.year = u.year) AS is_overdue
FROM (SELECT * FROM sipri UNION ALL SELECT * FROM ledger) u;

CREATE VIEW official_totals AS
SELECT total_id, CAST(year AS INTEGER) AS year, CAST(period_end_year AS INTEGER) AS period_end_year, metric, value, unit, scope, is_official, source_ids, note
FROM _internal.official_totals;

CREATE VIEW facilities AS
SELECT f.facility_id, f.country_iso3, c.name AS country, c.region, f.city, f.company, f.kind, f.status, CAST(f.year AS INTEGER) AS year,
       f.year_kind, f.latitude, f.longitude, f.description, f.source_ids
FROM _internal.facilities f LEFT JOIN countries c ON c.iso3 = f.country_iso3;

CREATE VIEW events AS
SELECT event_id, CAST(date AS VARCHAR) AS date,
       CASE length(date) WHEN 10 THEN TRY_CAST(date AS DATE) WHEN 7 THEN TRY_CAST(date || '-01' AS DATE) WHEN 4 THEN TRY_CAST(date || '-01-01' AS DATE) END AS date_typed,
       CASE length(date) WHEN 10 THEN 'day' WHEN 7 THEN 'month' WHEN 4 THEN 'year' END AS date_precision,
       CAST(left(date, 4) AS INTEGER) AS year, title, kind, country_iso3,
       source_ids
FROM _internal.events;

CREATE VIEW companies AS
SELECT k.company, t.company AS sipri_name, CAST(t.year AS INTEGER) AS year, CAST(t.rank AS INTEGER) AS rank, t.arms_revenue_musd, t.total_revenue_musd,
       round(t.arms_revenue_musd / t.total_revenue_musd, 4) AS arms_share_of_revenue, 'S-SIPRI-TOP100' AS source_ids
FROM _internal.top100 t JOIN _internal.korean_companies k ON k.sipri_name = t.company
WHERE t.country = 'South Korea';

-- Tenders a Korean bidder entered, with Korea's outcome (docs/ledger-method.md, "Competitions").
CREATE VIEW competitions AS
SELECT k.competition_id, k.programme, k.recipient_iso3, c.name AS recipient, c.region AS recipient_region,
       k.system_family, CAST(k.year_opened AS INTEGER) AS year_opened, CAST(k.year_decided AS INTEGER) AS year_decided,
       CAST(k.quantity_sought AS BIGINT) AS quantity_sought, k.budget_currency, k.budget_amount_m, k.budget_is_estimate,
       k.korean_bidders, k.korean_systems, k.rival_bidders, k.rival_systems, k.winner, k.winner_system,
       k.outcome, k.outcome <> 'open' AS is_decided, k.deal_ids, k.source_ids, k.notes
FROM _internal.competitions k LEFT JOIN countries c ON c.iso3 = k.recipient_iso3;

CREATE VIEW build_info AS SELECT key, value FROM _internal.build_info;
