-- South Korea's share of each recipient region's arms imports (SIPRI TIV by delivery year), per year, plus
-- European NATO members (membership today). All regions are shown: the sidebar's region filter does not apply.
WITH rows AS (
    SELECT d.delivery_year AS year, d.recipient_region AS region,
           d.recipient_region = 'Europe' AND coalesce(c.is_nato, false) AS nato_europe,
           d.supplier = 'South Korea' AS korean, d.tiv_delivered_m AS tiv
    FROM transfer_deliveries d
    LEFT JOIN countries c ON c.iso3 = d.recipient_iso3
    WHERE d.basis = 'sipri_per_year' AND d.delivery_year BETWEEN $year_from AND $year_to
      AND d.recipient_region IS NOT NULL
), markets AS (
    SELECT year, region AS market, sum(tiv) FILTER (WHERE korean) AS korea_tiv_m, sum(tiv) AS market_tiv_m
    FROM rows GROUP BY ALL
    UNION ALL
    SELECT year, 'NATO Europe', sum(tiv) FILTER (WHERE korean), sum(tiv) FROM rows WHERE nato_europe GROUP BY ALL
)
SELECT year, market, round(coalesce(korea_tiv_m, 0), 2) AS korea_tiv_m, round(market_tiv_m, 2) AS market_tiv_m,
       round(100 * coalesce(korea_tiv_m, 0) / nullif(market_tiv_m, 0), 3) AS korea_share_pct
FROM markets
ORDER BY market, year
