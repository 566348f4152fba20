-- How far the browser's clock is behind the server's (ms; negative: ahead), as best measured so far:
-- the smallest received_at − sent_at of its beacons, which has the least time in transit in it
-- (collector/ingest/clock.ts). NULL until the browser's next beacon for browsers stitched before.
ALTER TABLE visitors ADD COLUMN clock_offset INTEGER;
