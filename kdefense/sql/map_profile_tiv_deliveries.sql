-- uses: transfers
-- Country profile, SIPRI layer: units and TIV delivered per delivery year for one recipient's SIPRI records.
SELECT td.delivery_year AS year, 'actual' AS kind, sum(td.units) AS units, count(DISTINCT td.transfer_id) AS deals,
       bool_or(td.units_uncertain OR td.delivery_year_uncertain) AS has_estimate, sum(td.tiv_delivered_m) AS tiv_m
FROM transfer_deliveries td JOIN ft ON ft.transfer_id = td.transfer_id
WHERE ft.recipient_location_iso3 = $iso3 AND td.delivery_year IS NOT NULL
GROUP BY td.delivery_year
ORDER BY year
