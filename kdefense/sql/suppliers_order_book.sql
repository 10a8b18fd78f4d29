-- The order book: TIV ordered but not yet delivered (SIPRI register: TIV of the order minus TIV delivered to the
-- register's date), by supplier and recipient region, for orders in the sidebar's years within the recipient
-- scope. The $top_n suppliers with the largest backlog, plus those in $suppliers.
WITH open AS (
    SELECT t.supplier, t.supplier_iso3, t.recipient_region,
           greatest(t.tiv_order_m - coalesce(t.tiv_delivered_m, 0), 0) AS outstanding,
           greatest(t.number_ordered - coalesce(t.number_delivered, 0), 0) AS units_outstanding,
           t.number_ordered_uncertain
    FROM transfers t
    LEFT JOIN countries c ON c.iso3 = t.recipient_location_iso3
    WHERE t.order_year BETWEEN $year_from AND $year_to
      AND t.tiv_order_m > coalesce(t.tiv_delivered_m, 0)
      AND (len($regions) = 0 OR list_contains($regions, t.recipient_region))
      AND (NOT $nato OR coalesce(c.is_nato, false))
      AND (NOT $eu OR coalesce(c.is_eu, false))
      AND (len($countries) = 0 OR list_contains($countries, t.recipient_location_iso3))
), totals AS (
    SELECT supplier, rank() OVER (ORDER BY sum(outstanding) DESC) AS rank, sum(outstanding) AS supplier_outstanding
    FROM open WHERE supplier_iso3 IS NOT NULL GROUP BY supplier
)
SELECT coalesce(s.name, o.supplier) AS supplier, t.rank,
       coalesce(o.recipient_region, 'Unknown / international') AS region,
       round(sum(o.outstanding), 2) AS tiv_outstanding_m,
       round(any_value(t.supplier_outstanding), 2) AS supplier_total_m,
       count(*) AS open_deals, sum(o.units_outstanding) AS units_outstanding,
       count(*) FILTER (WHERE o.number_ordered_uncertain) AS deals_with_uncertain_quantity
FROM open o
JOIN totals t ON t.supplier = o.supplier
LEFT JOIN countries s ON s.iso3 = o.supplier_iso3
WHERE t.rank <= $top_n OR list_contains($suppliers, o.supplier)
GROUP BY ALL
ORDER BY t.rank, region
