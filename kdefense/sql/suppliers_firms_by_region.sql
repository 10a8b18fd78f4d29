-- uses: deals
-- Ledger contract value (USD m, counted once) by Korean prime contractor and recipient region, filtered deals.
SELECT coalesce(company, 'Not stated') AS company, coalesce(recipient_region, 'Unknown') AS region,
       round(sum(value_usd_m_counted), 1) AS value_usd_m, count(*) AS deals,
       count(value_usd_m_counted) AS deals_with_value
FROM fd
GROUP BY ALL
ORDER BY company, region
