// RFC 3339 timestamps with nanoseconds (Hubble's `time`, the replay's JSON output) <-> seconds +
// nanoseconds, without going through Date's millisecond precision.

const PATTERN = /^(\d{4})-(\d\d)-(\d\d)[Tt ](\d\d):(\d\d):(\d\d)(?:\.(\d+))?([Zz]|[+-]\d\d:\d\d)$/;

export interface TimeParts {
  seconds: number;
  nanoseconds: number;
}

/** Parses into `out`; false when the text is not an RFC 3339 date-time. Digits past the 9th are cut. */
export function parseRfc3339(text: string, out: TimeParts): boolean {
  const m = PATTERN.exec(text);
  if (!m) return false;
  const [, year, month, day, hour, minute, second, fraction, zone] = m as unknown as string[];
  let offset = 0;
  if (zone !== "Z" && zone !== "z") {
    const sign = zone!.startsWith("-") ? -1 : 1;
    offset = sign * (Number(zone!.slice(1, 3)) * 3600 + Number(zone!.slice(4, 6)) * 60);
  }
  const nanoseconds = fraction ? Number(fraction.slice(0, 9).padEnd(9, "0")) : 0;
  const fields = [year, month, day, hour, minute, second].map(Number);
  return toTimeParts(fields, offset, nanoseconds, out);
}

/**
 * The one range check and conversion behind both parsers; false when a field is out of range.
 * `fields`: year, month, day, hour, minute, second as written.
 */
function toTimeParts(
  fields: ArrayLike<number>,
  offsetSeconds: number,
  nanoseconds: number,
  out: TimeParts,
): boolean {
  const year = fields[0]!;
  const mo = fields[1]!;
  const d = fields[2]!;
  const h = fields[3]!;
  const mi = fields[4]!;
  const s = fields[5]!;
  // 60 is a leap second: accepted, and folded into the next second as Unix time does.
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return false;
  out.seconds = Date.UTC(year, mo - 1, d, h, mi, s) / 1000 - offsetSeconds;
  out.nanoseconds = nanoseconds;
  return true;
}

const scratch = new Float64Array(6);
/** Where year, month, day, hour, minute, second start in "YYYY-MM-DDTHH:MM:SS". */
const FIELD_AT = [0, 5, 8, 11, 14, 17];

/** Decimal value of bytes[at, at + count), or -1 when one is not an ASCII digit. */
function digitsAt(bytes: Uint8Array, at: number, count: number): number {
  let value = 0;
  for (let i = at; i < at + count; i++) {
    const c = bytes[i]! - 0x30;
    if (!(c >= 0 && c <= 9)) return -1;
    value = value * 10 + c;
  }
  return value;
}

/**
 * parseRfc3339 on the ASCII bytes[start, end) of a line, the same grammar without decoding it to a
 * string (the Hubble scanner's fast path).
 */
export function parseRfc3339Bytes(bytes: Uint8Array, start: number, end: number, out: TimeParts): boolean {
  // "YYYY-MM-DDTHH:MM:SS" then an optional fraction and a zone of at least one byte.
  if (end - start < 20) return false;
  const separators = bytes[start + 4] === 0x2d && bytes[start + 7] === 0x2d && bytes[start + 13] === 0x3a;
  const t = bytes[start + 10];
  if (!separators || bytes[start + 16] !== 0x3a || (t !== 0x54 && t !== 0x74 && t !== 0x20)) return false;
  for (let k = 0; k < 6; k++) {
    const value = digitsAt(bytes, start + FIELD_AT[k]!, k === 0 ? 4 : 2);
    if (value < 0) return false;
    scratch[k] = value;
  }
  let i = start + 19;
  let nanoseconds = 0;
  if (bytes[i] === 0x2e) {
    const first = ++i;
    while (i < end && bytes[i]! >= 0x30 && bytes[i]! <= 0x39) {
      if (i - first < 9) nanoseconds = nanoseconds * 10 + (bytes[i]! - 0x30);
      i++;
    }
    if (i === first) return false;
    for (let n = i - first; n < 9; n++) nanoseconds *= 10;
  }
  const zone = bytes[i];
  let offset = 0;
  if (zone === 0x5a || zone === 0x7a) {
    if (i + 1 !== end) return false;
  } else if (zone === 0x2b || zone === 0x2d) {
    const zh = digitsAt(bytes, i + 1, 2);
    const zm = digitsAt(bytes, i + 4, 2);
    if (i + 6 !== end || bytes[i + 3] !== 0x3a || zh < 0 || zm < 0) return false;
    offset = (zone === 0x2d ? -1 : 1) * (zh * 3600 + zm * 60);
  } else {
    return false;
  }
  return toTimeParts(scratch, offset, nanoseconds, out);
}

/** "2024-05-01T12:00:00.123456789Z": always nine fraction digits, UTC. */
export function formatRfc3339(seconds: number, nanoseconds: number): string {
  const whole = new Date(seconds * 1000).toISOString().slice(0, 19);
  return `${whole}.${String(nanoseconds).padStart(9, "0")}Z`;
}
