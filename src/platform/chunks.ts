import { EventEmitter } from 'node:events';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { arrivals, othersAnswered } from './activity.js';
import type { Db, SqlSession } from './db.js';

// Heavy reads (the exports, the policy simulation) as many short statements, so that they never
// keep other requests waiting (issue 15).
//
// The embedded engine has ONE connection, taken in turns (a FIFO mutex), and its WASM runs on
// Node's main thread: one long statement stops the whole process, health check included. There a
// heavy read takes the connection for one chunk (a few thousand rows, tens of milliseconds) and
// gives it back; whoever queued meanwhile goes first, and the next chunk queues behind them. The
// chunks then see the data as it is when each runs, not one snapshot. Before each chunk the work
// also waits (briefly) until the requests that came in since it began have been answered
// (activity.ts), so that it never takes the connection between two statements of one of them.
//
// A PostgreSQL server runs statements in its own processes and the pool has several connections:
// there the whole read holds one connection in one read-only REPEATABLE READ transaction, so every
// chunk sees the same snapshot (the figures of an export or a simulation add up), while the other
// requests use the other connections.

export interface Chunks {
  /** Runs one chunk's statements; on the embedded engine each call takes its own turn at the connection. */
  run<T>(fn: (s: SqlSession) => Promise<T>): Promise<T>;
  /** Rows per chunk for this work (the caller's default, or the override of chunkSettings). */
  readonly rows: number;
}

/** Rows per chunk on either engine: null keeps each caller's default; tests set it low to get many chunks from a small bank. */
export const chunkSettings: { rows: number | null } = { rows: null };

/**
 * Emits 'chunk' ({ what, done }) after each chunk: how far a heavy read has got (for a progress
 * display, and for the tests that send other requests while one runs).
 */
export const chunkProgress = new EventEmitter();
export interface ChunkEvent {
  what: string;
  /** chunks done so far by this piece of work */
  done: number;
}

/**
 * On a server a chunk takes no turn from anyone: it only bounds what is read at once, and each
 * costs a round trip and a plan. Chunks there are this many times bigger.
 */
const SERVER_CHUNK_FACTOR = 10;

/**
 * On the embedded engine, how long a chunk waits at most for other requests to be answered before
 * it takes its turn anyway: a request takes a few statements, and a chunk that took the connection
 * between two of them would make it wait a whole chunk more.
 */
const YIELD_MAX_MS = 100;

function counted(what: string, rows: number, run: <T>(fn: (s: SqlSession) => Promise<T>) => Promise<T>): Chunks {
  let done = 0;
  return {
    rows: chunkSettings.rows ?? rows,
    async run(fn) {
      const out = await run(fn);
      done += 1;
      chunkProgress.emit('chunk', { what, done } satisfies ChunkEvent);
      return out;
    },
  };
}

/** Reads in chunks of about `rows` rows (see above for what each engine does). `what` names the work in progress events. */
export async function inChunks<T>(db: Db, what: string, rows: number, fn: (c: Chunks) => Promise<T>): Promise<T> {
  if (db.engine === 'postgres') {
    return db.session(async (s) => {
      await s.exec('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      try {
        const out = await fn(counted(what, rows * SERVER_CHUNK_FACTOR, (f) => f(s)));
        await s.exec('COMMIT');
        return out;
      } catch (e) {
        await s.exec('ROLLBACK').catch(() => {});
        throw e;
      }
    });
  }
  const began = arrivals();
  return fn(
    counted(what, rows, async (f) => {
      // the requests that came in since the work began are answered first (for at most a moment,
      // so the work always moves on), then those that arrived meanwhile reach the queue first
      await othersAnswered(began, YIELD_MAX_MS);
      await nextTurn();
      return db.session(f);
    }),
  );
}

/** The same chunked code over a session the caller already holds (a transaction that must see its own writes): no turns. */
export function chunksOn(s: SqlSession, what: string, rows: number): Chunks {
  return counted(what, rows, (f) => f(s));
}
