-- ISO 3166 alpha-3 → alpha-2 for every country (the display layer names countries in Korean from the alpha-2 code).
SELECT iso3, iso2 FROM countries WHERE iso2 IS NOT NULL ORDER BY iso3
