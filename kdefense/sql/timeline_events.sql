-- Context events for the time axes (events view, all rows; charts keep those inside their own range).
-- x_year places the event on a numeric year axis: year + (day of year − 1) / days in year.
SELECT event_id, date, year, title, kind, country_iso3, source_ids,
       year + (dayofyear(CAST(date AS DATE)) - 1)
              / (CASE WHEN year % 4 = 0 AND (year % 100 <> 0 OR year % 400 = 0) THEN 366 ELSE 365 END) AS x_year
FROM events
ORDER BY date
