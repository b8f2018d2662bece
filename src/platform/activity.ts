// The requests the server is answering right now, for long work that should let them go first.
//
// On the embedded engine the database runs on Node's main thread, so a heavy read (an export job,
// a policy simulation) and the requests of everyone else take turns at one thread. The HTTP layer
// tells this module when each request arrives and when it has been answered; heavy work asks it
// before each of its chunks and waits while a request that arrived after the work began is still
// being answered (at most a moment, so that the work always moves on), and reads `arrivals` to
// know whether anyone came by while its last chunk ran.

let seq = 0;
const inFlight = new Set<number>();
let waiters: Array<() => void> = [];

/** How many requests have arrived since the process started: a mark to compare later readings with. */
export function arrivals(): number {
  return seq;
}

/** A request arrived; the returned function says it has been answered (calling it again does nothing). */
export function requestArrived(): () => void {
  const id = ++seq;
  inFlight.add(id);
  return () => {
    if (!inFlight.delete(id)) return;
    const wake = waiters;
    waiters = [];
    for (const w of wake) w();
  };
}

function busySince(mark: number): boolean {
  for (const id of inFlight) if (id > mark) return true;
  return false;
}

/**
 * Resolves once no request that arrived after `mark` (an `arrivals()` reading) is still being
 * answered, or after `maxWaitMs`, whichever comes first. Requests that arrived before the mark
 * (the one that started the work, say) are not waited for.
 */
export async function othersAnswered(mark: number, maxWaitMs: number): Promise<void> {
  if (!busySince(mark)) return;
  const until = Date.now() + maxWaitMs;
  while (busySince(mark)) {
    const left = until - Date.now();
    if (left <= 0) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, left);
      waiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}
