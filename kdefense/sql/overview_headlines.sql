-- uses: deals
-- The Overview's headline for the period shown and for the equally long one before it, in one question: one
-- statement to bind and plan instead of two (a question costs ~4 ms, most of it planning). Asked with the filters
-- over both periods (Filters.with_previous_period) and $period_from, the first year of the period shown. `part`
-- ('current', then 'previous') names the period of each row; queries.run_parts splits them. Each row is, column
-- for column and type for type, what overview_headline.sql gives for that period (tests/unit/test_fast_paths.py):
-- each period's rows are summed in the same order, and a period without deals gives the row an ungrouped
-- aggregate gives (counts 0, sums NULL).
WITH u AS (
    SELECT CASE WHEN fd.signed_year >= $period_from THEN 'current' ELSE 'previous' END AS part,
           fd.recipient_iso3, fd.value_usd_m_counted, fd.quantity,
           CASE WHEN fd.armament_category IN ('Missiles', 'Ammunition') THEN 'munition'
                WHEN fd.system_family = 'Small arms' THEN 'small_arms'
                WHEN fd.armament_category = 'Services' OR fd.deal_kind IN ('mro_service', 'upgrade')
                    THEN 'service'
                ELSE 'platform' END AS unit_group,
           -- a completed deal has delivered everything, even when no delivery row records it (older grants)
           CASE WHEN fd.status = 'completed' THEN fd.quantity
                ELSE least(coalesce(dl.units_delivered, 0), fd.quantity) END AS got,
           CASE WHEN fd.status = 'completed' THEN 0
                ELSE greatest(fd.quantity - coalesce(dl.units_delivered, 0), 0) END AS left_
    FROM fd LEFT JOIN _internal.deal_table_facts dl USING (deal_id)
), grouped AS (
    SELECT part,
           count(*) AS deals,
           count(DISTINCT recipient_iso3) AS recipients,
           sum(value_usd_m_counted) AS value_usd_m,
           count(value_usd_m_counted) AS deals_with_value,
           sum(quantity) AS units_ordered,
           sum(got) FILTER (WHERE quantity IS NOT NULL) AS units_delivered,
           sum(left_) AS units_outstanding,
           sum(quantity) FILTER (WHERE unit_group = 'platform') AS platforms_ordered,
           sum(got) FILTER (WHERE quantity IS NOT NULL AND unit_group = 'platform') AS platforms_delivered,
           sum(left_) FILTER (WHERE unit_group = 'platform') AS platforms_outstanding,
           sum(quantity) FILTER (WHERE unit_group = 'munition') AS munitions_ordered,
           sum(got) FILTER (WHERE quantity IS NOT NULL AND unit_group = 'munition') AS munitions_delivered,
           sum(left_) FILTER (WHERE unit_group = 'munition') AS munitions_outstanding,
           sum(quantity) FILTER (WHERE unit_group = 'small_arms') AS small_arms_ordered
    FROM u GROUP BY part
)
SELECT p.part, coalesce(g.deals, 0) AS deals, coalesce(g.recipients, 0) AS recipients, g.value_usd_m,
       coalesce(g.deals_with_value, 0) AS deals_with_value, g.units_ordered, g.units_delivered, g.units_outstanding,
       g.platforms_ordered, g.platforms_delivered, g.platforms_outstanding, g.munitions_ordered,
       g.munitions_delivered, g.munitions_outstanding, g.small_arms_ordered
FROM (VALUES ('current', 1), ('previous', 2)) p(part, position) LEFT JOIN grouped g USING (part)
ORDER BY p.position
