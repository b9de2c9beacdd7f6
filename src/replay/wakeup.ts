// A promise that settles at the next wake() and is then replaced: what a stage awaits while a
// worker thread's messages (results, errors, chunks) arrive on the event loop.

/** The next wake-up of a thread's message handlers, renewed at each one. */
export class Wakeup {
  /** Settles at the next wake(). */
  next: Promise<void>;
  private settle: () => void = () => {};

  constructor() {
    this.next = this.renew();
  }

  /** Settles `next` and starts a new one. */
  wake(): void {
    this.settle();
  }

  private renew(): Promise<void> {
    return new Promise<void>((resolve) => {
      this.settle = () => {
        this.next = this.renew();
        resolve();
      };
    });
  }
}
