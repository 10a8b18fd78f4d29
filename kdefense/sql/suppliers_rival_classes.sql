-- Classes of rival systems: classes in system_families.csv that hold a South Korean family and at least one
-- family from another supplier. The grouping itself lives in data/sources/sipri/system_families.csv.
SELECT system_class, count(DISTINCT system_family) AS families
FROM system_families
GROUP BY system_class
HAVING bool_or(supplier = 'South Korea') AND bool_or(supplier <> 'South Korea')
ORDER BY system_class
