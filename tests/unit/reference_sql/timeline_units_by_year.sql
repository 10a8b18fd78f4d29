-- uses: deals
-- Units delivered (actual) and planned per year by system family, over the filtered deals (all statuses the
-- filter admits). Families beyond the eight with most units are grouped as 'Other families'. Missiles and
-- ammunition (rockets and shells, counted in thousands) are left out unless $munitions.
WITH sel AS (
    SELECT * FROM fd
    WHERE ($munitions OR (armament_category NOT IN ('Missiles', 'Ammunition') AND system_family <> 'Small arms'))
      AND ($deal_id = '' OR deal_id = $deal_id OR parent_deal_id = $deal_id
           OR parent_deal_id IN (SELECT deal_id FROM deals WHERE parent_deal_id = $deal_id))
), rows AS (
    SELECT l.year, l.kind, coalesce(s.system_family, 'not stated') AS system_family, l.units, l.deal_id
    FROM deliveries l JOIN sel s USING (deal_id)
), ranked AS (
    SELECT system_family, row_number() OVER (ORDER BY sum(units) DESC NULLS LAST, system_family) AS rank
    FROM rows GROUP BY system_family
)
SELECT r.year, r.kind, CASE WHEN k.rank <= 8 THEN r.system_family ELSE 'Other families' END AS system_family,
       sum(r.units) AS units, count(DISTINCT r.deal_id) AS deals,
       count(*) FILTER (WHERE r.units IS NULL) AS rows_without_units
FROM rows r JOIN ranked k USING (system_family)
GROUP BY ALL
ORDER BY r.year, r.kind, system_family
