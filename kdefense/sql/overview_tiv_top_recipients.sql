-- uses: transfers
SELECT coalesce(recipient_name, recipient) AS recipient, recipient_location_iso3 AS recipient_iso3,
       recipient_region AS region, sum(tiv_order_m) AS tiv_order_m, count(*) AS deals
FROM ft GROUP BY ALL ORDER BY tiv_order_m DESC NULLS LAST, deals DESC, recipient LIMIT 10
