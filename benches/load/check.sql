-- Consistency of meeting registrations after a load run; standard SQL read
-- by psql and sqlite3 alike. Every line but the counts must say 0.
-- (Guests are 0 in the load, so one registration is one person.)
SELECT 'registrations', COUNT(*) FROM registrations;
SELECT 'confirmed', COUNT(*) FROM registrations WHERE status = 'confirmed';
SELECT 'waitlisted', COUNT(*) FROM registrations WHERE status = 'waitlisted';
SELECT 'meetings_full', COUNT(*) FROM meetings m
  WHERE (SELECT COALESCE(SUM(1 + r.guests), 0) FROM registrations r
         WHERE r.meeting_id = m.id AND r.status = 'confirmed') = m.capacity;
SELECT 'confirmation_messages', COUNT(*) FROM outbox WHERE kind = 'confirmation';
-- More people confirmed than places.
SELECT 'overbooked_meetings', COUNT(*) FROM (
  SELECT r.meeting_id FROM registrations r JOIN meetings m ON m.id = r.meeting_id
  WHERE r.status = 'confirmed'
  GROUP BY r.meeting_id, m.capacity
  HAVING SUM(1 + r.guests) > m.capacity) o;
-- Someone waitlisted although places were free.
SELECT 'waitlisted_with_free_places', COUNT(*) FROM meetings m
  WHERE EXISTS (SELECT 1 FROM registrations w
                WHERE w.meeting_id = m.id AND w.status = 'waitlisted')
    AND (SELECT COALESCE(SUM(1 + c.guests), 0) FROM registrations c
         WHERE c.meeting_id = m.id AND c.status = 'confirmed') < m.capacity;
-- A later registration confirmed ahead of an earlier waitlisted one.
SELECT 'waitlist_jumped', COUNT(*) FROM (
  SELECT meeting_id FROM registrations
  GROUP BY meeting_id
  HAVING MAX(CASE WHEN status = 'confirmed' THEN id END)
       > MIN(CASE WHEN status = 'waitlisted' THEN id END)) j;
-- The same e-mail twice in one meeting (each request sends a new one).
SELECT 'duplicate_emails', COUNT(*) FROM (
  SELECT meeting_id, email FROM registrations
  GROUP BY meeting_id, email HAVING COUNT(*) > 1) d;
-- A registration without its confirmation message, or the reverse.
SELECT 'registrations_without_message', ABS(
  (SELECT COUNT(*) FROM registrations)
  - (SELECT COUNT(*) FROM outbox WHERE kind = 'confirmation'));
