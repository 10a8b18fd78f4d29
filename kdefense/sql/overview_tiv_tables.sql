-- uses: transfers inlined
-- The Overview's three tables on the TIV basis in one question (as overview_tables.sql): by_region =
-- overview_tiv_by_region.sql, top_recipients = overview_tiv_top_recipients.sql, top_systems =
-- overview_tiv_top_systems.sql; queries.run_parts splits them.
(SELECT 'by_region' AS part, recipient_region AS region, sum(tiv_order_m) AS tiv_order_m, count(*) AS deals,
        count(DISTINCT recipient) AS recipients
 FROM ft GROUP BY recipient_region ORDER BY tiv_order_m DESC NULLS LAST)
UNION ALL BY NAME
(SELECT 'top_recipients' AS part, coalesce(recipient_name, recipient) AS recipient,
        recipient_location_iso3 AS recipient_iso3, recipient_region AS region, sum(tiv_order_m) AS tiv_order_m,
        count(*) AS deals
 FROM ft GROUP BY ALL ORDER BY tiv_order_m DESC NULLS LAST, deals DESC, recipient LIMIT 10)
UNION ALL BY NAME
(SELECT 'top_systems' AS part, coalesce(system_family, designation) AS system_family, sum(tiv_order_m) AS tiv_order_m,
        count(*) AS deals, count(DISTINCT recipient) AS recipients
 FROM ft GROUP BY ALL ORDER BY tiv_order_m DESC NULLS LAST, deals DESC, system_family LIMIT 10)
