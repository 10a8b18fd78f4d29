-- uses: transfers
-- Country profile (TIV basis): South Korea's SIPRI records for one recipient, with SIPRI's uncertainty flags.
SELECT order_year, order_year_uncertain, designation, description, coalesce(system_family, designation) AS system,
       number_ordered, number_ordered_uncertain, number_delivered, number_delivered_uncertain, delivery_years,
       status, tiv_order_m, tiv_delivered_m, comments, transfer_id
FROM ft
WHERE recipient_location_iso3 = $iso3
ORDER BY order_year DESC, designation
