-- uses: competitions_view
-- Head to head: each Korean system family against each rival system it met (rival_systems and rival_bidders are
-- paired in order). Rival designations are grouped into families by name (Leopard 2A7/2A8 → Leopard 2, …);
-- a rival bidder whose system the sources do not name counts under "(system not named)".
WITH pairs AS (
    SELECT fc.competition_id, fc.system_family, fc.outcome, fc.winner, fc.winner_system,
           trim(unnest(string_split(fc.rival_systems, ';'))) AS rival_system,
           trim(unnest(string_split(fc.rival_bidders, ';'))) AS rival_bidder
    FROM fc WHERE fc.rival_bidders IS NOT NULL
), named AS (
    SELECT *, CASE
        WHEN rival_system IS NULL OR rival_system = '' THEN '(system not named)'
        WHEN regexp_matches(rival_system, 'Leopard ?2') THEN 'Leopard 2'
        WHEN regexp_matches(rival_system, 'Abrams') THEN 'M1 Abrams'
        WHEN regexp_matches(rival_system, 'RCH ?155') THEN 'RCH 155'
        WHEN regexp_matches(rival_system, 'PzH ?2000') THEN 'PzH 2000'
        WHEN regexp_matches(rival_system, '(?i)archer') THEN 'Archer'
        WHEN regexp_matches(rival_system, '(?i)caesar') THEN 'CAESAR'
        WHEN regexp_matches(rival_system, 'M109') THEN 'M109'
        WHEN regexp_matches(rival_system, 'Lynx|KF41') THEN 'KF41 Lynx'
        WHEN regexp_matches(rival_system, 'CV90') THEN 'CV90'
        WHEN regexp_matches(rival_system, 'M-?346') THEN 'M-346'
        WHEN regexp_matches(rival_system, 'T-7|^T-X') THEN 'T-7 Red Hawk (T-X)'
        WHEN regexp_matches(rival_system, 'Type ?21[24]') THEN 'Type 212/214'
        WHEN regexp_matches(rival_system, 'Mogami') THEN 'Mogami'
        WHEN regexp_matches(rival_system, '^Hawk') THEN 'Hawk'
        WHEN regexp_matches(rival_system, 'JF-17') THEN 'JF-17'
        WHEN regexp_matches(rival_system, 'MEKO') THEN 'MEKO'
        ELSE rival_system END AS rival_family
    FROM pairs
)
SELECT system_family, rival_family, string_agg(DISTINCT rival_bidder, '; ') AS rival_bidders,
       count(DISTINCT competition_id) AS meetings,
       count(DISTINCT competition_id) FILTER (WHERE outcome = 'won') AS korea_won,
       count(DISTINCT competition_id) FILTER (WHERE outcome = 'lost' AND winner = rival_bidder) AS rival_won,
       count(DISTINCT competition_id) FILTER (WHERE outcome = 'lost' AND (winner IS NULL OR winner <> rival_bidder))
           AS both_lost_or_undecided,
       count(DISTINCT competition_id) FILTER (WHERE outcome IN ('withdrawn', 'cancelled', 'open')) AS no_result,
       string_agg(DISTINCT competition_id, ';') AS competition_ids
FROM named
GROUP BY ALL
ORDER BY system_family, meetings DESC, rival_family
