// The time at the start of a Hubble compact line. `hubble observe` prints it with Go's
// time.StampMilli layout, "Jan _2 15:04:05.000": the day of the month is padded with a space, not a
// zero, as in the lab's real output ("Aug  8 15:36:51.980: ..." in examples/hubble-observe.overlay.txt).
// dpemu prints it in UTC.

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

const twoDigits = (n: number): string => (n < 10 ? `0${n}` : String(n));

/** `Jan _2 15:04:05` of a Unix time in seconds (UTC), without the milliseconds. */
export function hubbleStampSeconds(seconds: number): string {
  const d = new Date(seconds * 1000);
  const day = d.getUTCDate();
  return (
    `${MONTHS[d.getUTCMonth()]} ${day < 10 ? ` ${day}` : day} ` +
    `${twoDigits(d.getUTCHours())}:${twoDigits(d.getUTCMinutes())}:${twoDigits(d.getUTCSeconds())}`
  );
}
