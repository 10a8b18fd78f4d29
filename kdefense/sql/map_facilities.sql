-- Korea's industrial footprint abroad, filtered by the recipient filters that make sense for a place
-- (region, country, NATO, EU); deal filters (years, systems, status) do not apply to facilities.
WITH urls AS (
    SELECT f.facility_id, string_agg(s.url, ' ' ORDER BY s.source_id) AS source_urls
    FROM facilities f, unnest(string_split(f.source_ids, ';')) AS u(sid)
    JOIN sources s ON s.source_id = trim(u.sid)
    GROUP BY f.facility_id
)
SELECT f.facility_id, f.country_iso3, f.country, f.region, f.city, f.company, f.kind, f.status, f.year, f.year_kind,
       f.latitude, f.longitude, f.description, f.source_ids, u.source_urls
FROM facilities f
LEFT JOIN countries c ON c.iso3 = f.country_iso3
LEFT JOIN urls u USING (facility_id)
WHERE (len($regions) = 0 OR list_contains($regions, f.region))
  AND (len($countries) = 0 OR list_contains($countries, f.country_iso3))
  AND (NOT $nato OR coalesce(c.is_nato, false))
  AND (NOT $eu OR coalesce(c.is_eu, false))
ORDER BY f.region, f.country, f.city NULLS LAST, f.facility_id
