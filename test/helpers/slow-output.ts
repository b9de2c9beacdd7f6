// An OutputStream that keeps what the verdict stream writes, taking each chunk only after a turn of
// the event loop (as a file write on libuv's thread pool does), so chunks are still in flight while
// the replay goes on.
import type { OutputStream } from "../../src/cli/output.js";

export class SlowOutput implements OutputStream {
  readonly path = "(memory)";
  readonly parts: Buffer[] = [];

  async write(): Promise<void> {
    throw new Error("the verdict stream writes bytes");
  }

  async writeBytes(bytes: Uint8Array): Promise<void> {
    await new Promise((resolve) => setImmediate(resolve));
    this.parts.push(Buffer.from(bytes));
  }

  async close(): Promise<void> {}

  /** Everything written, as text. */
  get text(): string {
    return Buffer.concat(this.parts).toString("utf8");
  }
}
