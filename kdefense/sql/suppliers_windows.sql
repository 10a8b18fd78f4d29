-- SIPRI's five-year windows (2000–04, 2005–09, …) that the per-delivery-year register covers completely
-- and that lie wholly inside the sidebar's year range.
WITH last AS (SELECT max(delivery_year) AS y FROM transfer_deliveries WHERE basis = 'sipri_per_year')
SELECT w AS window_start, w || '–' || right(CAST(w + 4 AS VARCHAR), 2) AS window_label
FROM range(2000, 2100, 5) r(w)
WHERE w + 4 <= (SELECT y FROM last) AND w >= $year_from AND w + 4 <= $year_to
ORDER BY w
