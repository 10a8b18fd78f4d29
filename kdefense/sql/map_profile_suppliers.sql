-- Country profile: what one recipient ordered from every supplier (SIPRI), same order years as the filters.
-- Only the period applies: the other filters describe Korean deals.
SELECT supplier, supplier = 'South Korea' AS is_korea, sum(tiv_order_m) AS tiv_order_m, count(*) AS records,
       sum(number_ordered) AS units, count(*) FILTER (WHERE order_year_uncertain OR number_ordered_uncertain) AS flagged
FROM transfers
WHERE recipient_location_iso3 = $iso3 AND order_year BETWEEN $year_from AND $year_to
GROUP BY supplier
ORDER BY tiv_order_m DESC NULLS LAST, records DESC, supplier
