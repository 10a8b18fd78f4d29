-- uses: deals
-- Ledger signed value per year (filtered) beside the official annual export-order totals (not filtered).
WITH ledger AS (
    SELECT signed_year AS year, sum(value_usd_m_counted) / 1000 AS ledger_usd_bn, count(*) AS ledger_deals,
           count(*) FILTER (WHERE value_usd_m_counted IS NULL) AS deals_without_value
    FROM fd WHERE is_signed GROUP BY signed_year
), official AS (
    SELECT year, value AS official_usd_bn, source_ids AS official_source_ids
    FROM official_totals WHERE metric = 'export_orders_usd_bn' AND period_end_year IS NULL
)
SELECT coalesce(l.year, o.year) AS year, l.ledger_usd_bn, o.official_usd_bn,
       l.ledger_usd_bn - o.official_usd_bn AS gap_usd_bn, l.ledger_deals, l.deals_without_value,
       o.official_source_ids
FROM ledger l FULL OUTER JOIN official o ON o.year = l.year
WHERE coalesce(l.year, o.year) BETWEEN $year_from AND $year_to
ORDER BY year
