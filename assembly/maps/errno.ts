// BPF map update flags and the errno values the kernel's map operations return (negated), so the
// emulated maps fail exactly where bpf_map_update_elem()/bpf_map_delete_elem() would.

/** Create a new element or update an existing one. */
export const BPF_ANY: u32 = 0;
/** Create a new element only if it does not exist. */
export const BPF_NOEXIST: u32 = 1;
/** Update an existing element only. */
export const BPF_EXIST: u32 = 2;

export const ENOENT: i32 = 2;
export const E2BIG: i32 = 7;
export const EBADF: i32 = 9;
export const ENOMEM: i32 = 12;
export const EEXIST: i32 = 17;
export const EINVAL: i32 = 22;
export const ENOSPC: i32 = 28;
