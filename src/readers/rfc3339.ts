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
  const mo = Number(month);
  const d = Number(day);
  const h = Number(hour);
  const mi = Number(minute);
  // 60 is a leap second: accepted, and folded into the next second as Unix time does.
  const s = Number(second);
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return false;
  let seconds = Date.UTC(Number(year), mo - 1, d, h, mi, s) / 1000;
  if (zone !== "Z" && zone !== "z") {
    const sign = zone!.startsWith("-") ? -1 : 1;
    seconds -= sign * (Number(zone!.slice(1, 3)) * 3600 + Number(zone!.slice(4, 6)) * 60);
  }
  out.seconds = seconds;
  out.nanoseconds = fraction ? Number(fraction.slice(0, 9).padEnd(9, "0")) : 0;
  return true;
}

/** "2024-05-01T12:00:00.123456789Z": always nine fraction digits, UTC. */
export function formatRfc3339(seconds: number, nanoseconds: number): string {
  const whole = new Date(seconds * 1000).toISOString().slice(0, 19);
  return `${whole}.${String(nanoseconds).padStart(9, "0")}Z`;
}
