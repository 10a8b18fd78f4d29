-- Head to head: the export record of every system family in one class (SIPRI register, one row per deal),
-- for deals ordered in the sidebar's years within the recipient scope. Families without a matching deal stay
-- listed with zero deals.
WITH fam AS (
    SELECT system_family, bool_or(supplier = 'South Korea') AS korean
    FROM system_families WHERE system_class = $system_class GROUP BY system_family
), deals AS (
    SELECT t.*, coalesce(c.name, t.recipient) AS recipient_name, coalesce(s.name, t.supplier) AS supplier_name
    FROM transfers t
    LEFT JOIN countries c ON c.iso3 = t.recipient_location_iso3
    LEFT JOIN countries s ON s.iso3 = t.supplier_iso3
    WHERE t.system_class = $system_class
      AND t.order_year BETWEEN $year_from AND $year_to
      AND (len($regions) = 0 OR list_contains($regions, t.recipient_region))
      AND (NOT $nato OR coalesce(c.is_nato, false))
      AND (NOT $eu OR coalesce(c.is_eu, false))
      AND (len($countries) = 0 OR list_contains($countries, t.recipient_location_iso3))
)
SELECT f.system_family, f.korean,
       count(d.transfer_id) AS deals,
       count(DISTINCT d.recipient_location_iso3) AS customers_n,
       string_agg(DISTINCT d.recipient_name, ', ' ORDER BY d.recipient_name) AS customers,
       string_agg(DISTINCT d.supplier_name, ', ' ORDER BY d.supplier_name) AS suppliers,
       sum(d.number_ordered) AS units_ordered, sum(d.number_delivered) AS units_delivered,
       round(sum(d.tiv_order_m), 1) AS tiv_ordered_m,
       median(d.first_delivery_year - d.order_year) AS median_years_to_first_delivery,
       count(d.transfer_id) FILTER (WHERE d.first_delivery_year IS NULL) AS deals_awaiting_first_delivery,
       count(d.transfer_id) FILTER (WHERE d.status <> 'New') AS second_hand_deals,
       min(d.order_year) AS first_order, max(d.order_year) AS latest_order_year,
       arg_max(d.recipient_name || coalesce(' (' || CAST(CAST(d.number_ordered AS INTEGER) AS VARCHAR) || ')', ''),
               d.order_year * 1000 + coalesce(d.number_ordered, 0)) AS latest_order,
       count(d.transfer_id) FILTER (WHERE d.order_year_uncertain OR d.number_ordered_uncertain
                                          OR d.number_delivered_uncertain) AS deals_with_estimates,
       string_agg(DISTINCT d.description, '; ') AS sipri_descriptions
FROM fam f
LEFT JOIN deals d ON d.system_family = f.system_family
GROUP BY f.system_family, f.korean
ORDER BY f.korean DESC, units_ordered DESC NULLS LAST, f.system_family
