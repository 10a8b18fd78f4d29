-- Every deal for one class of rival systems (SIPRI register), newest first, for deals ordered in the sidebar's
-- years within the recipient scope. SIPRI's estimate flags are kept.
SELECT t.order_year, t.system_family, coalesce(s.name, t.supplier) AS supplier,
       coalesce(c.name, t.recipient) AS recipient, t.recipient_region AS region, t.designation,
       t.number_ordered AS units_ordered, t.number_delivered AS units_delivered,
       t.first_delivery_year, t.first_delivery_year - t.order_year AS years_to_first_delivery,
       t.delivery_years, t.status, round(t.tiv_order_m, 1) AS tiv_ordered_m,
       t.order_year_uncertain, t.number_ordered_uncertain, t.number_delivered_uncertain, t.transfer_id
FROM transfers t
LEFT JOIN countries c ON c.iso3 = t.recipient_location_iso3
LEFT JOIN countries s ON s.iso3 = t.supplier_iso3
WHERE t.system_class = $system_class
  AND t.order_year BETWEEN $year_from AND $year_to
  AND (len($regions) = 0 OR list_contains($regions, t.recipient_region))
  AND (NOT $nato OR coalesce(c.is_nato, false))
  AND (NOT $eu OR coalesce(c.is_eu, false))
  AND (len($countries) = 0 OR list_contains($countries, t.recipient_location_iso3))
ORDER BY t.order_year DESC, t.system_family, recipient
