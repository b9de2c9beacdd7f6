// hubbleStampSeconds: the time of a Hubble compact line, Go's time.StampMilli ("Jan _2 15:04:05")
// in UTC, checked against real `hubble observe` output and against Intl's own calendar.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { hubbleStampSeconds } from "../../src/model/hubble-stamp.js";
import { runs } from "../helpers/property.js";
import { fixtureText } from "../helpers/fixtures.js";

describe("hubbleStampSeconds", () => {
  it("pads the day of the month with a space, as the lab's real hubble observe lines do", () => {
    const real = fixtureText("lab-3node/hubble-observe.overlay.txt").split("\n")[0]!;
    expect(real.slice(0, 15)).toBe("Aug  8 15:36:51");
    expect(hubbleStampSeconds(Date.UTC(2025, 7, 8, 15, 36, 51) / 1000)).toBe(real.slice(0, 15));
    expect(hubbleStampSeconds(0)).toBe("Jan  1 00:00:00");
    expect(hubbleStampSeconds(Date.UTC(2024, 1, 24, 8, 47, 58) / 1000)).toBe("Feb 24 08:47:58");
  });

  it("names the same UTC month, day and time as Intl for any second of 1970-2106", () => {
    const intl = new Intl.DateTimeFormat("en-US", {
      timeZone: "UTC",
      month: "short",
      day: "numeric",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
      hourCycle: "h23",
    });
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), (seconds) => {
        const part = Object.fromEntries(intl.formatToParts(seconds * 1000).map((p) => [p.type, p.value]));
        const day = part.day!.padStart(2, " ");
        expect(hubbleStampSeconds(seconds)).toBe(
          `${part.month} ${day} ${part.hour}:${part.minute}:${part.second}`,
        );
      }),
      { numRuns: runs(2000) },
    );
  });
});
