-- The data the nested GraphQL query reads, as plain SQL (pgbench custom script):
-- meetings(first: 20) -> participants -> quotations(first: 5) -> document title.
SELECT id, title FROM meetings ORDER BY date_key, id LIMIT 20;
SELECT mp.meeting_id, p.id, p.name FROM meeting_participants mp JOIN participants p ON p.id = mp.participant_id
 WHERE mp.meeting_id IN (SELECT id FROM meetings ORDER BY date_key, id LIMIT 20);
SELECT * FROM (SELECT q.id, q.text, q.document_id, q.speaker_id,
       ROW_NUMBER() OVER (PARTITION BY q.speaker_id ORDER BY q.date_key, q.document_id, q.idx) AS rn
  FROM quotations q WHERE q.speaker_id IN (
    SELECT mp.participant_id FROM meeting_participants mp
     WHERE mp.meeting_id IN (SELECT id FROM meetings ORDER BY date_key, id LIMIT 20))) x
 WHERE rn <= 5;
SELECT id, title FROM documents WHERE id IN (SELECT document_id FROM quotations ORDER BY id LIMIT 100);
