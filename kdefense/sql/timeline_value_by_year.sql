-- uses: deals
-- Signed contract value per signing year and recipient region (USD bn, value_usd_m_counted, so framework
-- agreements whose executive contracts carry the value are not counted twice), signed deals only
-- (contract, delivering, completed). Series 'Official total' adds South Korea's announced annual export orders
-- (all destinations, not filtered) in the same unit.
WITH sel AS (
    SELECT * FROM fd
    WHERE is_signed
      AND ($deal_id = '' OR deal_id = $deal_id OR parent_deal_id = $deal_id
           OR parent_deal_id IN (SELECT deal_id FROM deals WHERE parent_deal_id = $deal_id))
)
SELECT signed_year AS year, 'Ledger' AS series, recipient_region AS region,
       round(sum(value_usd_m_counted) / 1000, 4) AS value_usd_bn, count(*) AS deals,
       count(value_usd_m_counted) AS deals_with_value, NULL AS source_ids
FROM sel
GROUP BY signed_year, recipient_region
UNION ALL
SELECT year, 'Official total', NULL, value, NULL, NULL, source_ids
FROM official_totals
WHERE metric = 'export_orders_usd_bn' AND period_end_year IS NULL AND year BETWEEN $year_from AND $year_to
ORDER BY series, year, region
