-- uses: transfers
-- overview_tiv_headline.sql for the period shown and the equally long one before it, in one question (as
-- overview_headlines.sql: asked with the filters over both periods and $period_from; `part` 'current', then
-- 'previous'; each row is what overview_tiv_headline.sql gives for that period).
WITH grouped AS (
    SELECT CASE WHEN order_year >= $period_from THEN 'current' ELSE 'previous' END AS part,
           count(*) AS deals, count(DISTINCT recipient) AS recipients, sum(tiv_order_m) AS tiv_order_m,
           sum(tiv_delivered_m) AS tiv_delivered_m, sum(number_ordered) AS units_ordered,
           sum(number_delivered) AS units_delivered,
           sum(greatest(number_ordered - coalesce(number_delivered, 0), 0)) AS units_outstanding,
           sum(number_ordered) FILTER (WHERE armament_category NOT IN ('Missiles', 'Ammunition'))
               AS platforms_ordered,
           sum(number_delivered) FILTER (WHERE armament_category NOT IN ('Missiles', 'Ammunition'))
               AS platforms_delivered,
           sum(greatest(number_ordered - coalesce(number_delivered, 0), 0))
               FILTER (WHERE armament_category NOT IN ('Missiles', 'Ammunition')) AS platforms_outstanding,
           sum(number_ordered) FILTER (WHERE armament_category IN ('Missiles', 'Ammunition')) AS munitions_ordered,
           sum(number_delivered) FILTER (WHERE armament_category IN ('Missiles', 'Ammunition'))
               AS munitions_delivered,
           sum(greatest(number_ordered - coalesce(number_delivered, 0), 0))
               FILTER (WHERE armament_category IN ('Missiles', 'Ammunition')) AS munitions_outstanding
    FROM ft GROUP BY 1
)
SELECT p.part, coalesce(g.deals, 0) AS deals, coalesce(g.recipients, 0) AS recipients, g.tiv_order_m,
       g.tiv_delivered_m, g.units_ordered, g.units_delivered, g.units_outstanding, g.platforms_ordered,
       g.platforms_delivered, g.platforms_outstanding, g.munitions_ordered, g.munitions_delivered,
       g.munitions_outstanding, CAST(NULL AS HUGEINT) AS small_arms_ordered
FROM (VALUES ('current', 1), ('previous', 2)) p(part, position) LEFT JOIN grouped g USING (part)
ORDER BY p.position
