-- uses: deals
-- Timeline Gantt, one row per system: recipient × system family over the filtered deals (or one deal and its
-- executive contracts when $deal_id is set). Same long format and parts as timeline_gantt.sql, with
-- deliveries summed over the row's deals and one signing (or latest-news) marker per deal on the row. A planned
-- year is 'overdue' when any of the row's planned rows for that year is (deliveries.is_overdue).
WITH sel AS (
    SELECT *,
           CAST(CASE length(signed_date) WHEN 10 THEN signed_date WHEN 7 THEN signed_date || '-01'
                ELSE signed_date || '-01-01' END AS DATE) AS start_date,
           recipient || ' · ' || coalesce(system_family, 'system not stated') AS row_label
    FROM fd
    WHERE $deal_id = '' OR deal_id = $deal_id OR parent_deal_id = $deal_id
       OR parent_deal_id IN (SELECT deal_id FROM deals WHERE parent_deal_id = $deal_id)
), grp AS (
    SELECT row_label, any_value(recipient) AS recipient, any_value(recipient_region) AS recipient_region,
           any_value(system_family) AS system_family, min(start_date) AS first_start,
           min(start_date) FILTER (WHERE is_signed) AS first_signed,
           bool_or(status IN ('contract', 'delivering')) AS open_contracts,
           count(*) AS deals, sum(quantity) FILTER (WHERE is_signed) AS quantity,
           sum(value_usd_m_counted) FILTER (WHERE is_signed) AS value_usd_m_counted,
           string_agg(deal_id, ', ' ORDER BY start_date, deal_id) AS deal_ids
    FROM sel GROUP BY row_label
), ordered AS (
    SELECT g.*, row_number() OVER (ORDER BY g.recipient, g.first_start, g.row_label) AS row_order FROM grp g
), dl AS (
    SELECT s.row_label, l.year, l.kind, sum(l.units) AS units, count(DISTINCT l.deal_id) AS deals,
           bool_or(l.is_overdue) AS is_overdue,
           string_agg(DISTINCT l.origin, '+') AS origin, string_agg(DISTINCT l.source_ids, ';') AS source_ids
    FROM deliveries l JOIN sel s USING (deal_id)
    GROUP BY s.row_label, l.year, l.kind
), per_row AS (
    SELECT row_label, min(year) FILTER (WHERE kind = 'actual') AS first_actual,
           min(year) FILTER (WHERE kind = 'planned') AS first_planned,
           sum(units) FILTER (WHERE kind = 'actual') AS units_delivered
    FROM dl GROUP BY row_label
), as_of AS (
    SELECT CAST(max(last_verified) AS DATE) AS as_of FROM deals
), parts AS (
    SELECT o.row_label, NULL AS deal_id, 'waiting' AS part, o.first_signed AS start,
           CASE WHEN p.first_actual IS NOT NULL THEN make_date(p.first_actual, 1, 1)
                WHEN p.first_planned IS NOT NULL THEN make_date(p.first_planned, 1, 1)
                WHEN o.open_contracts THEN (SELECT as_of FROM as_of) END AS finish,
           NULL::INTEGER AS year, NULL::BIGINT AS units, NULL AS origin, NULL AS part_sources
    FROM ordered o LEFT JOIN per_row p USING (row_label)
    WHERE o.first_signed IS NOT NULL
    UNION ALL
    SELECT dl.row_label, NULL, CASE WHEN dl.kind = 'actual' THEN 'delivered' WHEN dl.is_overdue THEN 'overdue'
                                    ELSE 'planned' END,
           greatest(make_date(dl.year, 1, 1), o.first_start), make_date(dl.year, 12, 31), dl.year, dl.units,
           dl.origin, dl.source_ids
    FROM dl JOIN ordered o USING (row_label)
    UNION ALL
    SELECT s.row_label, s.deal_id,
           CASE WHEN s.status IN ('prospect', 'negotiating') THEN 'news' WHEN s.status = 'cancelled' THEN 'cancelled'
                WHEN s.status = 'framework/MoU' THEN 'agreement' ELSE 'signed' END,
           s.start_date, s.start_date, NULL, NULL, NULL, NULL
    FROM sel s
)
SELECT o.row_order, o.row_label, pt.deal_id, pt.part, CAST(pt.start AS VARCHAR) AS start,
       CAST(pt.finish AS VARCHAR) AS finish, pt.year, pt.units, pt.origin, pt.part_sources,
       o.recipient, o.recipient_region, o.system_family, o.deals AS row_deals, o.quantity AS row_quantity,
       pr.units_delivered AS row_units_delivered, o.value_usd_m_counted AS row_value_usd_m_counted, o.deal_ids,
       s.designation, s.status, s.signed_date, s.quantity, s.currency, s.value_amount_m, s.value_usd_m,
       s.value_note, s.source_ids
FROM parts pt
JOIN ordered o USING (row_label)
LEFT JOIN per_row pr USING (row_label)
LEFT JOIN sel s ON s.deal_id = pt.deal_id
WHERE pt.finish > pt.start OR pt.part IN ('signed', 'agreement', 'news', 'cancelled')
ORDER BY o.row_order, pt.part, pt.start
