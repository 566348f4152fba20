/**
 * Group commit: items written during one turn of the event loop are committed together, and each
 * write resolves only once its group is durable. One commit and one sync per turn instead of per
 * request is what lets ingest keep up (PERF-NOTES.md: 6.9 k requests/s with a transaction per
 * request). A turn that brings more than `MAX_GROUP_ITEMS` is committed in groups of that many as
 * they fill, so that the first ones' sync starts while the rest of the turn is still being judged.
 *
 * `commit` is synchronous (for the inbox: one write of the turn's records); `makeDurable` is asked
 * once per group, at once, and runs off the thread. It should let asks made while a sync runs share
 * the next one (the inbox's sync thread does), so the disk sees one sync per sync's duration however
 * many groups come in.
 */
export interface GroupCommit<Item> {
  /** Resolves once the item is committed and durable; rejects if its group's commit failed. */
  write(item: Item): Promise<void>;
  /** Resolves when everything written so far is durable. */
  drain(): Promise<void>;
}

/**
 * Under a flood one turn reads dozens of requests. Committing every 8 at once instead of all at the
 * turn's end answered about 4 % more requests in the bench's load, and varied less (bench/RESULTS.md,
 * 2026-11-25 13:30 UTC); every 4 gained nothing.
 */
export const MAX_GROUP_ITEMS = 8;

interface PendingWrite<Item> {
  item: Item;
  resolve: () => void;
  reject: (error: unknown) => void;
}

export function createGroupCommit<Item>(commit: (items: Item[]) => void, makeDurable: () => Promise<void>): GroupCommit<Item> {
  let pending: Array<PendingWrite<Item>> = [];
  let flushScheduled = false;
  const syncing = new Set<Promise<void>>();

  function flushAtTurnEnd(): void {
    flushScheduled = false;
    if (pending.length > 0) commitGroup();
  }

  function commitGroup(): void {
    const group = pending;
    pending = [];
    try {
      commit(group.map((write) => write.item));
    } catch (error) {
      for (const write of group) write.reject(error);
      return;
    }
    const durable = makeDurable().then(
      () => group.forEach((write) => write.resolve()),
      (error: unknown) => group.forEach((write) => write.reject(error)),
    );
    syncing.add(durable);
    void durable.finally(() => syncing.delete(durable));
  }

  return {
    write(item) {
      return new Promise<void>((resolve, reject) => {
        pending.push({ item, resolve, reject });
        if (pending.length >= MAX_GROUP_ITEMS) {
          commitGroup();
        } else if (!flushScheduled) {
          flushScheduled = true;
          // setImmediate runs after the I/O callbacks of this turn, so everything received in the
          // same turn joins the group.
          setImmediate(flushAtTurnEnd);
        }
      });
    },
    async drain() {
      while (flushScheduled || syncing.size > 0) {
        await (syncing.size > 0 ? Promise.all(syncing) : new Promise((resolve) => setImmediate(resolve)));
      }
    },
  };
}
