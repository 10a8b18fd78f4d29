-- uses: deals
-- Order book now, per recipient: the last year of timeline_orderbook.sql (the as-of year), same rules.
-- Overdue: planned deliveries of the open deals for years that have ended with none recorded (deliveries.is_overdue).
WITH sel AS (
    SELECT * FROM fd
    WHERE is_signed AND quantity > 0
      AND ($munitions OR (armament_category NOT IN ('Missiles', 'Ammunition') AND system_family <> 'Small arms'))
      AND ($deal_id = '' OR deal_id = $deal_id OR parent_deal_id = $deal_id
           OR parent_deal_id IN (SELECT deal_id FROM deals WHERE parent_deal_id = $deal_id))
), delivered AS (
    SELECT deal_id, sum(units) AS units FROM deliveries WHERE kind = 'actual' GROUP BY deal_id
), overdue AS (
    SELECT deal_id, sum(units) AS units, string_agg(CAST(year AS VARCHAR), ', ' ORDER BY year) AS years
    FROM deliveries WHERE is_overdue GROUP BY deal_id
), open AS (
    SELECT s.*, CASE WHEN s.status = 'completed' THEN 0
                     ELSE greatest(s.quantity - coalesce(d.units, 0), 0) END AS outstanding,
           o.deal_id IS NOT NULL AS has_overdue, o.units AS overdue_units, o.years AS overdue_years
    FROM sel s LEFT JOIN delivered d USING (deal_id) LEFT JOIN overdue o USING (deal_id)
)
SELECT recipient, recipient_iso3, recipient_region AS region, sum(outstanding) AS units_outstanding,
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
ORDER BY units_outstanding DESC, recipient
