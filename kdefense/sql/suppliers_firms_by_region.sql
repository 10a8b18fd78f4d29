-- uses: deals
-- Ledger contract value (USD m, counted once) by Korean prime contractor and recipient region, filtered deals;
-- contractors without any cited value are left out (the firms table lists them).
WITH valued AS (SELECT company FROM fd GROUP BY company HAVING sum(value_usd_m_counted) > 0)
SELECT coalesce(fd.company, 'Not stated') AS company, coalesce(fd.recipient_region, 'Unknown') AS region,
       round(sum(fd.value_usd_m_counted), 1) AS value_usd_m, count(*) AS deals,
       count(fd.value_usd_m_counted) AS deals_with_value
FROM fd
WHERE coalesce(fd.company, '') IN (SELECT coalesce(company, '') FROM valued)
GROUP BY ALL
ORDER BY company, region
