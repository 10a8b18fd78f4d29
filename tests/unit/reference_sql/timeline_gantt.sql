-- uses: deals
-- Timeline Gantt, one row per deal: the filtered deals (or one deal and its executive contracts when $deal_id is
-- set) plus the framework agreements they execute, so executive contracts sit under their framework.
-- Long format, one line per drawn part:
--   framework  span of a framework agreement, from its signing to the end of its last contract's deliveries
--   waiting    signed deal: from signing to the first delivery year (or to the as-of date when none yet)
--   delivered  one actual delivery year (1 Jan, or the signing date if later, to 31 Dec), units that year
--   planned    one planned delivery year
--   overdue    one planned delivery year that has ended with no delivery recorded (deliveries.is_overdue)
--   signed / agreement / news / cancelled   marker at the signing date (for prospects: the latest news)
-- Dates given to the month or year start on the 1st (signed_date_precision says which).
-- What depends on no filter (tree, sort path, delivery aggregates, parts) is stored by the build
-- (_internal.gantt_deals and _internal.gantt_parts, kdefense/sql/materialize.sql); this question only picks the
-- shown deals, spans each framework over its shown contracts, marks overdue years and labels the rows.
WITH sel AS MATERIALIZED (
    SELECT deal_id FROM fd
    WHERE $deal_id = '' OR deal_id = $deal_id OR parent_deal_id = $deal_id
       OR parent_deal_id IN (SELECT deal_id FROM deals WHERE parent_deal_id = $deal_id)
), shown AS (
    -- the selected deals, and their frameworks (parent p1, grandparent p2) shown for context
    SELECT g.*, k.selected
    FROM (SELECT deal_id, bool_or(selected) AS selected
          FROM (SELECT deal_id, true AS selected FROM sel
                UNION ALL SELECT unnest([s.p1, s.p2]), false
                FROM _internal.gantt_deals s JOIN sel USING (deal_id))
          WHERE deal_id IS NOT NULL GROUP BY deal_id) k
    JOIN _internal.gantt_deals g USING (deal_id)
), rows AS MATERIALIZED (
    SELECT s.*, row_number() OVER (ORDER BY s.sort_order) AS row_order,
           -- Row labels are chosen here (recipient · deal number; ↳ under a framework)
           CASE s.depth WHEN 0 THEN x.recipient || ' · ' || substr(s.deal_id, 8)
                WHEN 1 THEN '↳ ' || substr(s.deal_id, 8)
                ELSE chr(160) || chr(160) || chr(160) || '↳ ' || substr(s.deal_id, 8) END AS row_label
    FROM shown s JOIN deals x USING (deal_id)
), framework AS (
    -- a framework's span: its signing to the latest signing or delivery under it among the shown deals
    SELECT a.deal_id, 'framework' AS part, a.start_date AS start, max(u.reach) AS finish
    FROM (SELECT unnest([deal_id, p1, p2]) AS anc, greatest(coalesce(own_end, start_date), start_date) AS reach
          FROM rows) u
    JOIN rows a ON a.deal_id = u.anc
    GROUP BY a.deal_id, a.start_date
    HAVING count(*) > 1
), parts AS (
    SELECT deal_id, part, start, finish, NULL::INTEGER AS year, NULL::BIGINT AS units, NULL AS origin,
           NULL AS part_sources
    FROM framework WHERE finish > start
    UNION ALL
    SELECT p.deal_id,
           CASE WHEN p.part = 'planned' AND p.no_actual AND p.year < year(current_date) THEN 'overdue'
                ELSE p.part END,
           p.start, p.finish, p.year, p.units, p.origin, p.part_sources
    FROM _internal.gantt_parts p WHERE p.deal_id IN (SELECT deal_id FROM rows)
)
SELECT r.row_order, r.row_label, r.deal_id, x.parent_deal_id, r.selected, r.depth, pt.part,
       CAST(pt.start AS VARCHAR) AS start, CAST(pt.finish AS VARCHAR) AS finish, pt.year, pt.units,
       pt.origin, pt.part_sources,
       x.recipient, x.recipient_region, x.system_family, x.designation, x.armament_category, x.status,
       x.signed_date, x.signed_date_precision, x.signed_year, x.quantity, r.units_delivered,
       x.currency, x.value_amount_m, x.value_usd_m, x.value_usd_m_counted, x.value_note,
       x.sipri_tiv_order_m, x.source_ids, r.first_source
FROM parts pt
JOIN rows r USING (deal_id)
JOIN deals x USING (deal_id)
ORDER BY r.row_order, pt.part, pt.start
