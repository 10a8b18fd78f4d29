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
WITH sel AS (
    SELECT * FROM fd
    WHERE $deal_id = '' OR deal_id = $deal_id OR parent_deal_id = $deal_id
       OR parent_deal_id IN (SELECT deal_id FROM deals WHERE parent_deal_id = $deal_id)
), anc AS (
    SELECT parent_deal_id AS deal_id FROM sel WHERE parent_deal_id IS NOT NULL
    UNION
    SELECT p.parent_deal_id FROM sel JOIN deals p ON p.deal_id = sel.parent_deal_id WHERE p.parent_deal_id IS NOT NULL
), shown AS (
    SELECT deal_id, true AS selected FROM sel
    UNION ALL
    SELECT deal_id, false FROM anc WHERE deal_id NOT IN (SELECT deal_id FROM sel)
), d AS (
    SELECT x.*, s.selected,
           CAST(CASE length(x.signed_date) WHEN 10 THEN x.signed_date WHEN 7 THEN x.signed_date || '-01'
                ELSE x.signed_date || '-01-01' END AS DATE) AS start_date,
           p1.deal_id AS p1, p2.deal_id AS p2
    FROM shown s
    JOIN deals x USING (deal_id)
    LEFT JOIN deals p1 ON p1.deal_id = x.parent_deal_id
    LEFT JOIN deals p2 ON p2.deal_id = p1.parent_deal_id
), keyed AS (
    -- path: signing date and id of each ancestor from the root down, so that sorting by it puts every
    -- framework directly above its contracts
    SELECT d.*,
           CASE WHEN p2 IS NOT NULL THEN 2 WHEN p1 IS NOT NULL THEN 1 ELSE 0 END AS depth,
           coalesce(p2, p1, deal_id) AS root_id
    FROM d
), pathed AS (
    SELECT k.*,
           concat_ws('/', CASE WHEN k.p2 IS NOT NULL THEN CAST(g2.start_date AS VARCHAR) || g2.deal_id END,
                     CASE WHEN k.p1 IS NOT NULL THEN CAST(g1.start_date AS VARCHAR) || g1.deal_id END,
                     CAST(k.start_date AS VARCHAR) || k.deal_id) AS path,
           r.recipient AS root_recipient
    FROM keyed k
    LEFT JOIN d g1 ON g1.deal_id = k.p1
    LEFT JOIN d g2 ON g2.deal_id = k.p2
    JOIN deals r ON r.deal_id = k.root_id
), dl AS (
    SELECT l.deal_id, l.year, l.kind, sum(l.units) AS units, bool_or(l.is_estimate) AS is_estimate,
           bool_or(l.is_overdue) AS is_overdue,
           string_agg(DISTINCT l.origin, '+') AS origin, string_agg(DISTINCT l.source_ids, ';') AS source_ids
    FROM deliveries l JOIN shown USING (deal_id)
    GROUP BY l.deal_id, l.year, l.kind
), per_deal AS (
    SELECT deal_id, min(year) FILTER (WHERE kind = 'actual') AS first_actual,
           min(year) FILTER (WHERE kind = 'planned') AS first_planned,
           max(year) AS last_year, sum(units) FILTER (WHERE kind = 'actual') AS units_delivered
    FROM dl GROUP BY deal_id
), first_source AS (
    SELECT p.deal_id, arg_min(s.publisher || ': ' || s.title, u.pos) AS first_source
    FROM pathed p, unnest(string_split(p.source_ids, ';')) WITH ORDINALITY AS u(sid, pos)
    JOIN sources s ON s.source_id = trim(u.sid)
    GROUP BY p.deal_id
), rows AS (
    SELECT p.*, pd.first_actual, pd.first_planned, pd.last_year, pd.units_delivered, fs.first_source,
           CASE WHEN pd.last_year IS NOT NULL THEN make_date(pd.last_year, 12, 31) END AS own_end,
           row_number() OVER (ORDER BY p.root_recipient, p.path) AS row_order,
           CASE p.depth WHEN 0 THEN p.recipient || ' · ' || substr(p.deal_id, 8)
                WHEN 1 THEN '↳ ' || substr(p.deal_id, 8)
                ELSE chr(160) || chr(160) || chr(160) || '↳ ' || substr(p.deal_id, 8) END AS row_label
    FROM pathed p
    LEFT JOIN per_deal pd USING (deal_id)
    LEFT JOIN first_source fs USING (deal_id)
), tree_end AS (
    -- latest date under each framework: its own and its contracts' (and their contracts') signing and deliveries
    SELECT a.deal_id, max(greatest(coalesce(c.own_end, c.start_date), c.start_date)) AS tree_end,
           count(*) - 1 AS descendants
    FROM rows a JOIN rows c ON c.deal_id = a.deal_id OR c.p1 = a.deal_id OR c.p2 = a.deal_id
    GROUP BY a.deal_id
), as_of AS (
    SELECT CAST(max(last_verified) AS DATE) AS as_of FROM deals
), parts AS (
    SELECT r.deal_id, 'framework' AS part, r.start_date AS start, t.tree_end AS finish, NULL::INTEGER AS year,
           NULL::BIGINT AS units, NULL AS origin, NULL AS part_sources
    FROM rows r JOIN tree_end t USING (deal_id)
    WHERE t.descendants > 0 AND t.tree_end > r.start_date
    UNION ALL
    SELECT r.deal_id, 'waiting', r.start_date,
           CASE WHEN r.first_actual IS NOT NULL THEN make_date(r.first_actual, 1, 1)
                WHEN r.first_planned IS NOT NULL THEN make_date(r.first_planned, 1, 1)
                ELSE (SELECT as_of FROM as_of) END,
           NULL, NULL, NULL, NULL
    FROM rows r
    WHERE r.is_signed AND NOT (r.status = 'completed' AND r.first_actual IS NULL)
    UNION ALL
    SELECT dl.deal_id, CASE WHEN dl.kind = 'actual' THEN 'delivered' WHEN dl.is_overdue THEN 'overdue'
                            ELSE 'planned' END,
           greatest(make_date(dl.year, 1, 1), r.start_date), make_date(dl.year, 12, 31), dl.year, dl.units,
           dl.origin, dl.source_ids
    FROM dl JOIN rows r USING (deal_id)
    UNION ALL
    SELECT r.deal_id, CASE WHEN r.status IN ('prospect', 'negotiating') THEN 'news'
                           WHEN r.status = 'cancelled' THEN 'cancelled'
                           WHEN r.status = 'framework/MoU' THEN 'agreement' ELSE 'signed' END,
           r.start_date, r.start_date, NULL, NULL, NULL, NULL
    FROM rows r
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
WHERE pt.finish > pt.start OR pt.part IN ('signed', 'agreement', 'news', 'cancelled')
ORDER BY r.row_order, pt.part, pt.start
