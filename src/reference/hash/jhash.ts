// Reference twin of assembly/hash/jhash.ts. Production hashes with the same TypeScript (the
// synchronous Maglev flow hash of src/lb/select.ts), so the one definition lives in src/model/jhash.ts.
export {
  JHASH_INITVAL,
  jhash1Word,
  jhash2Words,
  jhash3Words,
  jhashBytes,
  jhashFinal,
} from "../../model/jhash.js";
