// Reference twin of assembly/hash/murmur3.ts. Production hashes with the same TypeScript (the
// synchronous Maglev build of src/lb/maglev.ts), so the one definition lives in src/model/murmur3.ts.
export { murmur3Hash128 } from "../../model/murmur3.js";
