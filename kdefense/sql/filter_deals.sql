-- The ledger deals that pass the shared filters (Filters.params()). Composed as CTE `fd` by queries.py.
SELECT d.*
FROM deals d
WHERE (len($regions) = 0 OR list_contains($regions, d.recipient_region))
  AND (NOT $nato OR d.recipient_is_nato)
  AND (NOT $eu OR d.recipient_is_eu)
  AND (len($countries) = 0 OR list_contains($countries, d.recipient_iso3))
  AND (len($categories) = 0 OR list_contains($categories, d.armament_category))
  AND (len($systems) = 0 OR list_contains($systems, d.system_family))
  AND (len($companies) = 0 OR list_contains($companies, d.company))
  AND (len($statuses) = 0 OR list_contains($statuses, d.status))
  AND (len($kinds) = 0 OR list_contains($kinds, d.deal_kind))
  AND d.signed_year BETWEEN $year_from AND $year_to
  AND ($q = '' OR concat_ws(' ', d.deal_id, d.system_family, d.designation, d.description, d.recipient,
                             d.company, d.notes, d.value_note, d.sipri_comments) ILIKE '%' || $q || '%')
