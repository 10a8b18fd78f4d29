-- South Korea's SIPRI records that pass the shared filters (TIV basis). Company and status are ledger-only
-- filters and do not apply here. Composed as CTE `ft` by queries.py.
SELECT t.*, c.name AS recipient_name, c.is_nato AS recipient_is_nato, c.is_eu AS recipient_is_eu
FROM transfers t
LEFT JOIN countries c ON c.iso3 = t.recipient_location_iso3
WHERE t.supplier = 'South Korea'
  AND (len($regions) = 0 OR list_contains($regions, t.recipient_region))
  AND (NOT $nato OR coalesce(c.is_nato, false))
  AND (NOT $eu OR coalesce(c.is_eu, false))
  AND (len($countries) = 0 OR list_contains($countries, t.recipient_location_iso3))
  AND (len($categories) = 0 OR list_contains($categories, t.armament_category))
  AND (len($systems) = 0 OR list_contains($systems, t.system_family))
  AND t.order_year BETWEEN $year_from AND $year_to
  AND ($q = '' OR concat_ws(' ', t.system_family, t.designation, t.description, t.recipient, t.comments)
                  ILIKE '%' || $q || '%')
