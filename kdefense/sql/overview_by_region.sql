-- uses: deals
SELECT recipient_region AS region, sum(value_usd_m_counted) AS value_usd_m, count(*) AS deals,
       count(DISTINCT recipient_iso3) AS recipients
FROM fd GROUP BY recipient_region ORDER BY value_usd_m DESC NULLS LAST, deals DESC
