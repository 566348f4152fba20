/**
 * The inbox's reading end, in the ingest worker: records in the order they were written, from a
 * position the stitcher keeps in the database, never past what the writer (inbox-writer.ts) has
 * synced (asked at each read) — so what is stitched was acknowledged, or about to be.
 *
 * A segment numbered below the writer's durable end is complete and is read to its end, or to the
 * zeros it was filled with ahead of use; a last line without its newline there is a write a crash
 * cut short, never acknowledged, and is skipped.
 */
import { closeSync, fstatSync, openSync, readSync, unlinkSync } from 'node:fs';
import { listSegments, segmentFile, type InboxPosition } from './inbox-files.js';

export interface InboxLine {
  /** The record, without its newline. */
  text: string;
  /** Where the next record starts. */
  next: InboxPosition;
}

export interface InboxRead {
  lines: InboxLine[];
  /**
   * Where the next read starts: after the last line, and past the ends of finished segments — so a
   * segment whose every record is read can be deleted without waiting for a record after it.
   */
  next: InboxPosition;
  /** Where the synced records ended when this read began: what a caught-up reader waits past. */
  durableEnd: InboxPosition;
}

export interface InboxReader {
  /** Up to `limit` records from `from` on. */
  read(from: InboxPosition, limit: number): InboxRead;
  /** Deletes the segment files numbered below `segment` (all stitched). */
  removeBefore(segment: number): void;
  close(): void;
}

/** Enough for a slice of typical records; a longer record (up to 500 KB) makes the read grow. */
const FIRST_READ_BYTES = 64 * 1024;
const NEWLINE = 0x0a;
/** Never in a record (JSON text has no raw zero byte); fills the unwritten part of a segment made ahead. */
const ZERO = 0x00;

/** `durableEnd`: where the records the writer has synced end, asked at each read. */
export function openInboxReader(directory: string, durableEnd: () => InboxPosition, onTornRecord: (segment: number, bytes: number) => void): InboxReader {
  let durable = durableEnd();
  let open: { segment: number; fd: number } | null = null;

  function fileOf(segment: number): number {
    if (open?.segment !== segment) {
      if (open) closeSync(open.fd);
      open = null;
      open = { segment, fd: openSync(segmentFile(directory, segment), 'r') };
    }
    return open.fd;
  }

  /** Where readable records of `segment` end, or null if the segment is gone or not written yet. */
  function endOf(segment: number): number | null {
    if (segment > durable.segment) return null;
    if (segment === durable.segment) return durable.offset;
    try {
      return fstatSync(fileOf(segment)).size;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
  }

  /** The first record of the next segment there is, or null if `position`'s segment is the newest. */
  function nextSegmentAfter(position: InboxPosition): InboxPosition | null {
    if (position.segment >= durable.segment) return null;
    const next = listSegments(directory).find((segment) => segment > position.segment && segment <= durable.segment);
    return next === undefined ? null : { segment: next, offset: 0 };
  }

  /**
   * `position` moved past the ends of complete segments: where the next record can be read
   * (`readable`, null if none can be yet) and how far the move got (`reached`).
   */
  function skipFinishedSegments(position: InboxPosition): { readable: InboxPosition | null; reached: InboxPosition } {
    let at = position;
    for (;;) {
      const end = endOf(at.segment);
      if (end !== null && at.offset < end) return { readable: at, reached: at };
      const next = nextSegmentAfter(at);
      if (!next) return { readable: null, reached: at };
      at = next;
    }
  }

  function readLines(at: InboxPosition, end: number, limit: number, lines: InboxLine[]): InboxPosition {
    let length = Math.min(end - at.offset, FIRST_READ_BYTES);
    for (;;) {
      const buffer = Buffer.allocUnsafe(length);
      const data = buffer.subarray(0, readSync(fileOf(at.segment), buffer, 0, length, at.offset));
      let start = 0;
      while (lines.length < limit && start < data.length) {
        // Zeros where a record would start: the rest of the segment was made ahead and never written.
        if (data[start] === ZERO) return { segment: at.segment, offset: end };
        const newline = data.indexOf(NEWLINE, start);
        if (newline === -1) break;
        lines.push({ text: data.toString('utf8', start, newline), next: { segment: at.segment, offset: at.offset + newline + 1 } });
        start = newline + 1;
      }
      if (start > 0) return { segment: at.segment, offset: at.offset + start };
      // Not one whole line here: a record longer than this read, or one a crash cut short — which
      // ends at the segment's end or at the zeros after it, and was never acknowledged.
      const zero = data.indexOf(ZERO);
      if (zero !== -1 || at.offset + data.length >= end) {
        onTornRecord(at.segment, zero !== -1 ? zero : data.length);
        return { segment: at.segment, offset: end };
      }
      length = Math.min(end - at.offset, length * 2);
    }
  }

  return {
    read(from, limit) {
      durable = durableEnd();
      const lines: InboxLine[] = [];
      let { readable, reached } = skipFinishedSegments(from);
      while (readable && lines.length < limit) {
        ({ readable, reached } = skipFinishedSegments(readLines(readable, endOf(readable.segment)!, limit, lines)));
      }
      return { lines, next: reached, durableEnd: durable };
    },
    removeBefore(segment) {
      for (const old of listSegments(directory)) {
        if (old >= segment) break;
        if (open?.segment === old) {
          closeSync(open.fd);
          open = null;
        }
        unlinkSync(segmentFile(directory, old));
      }
    },
    close() {
      if (open) closeSync(open.fd);
      open = null;
    },
  };
}
