-- uses: transfers
-- platforms_* / munitions_*: as overview_headline.sql (munitions = SIPRI's Missiles category).
SELECT count(*) AS deals, count(DISTINCT recipient) AS recipients, sum(tiv_order_m) AS tiv_order_m,
       sum(tiv_delivered_m) AS tiv_delivered_m, sum(number_ordered) AS units_ordered,
       sum(number_delivered) AS units_delivered,
       sum(greatest(number_ordered - coalesce(number_delivered, 0), 0)) AS units_outstanding,
       sum(number_ordered) FILTER (WHERE armament_category NOT IN ('Missiles', 'Ammunition')) AS platforms_ordered,
       sum(number_delivered) FILTER (WHERE armament_category NOT IN ('Missiles', 'Ammunition')) AS platforms_delivered,
       sum(greatest(number_ordered - coalesce(number_delivered, 0), 0))
           FILTER (WHERE armament_category NOT IN ('Missiles', 'Ammunition')) AS platforms_outstanding,
       sum(number_ordered) FILTER (WHERE armament_category IN ('Missiles', 'Ammunition')) AS munitions_ordered,
       sum(number_delivered) FILTER (WHERE armament_category IN ('Missiles', 'Ammunition')) AS munitions_delivered,
       sum(greatest(number_ordered - coalesce(number_delivered, 0), 0))
           FILTER (WHERE armament_category IN ('Missiles', 'Ammunition')) AS munitions_outstanding,
       CAST(NULL AS HUGEINT) AS small_arms_ordered
FROM ft
