-- uses: deals
-- Ledger contract value (USD m, counted once) by signing year for the largest Korean prime contractors in the
-- filtered deals; the rest are grouped. Money only: never mixed with TIV.
WITH top AS (
    SELECT company FROM fd WHERE company IS NOT NULL
    GROUP BY company ORDER BY sum(value_usd_m_counted) DESC NULLS LAST, count(*) DESC, company LIMIT $top_n
)
SELECT fd.signed_year AS year,
       CASE WHEN fd.company IN (SELECT company FROM top) THEN fd.company ELSE 'Other / not stated' END AS company,
       round(sum(fd.value_usd_m_counted), 1) AS value_usd_m, count(*) AS deals,
       count(fd.value_usd_m_counted) AS deals_with_value
FROM fd
WHERE fd.signed_year IS NOT NULL
GROUP BY ALL
ORDER BY year, company
