-- uses: competitions
-- Korea's win/loss record grouped by $by: 'system_family', 'recipient_region', 'year' or 'rival' (one row per
-- named rival bidder; competitions without a named rival are left out of that grouping).
-- win_rate = won / (won + lost): withdrawn, cancelled and open competitions have no result for Korea.
WITH rows AS (
    SELECT fc.*, trim(r.rival) AS rival
    FROM fc, unnest(CASE WHEN $by = 'rival' THEN string_split(coalesce(fc.rival_bidders, ''), ';')
                         ELSE [NULL] END) AS r(rival)
), grouped AS (
    SELECT CASE $by WHEN 'system_family' THEN system_family WHEN 'recipient_region' THEN recipient_region
                    WHEN 'year' THEN CAST(year AS VARCHAR) ELSE rival END AS grp,
           count(*) AS competitions,
           count(*) FILTER (WHERE outcome = 'won') AS won,
           count(*) FILTER (WHERE outcome = 'lost') AS lost,
           count(*) FILTER (WHERE outcome = 'withdrawn') AS withdrawn,
           count(*) FILTER (WHERE outcome = 'cancelled') AS cancelled,
           count(*) FILTER (WHERE outcome = 'open') AS open,
           count(*) FILTER (WHERE $by = 'rival' AND outcome = 'lost' AND winner = rival) AS rival_won,
           string_agg(competition_id, ';' ORDER BY competition_id) AS competition_ids
    FROM rows
    WHERE $by <> 'rival' OR (rival IS NOT NULL AND rival <> '')
    GROUP BY 1
)
SELECT grp, competitions, won, lost, withdrawn, cancelled, open, rival_won,
       round(won / nullif(won + lost, 0), 3) AS win_rate, competition_ids
FROM grouped
ORDER BY CASE WHEN $by = 'year' THEN grp END, competitions DESC, grp
