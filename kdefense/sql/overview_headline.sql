-- uses: deals
-- units_*: every ordered unit. platforms_* and munitions_* split them: munitions are the armament categories
-- Missiles and Ammunition (rockets, missiles, shells, charges: counted in thousands); small arms (system family
-- 'Small arms') are counted apart; services, MRO and upgrades (units serviced, not ordered) are in neither;
-- platforms are the rest (aircraft, vehicles, guns, ships, systems).
-- Units delivered per deal (actual rows of `deliveries`) are stored by the build (_internal.deal_table_facts,
-- materialize.sql): aggregating `deliveries` here was planned and run again on every filter change.
WITH u AS (
    SELECT fd.recipient_iso3, fd.value_usd_m_counted, fd.quantity,
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
)
SELECT count(*) AS deals,
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
FROM u
