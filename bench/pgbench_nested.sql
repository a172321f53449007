-- The rows the nested GraphQL query reads, as plain SQL (pgbench custom script), in the
-- same shape the service reads them: meetings(first: 20) joined with their participants
-- (the service reads them with the page) -> quotations(first: 5) with their documents'
-- titles joined in (the service reads the documents with the quotation pages). The query
-- asks for no `pageInfo`, so neither list reads a row more to tell whether more follow
-- (since the sixteenth session; LIMIT 21 and 6 before).
-- Run it both ways: `pgbench -n -c 8 -j 2 -T 15 -f bench/pgbench_nested.sql $DB` plans each
-- statement on every run; with `-M prepared` each is planned once per connection.
SELECT m.id, m.title, m.kind, m.status, m.date_text, m.place_name, mp.id AS link_id,
       p.id AS participant_id, p.name, p.kind AS participant_kind FROM (
  SELECT id, title, kind, status, date_text, place_name FROM meetings ORDER BY date_key, id LIMIT 20) m
  LEFT JOIN meeting_participants mp ON mp.meeting_id = m.id
  LEFT JOIN participants p ON p.id = mp.participant_id;
SELECT x.id, x.text, x.document_id, d.title FROM (
  SELECT DISTINCT mp.participant_id AS owner FROM meeting_participants mp
   WHERE mp.meeting_id IN (SELECT id FROM meetings ORDER BY date_key, id LIMIT 20)) o
 CROSS JOIN LATERAL (SELECT q.id, q.text, q.document_id FROM quotations q WHERE q.speaker_id = o.owner
   ORDER BY q.date_key, q.document_id, q.idx LIMIT 5) x
 JOIN documents d ON d.id = x.document_id;
