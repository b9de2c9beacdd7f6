// Pairs synthetic replies with their requests. The generator sends a reply from the service
// frontend because it cannot know the backend; the replay answers from where the request actually
// went: a reply's source becomes the request's translated destination, its destination the
// request's translated source (the client, or the address SNAT gave it), and it comes back the way
// the request left (overlay or network). State is kept per generator slot in typed arrays, so memory
// follows the connections open at once, not the workload's length.
//
// A reply can only be rewritten once its request's verdict is known. The first reply of a connection
// (and every reply after an event that may change translations: backend churn, CT garbage
// collection) therefore asks the caller to run the packets queued so far first; later replies reuse
// the known translation, so batches stay long.
import { EntryPoint } from "../model/packet.js";
import {
  RECORD_LAYOUT as K,
  setPacketPath,
  verdictDaddr,
  verdictDport,
  verdictDropped,
  verdictObservationPoint,
  verdictSaddr,
  verdictSport,
  type RecordView,
} from "../wasm/codec.js";

const EMPTY = 0;
/** A request of the connection is queued; no verdict seen yet. */
const PENDING = 1;
const KNOWN = 2;
/** The latest processed request was dropped: nothing answers. */
const DROPPED = 3;

export type Substitution = "substituted" | "request-dropped" | "unpaired";

export class ConnectionTable {
  private capacity = 0;
  private connection = new Float64Array(0);
  private state = new Uint8Array(0);
  private stale = new Uint8Array(0);
  private lastRequest = new Float64Array(0);
  private saddr = new Uint32Array(0);
  private daddr = new Uint32Array(0);
  private sport = new Uint16Array(0);
  private dport = new Uint16Array(0);
  /** EntryPoint the replies come back through. */
  private entry = new Uint8Array(0);

  /** A request of `connection` in `slot` (1-based) was queued at stream position `position`. */
  noteRequest(slot: number, connection: number, position: number): void {
    const i = this.index(slot);
    if (this.connection[i] !== connection) {
      this.connection[i] = connection;
      this.state[i] = PENDING;
      this.stale[i] = 0;
    }
    this.lastRequest[i] = position;
  }

  /**
   * Whether the reply must wait for the packets queued from `firstQueued` on to be processed: its
   * connection's translation is unknown or stale and one of its requests is among them.
   */
  mustWait(slot: number, connection: number, firstQueued: number): boolean {
    const i = slot - 1;
    if (i >= this.capacity || this.connection[i] !== connection) return false;
    if (this.lastRequest[i]! < firstQueued) return false;
    return this.state[i] === PENDING || this.stale[i] === 1;
  }

  /** Records the verdict of a processed request (verdict record at `at` in `view`). */
  noteVerdict(slot: number, connection: number, view: RecordView, at: number): void {
    const i = slot - 1;
    if (i >= this.capacity || this.connection[i] !== connection) return;
    this.stale[i] = 0;
    if (verdictDropped(view, at)) {
      this.state[i] = DROPPED;
      return;
    }
    this.state[i] = KNOWN;
    this.saddr[i] = verdictSaddr(view, at);
    this.daddr[i] = verdictDaddr(view, at);
    this.sport[i] = verdictSport(view, at);
    this.dport[i] = verdictDport(view, at);
    const point = verdictObservationPoint(view, at);
    this.entry[i] =
      point === K.OBS_TO_OVERLAY
        ? EntryPoint.FromOverlay
        : point === K.OBS_TO_NETWORK
          ? EntryPoint.FromNetwork
          : EntryPoint.Unknown;
  }

  /** Rewrites the reply record at `at` in `view` from its request's translation. */
  substitute(slot: number, connection: number, view: RecordView, at: number): Substitution {
    const i = slot - 1;
    if (i >= this.capacity || this.connection[i] !== connection || this.state[i] === PENDING)
      return "unpaired";
    if (this.state[i] === DROPPED) return "request-dropped";
    const entry = this.entry[i]! as EntryPoint;
    setPacketPath(view, at, this.daddr[i]!, this.dport[i]!, this.saddr[i]!, this.sport[i]!, entry);
    return "substituted";
  }

  /** After churn or garbage collection: every known translation must be confirmed by the next request. */
  invalidate(): void {
    for (let i = 0; i < this.capacity; i++) if (this.state[i] !== EMPTY) this.stale[i] = 1;
  }

  private index(slot: number): number {
    const i = slot - 1;
    if (i >= this.capacity) this.grow(Math.max(slot, this.capacity * 2, 1024));
    return i;
  }

  private grow(capacity: number): void {
    const grow = <T extends Float64Array | Uint32Array | Uint16Array | Uint8Array>(
      a: T,
      make: (n: number) => T,
    ): T => {
      const b = make(capacity);
      b.set(a);
      return b;
    };
    this.connection = grow(this.connection, (n) => new Float64Array(n));
    this.state = grow(this.state, (n) => new Uint8Array(n));
    this.stale = grow(this.stale, (n) => new Uint8Array(n));
    this.lastRequest = grow(this.lastRequest, (n) => new Float64Array(n));
    this.saddr = grow(this.saddr, (n) => new Uint32Array(n));
    this.daddr = grow(this.daddr, (n) => new Uint32Array(n));
    this.sport = grow(this.sport, (n) => new Uint16Array(n));
    this.dport = grow(this.dport, (n) => new Uint16Array(n));
    this.entry = grow(this.entry, (n) => new Uint8Array(n));
    this.capacity = capacity;
  }
}
