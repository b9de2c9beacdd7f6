// `--max-unpacked MEMBER[,TOTAL]`, on every command that reads a snapshot: raises (or lowers) how
// much one file or archive member, and all archive members together, may unpack to.
import { InvalidArgumentError, Option } from "commander";
import { InvalidInputError } from "../model/errors.js";
import { parseUnpackLimits, type UnpackLimits } from "../snapshot/archive/limits.js";

/** The option; its parsed value is the loader's `limits`. */
export function unpackLimitsOption(): Option {
  return new Option(
    "--max-unpacked <member[,total]>",
    "largest file or archive member, and all archive members together, after unpacking (default 256M,1G)",
  ).argParser((value): Partial<UnpackLimits> => {
    try {
      return parseUnpackLimits(value);
    } catch (error) {
      if (error instanceof InvalidInputError) throw new InvalidArgumentError(error.message);
      throw error;
    }
  });
}

/** What a command's `--lenient` and `--max-unpacked` give the snapshot loader. */
export function snapshotReadOptions(o: {
  readonly lenient?: boolean;
  readonly maxUnpacked?: Partial<UnpackLimits>;
}): { lenient: boolean; limits?: Partial<UnpackLimits> } {
  return { lenient: o.lenient ?? false, ...(o.maxUnpacked !== undefined ? { limits: o.maxUnpacked } : {}) };
}
