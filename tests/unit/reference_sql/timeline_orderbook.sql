-- uses: deals
-- Order book over time: at the end of each year, units ordered but not yet delivered, by recipient region,
-- over signed deals (contract, delivering, completed) that state a quantity. Per deal and year:
--   outstanding = quantity − actual units delivered up to that year (never below 0);
--   0 once a completed deal has had its last recorded delivery (or from signing, when none is recorded).
-- value_usd_m pro-rates each deal's counted contract value (value_usd_m_counted) by its outstanding share.
-- Missiles and ammunition are left out unless $munitions. Years run from the first signing to the as-of year.
WITH sel AS (
    SELECT * FROM fd
    WHERE is_signed AND quantity > 0
      AND ($munitions OR (armament_category NOT IN ('Missiles', 'Ammunition') AND system_family <> 'Small arms'))
      AND ($deal_id = '' OR deal_id = $deal_id OR parent_deal_id = $deal_id
           OR parent_deal_id IN (SELECT deal_id FROM deals WHERE parent_deal_id = $deal_id))
), actual AS (
    SELECT deal_id, year, sum(units) AS units FROM deliveries WHERE kind = 'actual' GROUP BY deal_id, year
), last_actual AS (
    SELECT deal_id, max(year) AS last_year FROM actual GROUP BY deal_id
), years AS (
    SELECT unnest(generate_series((SELECT min(signed_year) FROM sel),
                                  (SELECT year(max(CAST(last_verified AS DATE))) FROM deals))) AS year
), grid AS (
    SELECT y.year, s.deal_id, s.recipient_region, s.quantity, s.value_usd_m_counted,
           CASE WHEN s.status = 'completed' AND y.year >= coalesce(la.last_year, s.signed_year) THEN 0
                ELSE greatest(s.quantity - coalesce((SELECT sum(a.units) FROM actual a
                                                     WHERE a.deal_id = s.deal_id AND a.year <= y.year), 0), 0)
           END AS outstanding
    FROM years y JOIN sel s ON s.signed_year <= y.year
    LEFT JOIN last_actual la USING (deal_id)
)
SELECT year, recipient_region AS region, sum(outstanding) AS units_outstanding,
       round(sum(value_usd_m_counted * outstanding / quantity), 3) AS value_usd_m_outstanding,
       count(*) FILTER (WHERE outstanding > 0) AS open_deals,
       count(*) FILTER (WHERE outstanding > 0 AND value_usd_m_counted IS NULL) AS open_deals_without_value
FROM grid
GROUP BY year, recipient_region
ORDER BY year, region
