-- uses: transfers
SELECT recipient_region AS region, sum(tiv_order_m) AS tiv_order_m, count(*) AS deals,
       count(DISTINCT recipient) AS recipients
FROM ft GROUP BY recipient_region ORDER BY tiv_order_m DESC NULLS LAST
