/**
 * Group commit: items written during one turn of the event loop are committed together, and each
 * write resolves only once its group is durable. One commit and one sync per turn instead of per
 * request is what lets ingest keep up (PERF-NOTES.md: 6.9 k requests/s with a transaction per
 * request).
 *
 * `commit` is synchronous (for the inbox: one write of the turn's records) and `makeDurable` is the
 * sync, run off the thread: while one sync is in flight the next groups commit, and a single sync
 * then covers all of them.
 */
export interface GroupCommit<Item> {
  /** Resolves once the item is committed and durable; rejects if its group's commit failed. */
  write(item: Item): Promise<void>;
  /** Resolves when everything written so far is durable. */
  drain(): Promise<void>;
}

interface PendingWrite<Item> {
  item: Item;
  resolve: () => void;
  reject: (error: unknown) => void;
}

export function createGroupCommit<Item>(commit: (items: Item[]) => void, makeDurable: () => Promise<void>): GroupCommit<Item> {
  let pending: Array<PendingWrite<Item>> = [];
  let committed: Array<PendingWrite<Item>> = [];
  let flushScheduled = false;
  let syncing: Promise<void> | null = null;

  function flush(): void {
    flushScheduled = false;
    const group = pending;
    pending = [];
    try {
      commit(group.map((write) => write.item));
    } catch (error) {
      for (const write of group) write.reject(error);
      return;
    }
    committed.push(...group);
    syncCommitted();
  }

  function syncCommitted(): void {
    if (syncing || committed.length === 0) return;
    const covered = committed;
    committed = [];
    syncing = makeDurable()
      .then(
        () => covered.forEach((write) => write.resolve()),
        (error: unknown) => covered.forEach((write) => write.reject(error)),
      )
      .finally(() => {
        syncing = null;
        // Groups committed while this fsync ran share the next one.
        syncCommitted();
      });
  }

  return {
    write(item) {
      return new Promise<void>((resolve, reject) => {
        pending.push({ item, resolve, reject });
        if (!flushScheduled) {
          flushScheduled = true;
          // setImmediate runs after the I/O callbacks of this turn, so everything received in the
          // same turn joins the group.
          setImmediate(flush);
        }
      });
    },
    async drain() {
      while (flushScheduled || syncing) {
        await (syncing ?? new Promise((resolve) => setImmediate(resolve)));
      }
    },
  };
}
