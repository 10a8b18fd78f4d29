-- Every name a country goes by in the data → its ISO alpha-3 and alpha-2 codes: the reference name (countries.name,
-- e.g. 'Türkiye') and SIPRI's spellings of suppliers and recipients (e.g. 'Turkiye', 'Bosnia-Herzegovina'), so the
-- display layer can name in Korean a country that a question returns by name only. SIPRI's non-state actors
-- ('unknown supplier(s)', 'NATO**', rebel groups) have no code and keep their name.
WITH named AS (
    SELECT name, iso3 FROM countries
    UNION SELECT supplier, supplier_iso3 FROM transfers WHERE supplier_iso3 IS NOT NULL
    UNION SELECT recipient, recipient_iso3 FROM transfers WHERE recipient_iso3 IS NOT NULL
)
SELECT n.name, n.iso3, c.iso2
FROM named n
JOIN countries c USING (iso3)
WHERE n.name IS NOT NULL
ORDER BY n.name
