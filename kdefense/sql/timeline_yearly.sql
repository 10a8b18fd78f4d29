-- uses: deals
-- The Timeline's two year-by-year questions on the contract-value basis in one (a question costs 4-7 ms, most of
-- it binding and planning): one statement whose filtered deals (`sel`: the filter, then $deal_id with its
-- executive contracts) are picked once. `part` names the question each row answers, in that question's row order
-- (UNION ALL keeps it) and with its columns; queries.run_parts splits them (tests/unit/test_timeline_questions.py
-- compares each part with its question and with its frozen older text): value = timeline_value_by_year.sql,
-- units = timeline_units_by_year.sql. Each part's rules are in its file.
WITH sel AS MATERIALIZED (
    SELECT deal_id, recipient_region, system_family, signed_year, value_usd_m_counted, is_signed,
           ($munitions OR (armament_category NOT IN ('Missiles', 'Ammunition') AND system_family <> 'Small arms'))
               AS counted
    FROM fd
    WHERE $deal_id = '' OR deal_id = $deal_id OR parent_deal_id = $deal_id
       OR parent_deal_id IN (SELECT deal_id FROM deals WHERE parent_deal_id = $deal_id)
), unit_rows AS (
    SELECT l.year, l.kind, coalesce(s.system_family, 'not stated') AS system_family, l.units, l.deal_id
    FROM _internal.deliveries_rows l JOIN sel s USING (deal_id)
    WHERE s.counted
), ranked AS (
    SELECT system_family, row_number() OVER (ORDER BY sum(units) DESC NULLS LAST, system_family) AS rank
    FROM unit_rows GROUP BY system_family
)
(SELECT 'value' AS part, *
 FROM (SELECT signed_year AS year, 'Ledger' AS series, recipient_region AS region,
              round(sum(value_usd_m_counted) / 1000, 4) AS value_usd_bn, count(*) AS deals,
              count(value_usd_m_counted) AS deals_with_value, NULL AS source_ids
       FROM sel WHERE is_signed
       GROUP BY signed_year, recipient_region
       UNION ALL
       SELECT year, 'Official total', NULL, value, NULL, NULL, source_ids
       FROM official_totals
       WHERE metric = 'export_orders_usd_bn' AND period_end_year IS NULL AND year BETWEEN $year_from AND $year_to)
 ORDER BY series, year, region)
UNION ALL BY NAME
(SELECT 'units' AS part, r.year, r.kind,
        CASE WHEN k.rank <= 8 THEN r.system_family ELSE 'Other families' END AS system_family,
        sum(r.units) AS units, count(DISTINCT r.deal_id) AS deals,
        count(*) FILTER (WHERE r.units IS NULL) AS rows_without_units
 FROM unit_rows r JOIN ranked k USING (system_family)
 GROUP BY ALL
 ORDER BY r.year, r.kind, system_family)
