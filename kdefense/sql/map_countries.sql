-- Map reference layer: South Korea (the origin of the flow lines) and today's NATO / EU members (outlines).
SELECT iso3, name, region, is_nato, is_eu, iso3 = 'KOR' AS is_origin, centroid_lat AS lat, centroid_lon AS lon
FROM countries
WHERE is_nato OR is_eu OR iso3 = 'KOR'
ORDER BY iso3
