-- uses: deals
-- Three of the Timeline's questions in one (a question costs 4-7 ms, most of it binding and planning): one statement
-- whose filtered deals (`sel`: the filter, then $deal_id with its executive contracts) are picked once. `part`
-- names the question each row answers, in that question's row order (UNION ALL keeps it) and with its columns;
-- queries.run_parts splits them (tests/unit/test_timeline_questions.py compares each part with its question and
-- with that question's frozen older text): orderbook = timeline_orderbook.sql,
-- orderbook_now = timeline_orderbook_now.sql, speed = timeline_speed.sql. Each part's rules are in its file.
WITH sel AS MATERIALIZED (
    SELECT deal_id, recipient, recipient_iso3, recipient_region, quantity, value_usd_m_counted, is_signed,
           ($munitions OR (armament_category NOT IN ('Missiles', 'Ammunition') AND system_family <> 'Small arms'))
               AS counted
    FROM fd
    WHERE $deal_id = '' OR deal_id = $deal_id OR parent_deal_id = $deal_id
       OR parent_deal_id IN (SELECT deal_id FROM deals WHERE parent_deal_id = $deal_id)
), booked AS (
    SELECT * FROM sel WHERE is_signed AND quantity > 0 AND counted
), overdue AS (
    SELECT deal_id, sum(units) AS units, string_agg(CAST(year AS VARCHAR), ', ' ORDER BY year) AS years
    FROM deliveries WHERE is_overdue GROUP BY deal_id
), open AS (
    SELECT s.*, b.outstanding, o.deal_id IS NOT NULL AS has_overdue, o.units AS overdue_units,
           o.years AS overdue_years
    FROM booked s JOIN _internal.orderbook_deals b USING (deal_id) LEFT JOIN overdue o USING (deal_id)
)
(SELECT 'orderbook' AS part, b.year, s.recipient_region AS region, sum(b.outstanding) AS units_outstanding,
        round(sum(b.value_usd_m_outstanding), 3) AS value_usd_m_outstanding,
        count(*) FILTER (WHERE b.outstanding > 0) AS open_deals,
        count(*) FILTER (WHERE b.outstanding > 0 AND s.value_usd_m_counted IS NULL) AS open_deals_without_value
 FROM booked s JOIN _internal.orderbook_deal_years b USING (deal_id)
 GROUP BY b.year, s.recipient_region
 ORDER BY year, region)
UNION ALL BY NAME
(SELECT 'orderbook_now' AS part, recipient, recipient_iso3, recipient_region AS region,
        sum(outstanding) AS units_outstanding,
        round(sum(value_usd_m_counted * outstanding / quantity), 3) AS value_usd_m_outstanding,
        count(*) FILTER (WHERE outstanding > 0) AS open_deals,
        count(*) FILTER (WHERE outstanding > 0 AND value_usd_m_counted IS NULL) AS open_deals_without_value,
        string_agg(deal_id, ', ' ORDER BY deal_id) FILTER (WHERE outstanding > 0) AS open_deal_ids,
        count(*) FILTER (WHERE outstanding > 0 AND has_overdue) AS overdue_deals,
        sum(CASE WHEN overdue_units IS NOT NULL THEN least(overdue_units, outstanding) END)
            FILTER (WHERE outstanding > 0 AND has_overdue) AS units_overdue,
        string_agg(deal_id || ' (' || overdue_years || ')', ', ' ORDER BY deal_id)
            FILTER (WHERE outstanding > 0 AND has_overdue) AS overdue_deal_ids
 FROM open
 GROUP BY recipient, recipient_iso3, recipient_region
 HAVING sum(outstanding) > 0
 ORDER BY units_outstanding DESC, recipient)
UNION ALL BY NAME
(SELECT 'speed' AS part, r.deal_id, r.row_label, r.recipient, r.recipient_region, r.system_family, r.designation,
        r.armament_category, r.status, r.signed_date, r.signed_year, r.quantity, r.first_delivery_year,
        r.first_year_units, r.first_year_origin, r.years_to_first_delivery, r.years_waiting, r.others_median_years,
        r.others_p25_years, r.others_p75_years, r.others_records, r.years_vs_median, r.source_ids
 FROM _internal.speed_rows r
 WHERE r.deal_id IN (SELECT deal_id FROM sel WHERE is_signed)
 ORDER BY r.first_delivery_year IS NULL, r.signed_date DESC, r.deal_id)
