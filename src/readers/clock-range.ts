// The datapath's clock, like the one CT lifetimes count in, is 32-bit: whole Unix seconds from
// 1970-01-01 to 2106-02-07T06:28:15Z. A packet time outside that range (a 64-bit pcapng timestamp, a
// negative if_tsoffset, a Hubble time in 2200) would wrap to a wrong time, so the readers skip such
// packets and count them instead.

/** The last second the datapath clock can hold: 2106-02-07T06:28:15Z. */
export const LAST_CLOCK_SECOND = 0xffffffff;

/** Whether a packet time in whole Unix seconds fits the datapath clock. */
export function inClockRange(seconds: number): boolean {
  return seconds >= 0 && seconds <= LAST_CLOCK_SECOND;
}
