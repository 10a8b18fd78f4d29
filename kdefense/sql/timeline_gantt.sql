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
-- What depends on no filter (tree, sort path, row label, the deal's columns, delivery aggregates, parts) is stored
-- by the build (_internal.gantt_deals, _internal.gantt_tree and _internal.gantt_parts, kdefense/sql/materialize.sql);
-- this question only picks the shown deals (the selected ones and the frameworks above them, for context), spans
-- each framework over its shown contracts and marks overdue years.
WITH sel AS MATERIALIZED (
    SELECT deal_id FROM fd
    WHERE $deal_id = '' OR deal_id = $deal_id OR parent_deal_id = $deal_id
       OR parent_deal_id IN (SELECT deal_id FROM deals WHERE parent_deal_id = $deal_id)
), rows AS MATERIALIZED (
    SELECT g.*, k.selected, row_number() OVER (ORDER BY g.sort_order) AS row_order
    FROM (SELECT t.anc AS deal_id, bool_or(t.is_self) AS selected
          FROM sel JOIN _internal.gantt_tree t USING (deal_id) GROUP BY t.anc) k
    JOIN _internal.gantt_deals g USING (deal_id)
), framework AS (
    SELECT t.anc AS deal_id, 'framework' AS part, t.anc_start AS start,
           max(greatest(coalesce(r.own_end, r.start_date), r.start_date)) AS finish
    FROM rows r JOIN _internal.gantt_tree t USING (deal_id)
    GROUP BY t.anc, t.anc_start
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
SELECT r.row_order, r.row_label, r.deal_id, r.parent_deal_id, r.selected, r.depth, pt.part,
       CAST(pt.start AS VARCHAR) AS start, CAST(pt.finish AS VARCHAR) AS finish, pt.year, pt.units,
       pt.origin, pt.part_sources,
       r.recipient, r.recipient_region, r.system_family, r.designation, r.armament_category, r.status,
       r.signed_date, r.signed_date_precision, r.signed_year, r.quantity, r.units_delivered,
       r.currency, r.value_amount_m, r.value_usd_m, r.value_usd_m_counted, r.value_note,
       r.sipri_tiv_order_m, r.source_ids, r.first_source
FROM parts pt
JOIN rows r USING (deal_id)
ORDER BY r.row_order, pt.part, pt.start
