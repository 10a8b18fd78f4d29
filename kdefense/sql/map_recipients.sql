-- uses: deals
-- Map, ledger layer: per recipient and signing year, plus one total row per recipient (year NULL).
-- value = contract value in USD m (counted once per framework), units = units ordered, flagged = estimated values.
WITH agg AS (
    SELECT recipient_iso3 AS iso3, signed_year AS year,
           sum(value_usd_m_counted) AS value, sum(quantity) AS units, count(*) AS deals,
           count(value_usd_m_counted) AS valued, count(*) FILTER (WHERE value_is_estimate) AS flagged,
           min(signed_year) AS first_year, max(signed_year) AS last_year
    FROM fd
    WHERE recipient_iso3 IS NOT NULL
    GROUP BY GROUPING SETS ((recipient_iso3, signed_year), (recipient_iso3))
)
SELECT a.iso3, c.name AS country, c.region, a.year, a.value, a.units, a.deals, a.valued, a.flagged,
       a.first_year, a.last_year, c.is_nato, c.is_eu, c.centroid_lat AS lat, c.centroid_lon AS lon
FROM agg a LEFT JOIN countries c ON c.iso3 = a.iso3
ORDER BY a.year NULLS LAST, a.value DESC NULLS LAST, a.deals DESC, a.iso3
