// pcapng timestamps: a 64-bit count of ticks since the epoch at a per-interface resolution (if_tsresol:
// 10^-n or 2^-n seconds) plus a per-interface offset in seconds (if_tsoffset). Converting them to
// seconds + nanoseconds without BigInt (which would allocate per packet) needs integer long division
// on the two 32-bit halves; every step stays below 2^53 so plain numbers are exact.
import type { PacketRecord } from "../model/packet.js";

const TWO_32 = 4294967296;

export class TickClock {
  /** Ticks per second. */
  readonly unitsPerSecond: number;
  private readonly divisor: number;
  /** For decimal resolutions up to ns: nanoseconds per tick. 0 otherwise. */
  private readonly nsPerTick: number;
  /** For binary resolutions 2^-k: k. -1 otherwise. */
  private readonly binaryExponent: number;
  /** Resolutions finer than 2^-32 s or 10^-9 s fall back to BigInt arithmetic. */
  private readonly needsBigInt: boolean;

  /**
   * @param tsresol the if_tsresol option byte (default 6: microseconds)
   * @param offsetSeconds if_tsoffset
   */
  constructor(
    readonly tsresol: number = 6,
    readonly offsetSeconds: number = 0,
  ) {
    const binary = (tsresol & 0x80) !== 0;
    const exponent = tsresol & 0x7f;
    this.unitsPerSecond = binary ? 2 ** exponent : 10 ** exponent;
    this.divisor = this.unitsPerSecond;
    this.binaryExponent = binary ? exponent : -1;
    this.nsPerTick = !binary && exponent <= 9 ? 10 ** (9 - exponent) : 0;
    this.needsBigInt = binary ? exponent > 32 : exponent > 9;
  }

  /** Whether the resolution is one a timestamp can be represented in (at most 2^-63 or 10^-18 s). */
  static isValidResolution(tsresol: number): boolean {
    const exponent = tsresol & 0x7f;
    return (tsresol & 0x80) !== 0 ? exponent <= 63 : exponent <= 18;
  }

  /** Sets packet.seconds / packet.nanoseconds from the timestamp halves. */
  toTime(high: number, low: number, packet: PacketRecord): void {
    if (this.needsBigInt) {
      this.toTimeBig(high, low, packet);
      return;
    }
    const d = this.divisor;
    let r: number;
    if (high < 0x100000) {
      // Below 2^52 ticks (microsecond clocks until the year 2112) one division is exact: a quotient
      // q - e/d (e >= 1) is at least 1/d below the next integer, more than half an ulp of q < 2^52/d,
      // so rounding never lifts it to q.
      const ticks = high * TWO_32 + low;
      const seconds = Math.floor(ticks / d);
      r = ticks - seconds * d;
      packet.seconds = seconds + this.offsetSeconds;
    } else {
      r = this.longDivide(high, low, packet);
    }
    this.setNanoseconds(r, packet);
  }

  /** Sets packet.seconds to floor(ticks / d) + offset and returns the remainder. */
  private longDivide(high: number, low: number, packet: PacketRecord): number {
    const d = this.divisor;
    // Long division of (high * 2^32 + low) by d, 16 bits at a time: the remainder r < d <= 2^32, so
    // r * 2^16 + 16 bits < 2^48 is exact.
    const qHigh = Math.floor(high / d);
    let r = high - qHigh * d;
    let t = r * 65536 + (low >>> 16);
    const qMid = Math.floor(t / d);
    r = t - qMid * d;
    t = r * 65536 + (low & 0xffff);
    const qLow = Math.floor(t / d);
    r = t - qLow * d;
    packet.seconds = qHigh * TWO_32 + qMid * 65536 + qLow + this.offsetSeconds;
    return r;
  }

  /** Nanoseconds of a sub-second remainder r < d, rounded down. */
  private setNanoseconds(r: number, packet: PacketRecord): void {
    if (this.nsPerTick !== 0) {
      packet.nanoseconds = r * this.nsPerTick;
    } else {
      // Binary resolution 2^-k, k <= 32: floor(r * 1e9 / 2^k). Split r = a * 2^16 + b so both
      // products stay below 2^47: floor((a * 1e9 * 2^16 + b * 1e9) / 2^k).
      const k = this.binaryExponent;
      const a = Math.floor(r / 65536);
      const b = r - a * 65536;
      if (k <= 16) {
        packet.nanoseconds = Math.floor((a * 1e9 * 65536 + b * 1e9) / 2 ** k);
      } else {
        packet.nanoseconds = Math.floor((a * 1e9 + Math.floor((b * 1e9) / 65536)) / 2 ** (k - 16));
      }
    }
  }

  private toTimeBig(high: number, low: number, packet: PacketRecord): void {
    const ticks = (BigInt(high) << 32n) | BigInt(low);
    const per = BigInt(this.unitsPerSecond);
    const seconds = ticks / per;
    const remainder = ticks - seconds * per;
    packet.seconds = Number(seconds) + this.offsetSeconds;
    packet.nanoseconds = Number((remainder * 1_000_000_000n) / per);
  }
}
