-- uses: deals
SELECT system_family, sum(value_usd_m_counted) AS value_usd_m, count(*) AS deals,
       count(DISTINCT recipient_iso3) AS recipients
FROM fd GROUP BY ALL ORDER BY value_usd_m DESC NULLS LAST, deals DESC, system_family LIMIT 10
