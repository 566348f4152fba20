/**
 * Where the inbox lives: a folder next to the database (`leadtrail.db-inbox/`) holding numbered
 * segment files of records, one per line. The HTTP thread appends to the newest segment
 * (inbox-writer.ts); the ingest worker reads them in order and deletes those it has stitched
 * (inbox-reader.ts).
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

/** How far the worker has read: the next record starts at `offset` bytes into segment `segment`. */
export interface InboxPosition {
  segment: number;
  offset: number;
}

/** Whether `position` is at `mark` or later in the inbox. */
export function isAtOrPast(position: InboxPosition, mark: InboxPosition): boolean {
  return position.segment > mark.segment || (position.segment === mark.segment && position.offset >= mark.offset);
}

export function inboxDirectory(databaseFile: string): string {
  return `${databaseFile}-inbox`;
}

const SEGMENT_NAME = /^(\d{12})\.ndjson$/;

export function segmentFile(directory: string, segment: number): string {
  return join(directory, `${String(segment).padStart(12, '0')}.ndjson`);
}

/** The segment numbers present, oldest first. */
export function listSegments(directory: string): number[] {
  return readdirSync(directory)
    .map((name) => SEGMENT_NAME.exec(name)?.[1])
    .filter((number): number is string => number !== undefined)
    .map(Number)
    .sort((a, b) => a - b);
}
