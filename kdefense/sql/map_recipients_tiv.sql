-- uses: transfers
-- Map, SIPRI layer: per recipient and order year, plus one total row per recipient (year NULL).
-- value = SIPRI TIV of the orders (m), units = units ordered; flagged = records whose order year or number
-- SIPRI marks as uncertain.
WITH agg AS (
    SELECT recipient_location_iso3 AS iso3, order_year AS year,
           sum(tiv_order_m) AS value, sum(number_ordered) AS units, count(*) AS deals,
           count(tiv_order_m) AS valued,
           count(*) FILTER (WHERE order_year_uncertain OR number_ordered_uncertain) AS flagged,
           min(order_year) AS first_year, max(order_year) AS last_year
    FROM ft
    WHERE recipient_location_iso3 IS NOT NULL
    GROUP BY GROUPING SETS ((recipient_location_iso3, order_year), (recipient_location_iso3))
)
SELECT a.iso3, c.name AS country, c.region, a.year, a.value, a.units, a.deals, a.valued, a.flagged,
       a.first_year, a.last_year, c.is_nato, c.is_eu, c.centroid_lat AS lat, c.centroid_lon AS lon
FROM agg a LEFT JOIN countries c ON c.iso3 = a.iso3
ORDER BY a.year NULLS LAST, a.value DESC NULLS LAST, a.deals DESC, a.iso3
