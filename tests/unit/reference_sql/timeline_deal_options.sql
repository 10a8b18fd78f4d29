-- uses: deals
-- The deals offered by the Timeline's "one deal" picker: the filtered deals and the framework agreements they
-- execute (so a framework can be picked with its contracts even when the status filter leaves it out), newest first.
WITH ids AS (
    SELECT deal_id FROM fd
    UNION SELECT parent_deal_id FROM fd WHERE parent_deal_id IS NOT NULL
    UNION SELECT p.parent_deal_id FROM fd JOIN deals p ON p.deal_id = fd.parent_deal_id
          WHERE p.parent_deal_id IS NOT NULL
)
SELECT d.deal_id, d.recipient || ' · ' || coalesce(d.system_family, '?') || ' · ' || coalesce(d.designation, '')
       || ' — ' || d.status || ', ' || d.signed_date || ' (' || d.deal_id || ')' AS label,
       d.deal_id IN (SELECT deal_id FROM fd) AS in_filters,
       d.recipient, d.system_family, d.designation, d.status, d.signed_date  -- parts of the label, for 한국어
FROM ids JOIN deals d USING (deal_id)
ORDER BY d.signed_date DESC, d.deal_id
