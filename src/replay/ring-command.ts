// The consumer side of a ring (batch-ring.ts), for a worker thread that never returns to an event
// loop between entries: it sleeps in Atomics.wait until the next entry is published, and reads a
// Command entry's content (posted on a MessagePort before the entry was published) synchronously
// when it reaches the entry. Worker threads only.
import { receiveMessageOnPort, type MessagePort } from "node:worker_threads";
import { FAILED, PUBLISHED, type BatchRing } from "./batch-ring.js";

/** Sleeps until entry `position` is published. */
export function waitForEntry(ring: BatchRing, position: number): void {
  while (Atomics.load(ring.control, PUBLISHED) === position) {
    Atomics.wait(ring.control, PUBLISHED, position);
  }
}

/** The content of the Command entry the consumer has reached. */
export function receiveCommand<T>(ring: BatchRing, port: MessagePort): T {
  for (;;) {
    const received = receiveMessageOnPort(port);
    if (received !== undefined) return received.message as T;
    // Not queued yet: wait briefly (the producer has posted it; delivery is not instantaneous).
    Atomics.wait(ring.control, FAILED, 0, 1);
  }
}
