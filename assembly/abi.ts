// Version of the host/Wasm contract. The host refuses a module whose ABI it does not know, so a
// stale build/dpemu.wasm fails loudly instead of misreading memory.
export const ABI_VERSION: i32 = 3;

// Scratch I/O area the host fills before calling into the module (keys, values, batches). It grows
// on demand; its address may change after any call that allocates, so the host re-reads it.
let scratchPtr: usize = 0;
let scratchSize: usize = 0;

/** Returns the address of a scratch area of at least `size` bytes. */
export function scratch(size: usize): usize {
  if (size > scratchSize) {
    if (scratchPtr != 0) heap.free(scratchPtr);
    scratchPtr = heap.alloc(size);
    scratchSize = size;
  }
  return scratchPtr;
}
