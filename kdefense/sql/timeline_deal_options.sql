-- uses: deals
-- The deals offered by the Timeline's "one deal" picker: the filtered deals, newest first.
SELECT deal_id, recipient || ' · ' || coalesce(system_family, '?') || ' · ' || coalesce(designation, '') || ' — '
       || status || ', ' || signed_date || ' (' || deal_id || ')' AS label
FROM fd
ORDER BY signed_date DESC, deal_id
