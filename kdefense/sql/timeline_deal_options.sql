-- uses: deals
-- The deals offered by the Timeline's "one deal" picker: the filtered deals and the framework agreements they
-- execute (so a framework can be picked with its contracts even when the status filter leaves it out), newest first.
-- Each deal's framework (p1) and the framework above it (p2), and its label, depend on no filter: the build stores
-- them (_internal.gantt_deals, kdefense/sql/materialize.sql).
WITH ids AS (
    SELECT deal_id, bool_or(in_filters) AS in_filters
    FROM (SELECT unnest([g.deal_id, g.p1, g.p2]) AS deal_id, unnest([true, false, false]) AS in_filters
          FROM fd JOIN _internal.gantt_deals g USING (deal_id))
    WHERE deal_id IS NOT NULL
    GROUP BY deal_id
)
SELECT g.deal_id, g.picker_label AS label, i.in_filters,
       g.recipient, g.system_family, g.designation, g.status, g.signed_date  -- parts of the label, for 한국어
FROM ids i JOIN _internal.gantt_deals g USING (deal_id)
ORDER BY g.signed_date DESC, g.deal_id
