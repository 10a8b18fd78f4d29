-- uses: deals
SELECT recipient, recipient_iso3, recipient_region AS region, sum(value_usd_m_counted) AS value_usd_m,
       count(*) AS deals
FROM fd GROUP BY ALL ORDER BY value_usd_m DESC NULLS LAST, deals DESC, recipient LIMIT 10
