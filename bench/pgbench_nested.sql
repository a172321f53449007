-- The rows the nested GraphQL query reads, as plain SQL (pgbench custom script), in the
-- same shape the service reads them: meetings(first: 20) -> participants ->
-- quotations(first: 5) (one row more, to know whether more follow) with their documents'
-- titles joined in (the service reads the documents with the quotation pages).
SELECT id, title, kind, status, date_text, place_name FROM meetings ORDER BY date_key, id LIMIT 21;
SELECT mp.meeting_id, p.id, p.name, p.kind FROM meeting_participants mp
  JOIN participants p ON p.id = mp.participant_id
 WHERE mp.meeting_id IN (SELECT id FROM meetings ORDER BY date_key, id LIMIT 20) ORDER BY mp.id;
SELECT x.id, x.text, x.document_id, d.title FROM (
  SELECT DISTINCT mp.participant_id AS owner FROM meeting_participants mp
   WHERE mp.meeting_id IN (SELECT id FROM meetings ORDER BY date_key, id LIMIT 20)) o
 CROSS JOIN LATERAL (SELECT q.id, q.text, q.document_id FROM quotations q WHERE q.speaker_id = o.owner
   ORDER BY q.date_key, q.document_id, q.idx LIMIT 6) x
 JOIN documents d ON d.id = x.document_id;
