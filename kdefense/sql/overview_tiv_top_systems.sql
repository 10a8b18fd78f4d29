-- uses: transfers
SELECT coalesce(system_family, designation) AS system_family, sum(tiv_order_m) AS tiv_order_m, count(*) AS deals,
       count(DISTINCT recipient) AS recipients
FROM ft GROUP BY ALL ORDER BY tiv_order_m DESC NULLS LAST, deals DESC, system_family LIMIT 10
