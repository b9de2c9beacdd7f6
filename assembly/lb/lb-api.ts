// Host-facing exports of the hashing, Maglev and selection building blocks. Other AssemblyScript
// code (the datapath) imports the building blocks from their own files and gets them inlined.
export { murmur3Hash128 } from "../hash/murmur3";
export { jhash3Words, jhash2Words, jhash1Word, jhashBytes } from "../hash/jhash";
export { FLOW_HASH_CLIENT_PORT_HIGH, FLOW_HASH_SERVICE_PORT_HIGH, flowHashV4 } from "./flow-hash";
export {
  MAGLEV_BACKEND_SIZE,
  MAGLEV_BACKEND_ID,
  MAGLEV_BACKEND_WEIGHT,
  MAGLEV_BACKEND_NAME_OFFSET,
  MAGLEV_BACKEND_NAME_LENGTH,
  MAGLEV_EMPTY,
  MAGLEV_MAX_WEIGHT,
  MAGLEV_OK,
  MAGLEV_ERR_TABLE_SIZE,
  MAGLEV_ERR_NO_BACKENDS,
  MAGLEV_ERR_WEIGHT,
  MAGLEV_ERR_ID,
  maglevTableSizeSupported,
  maglevBuild,
  maglevTableAlloc,
  maglevTableFree,
} from "./maglev";
export {
  PRNG_STATE_SIZE,
  FLOW_RECORD_SIZE,
  FLOW_RECORD_CLIENT_ADDRESS,
  FLOW_RECORD_CLIENT_PORT,
  FLOW_RECORD_SERVICE_PORT,
  FLOW_RECORD_PROTOCOL,
  maglevLookup,
  prngSeed,
  prngNext,
  prngCreate,
  prngFree,
  randomSlot,
  maglevSelectBatch,
  randomSelectBatch,
} from "./select";
