-- uses: deals inlined
-- The Overview's four tables in one question: one statement to bind, plan and convert instead of four (a question
-- costs 3-5 ms, most of it planning). The filter is inlined into each part (`inlined`), so each part is computed
-- exactly as its own question computes it (the same sums, added in the same order). `part` names the question
-- each row answers, in that question's row order (UNION ALL keeps it) and with its columns; queries.run_parts
-- splits them (tests/unit/test_fast_paths.py compares each part with its question): by_region =
-- overview_by_region.sql, top_recipients = overview_top_recipients.sql, top_systems = overview_top_systems.sql,
-- latest_deals = overview_latest_deals.sql.
(SELECT 'by_region' AS part, recipient_region AS region, sum(value_usd_m_counted) AS value_usd_m, count(*) AS deals,
        count(DISTINCT recipient_iso3) AS recipients
 FROM fd GROUP BY recipient_region ORDER BY value_usd_m DESC NULLS LAST, deals DESC)
UNION ALL BY NAME
(SELECT 'top_recipients' AS part, recipient, recipient_iso3, recipient_region AS region,
        sum(value_usd_m_counted) AS value_usd_m, count(*) AS deals
 FROM fd GROUP BY ALL ORDER BY value_usd_m DESC NULLS LAST, deals DESC, recipient LIMIT 10)
UNION ALL BY NAME
(SELECT 'top_systems' AS part, system_family, sum(value_usd_m_counted) AS value_usd_m, count(*) AS deals,
        count(DISTINCT recipient_iso3) AS recipients
 FROM fd GROUP BY ALL ORDER BY value_usd_m DESC NULLS LAST, deals DESC, system_family LIMIT 10)
UNION ALL BY NAME
(SELECT 'latest_deals' AS part, signed_date, recipient, system_family, quantity, currency, value_amount_m,
        value_usd_m, status, deal_id
 FROM fd ORDER BY signed_date DESC, deal_id LIMIT 10)
