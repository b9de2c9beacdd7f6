// CRC-32 (IEEE 802.3, the zip checksum). fflate checks no zip CRCs and does not export its own,
// so members are checked here.

const TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** A running CRC-32: `update` with each chunk, then read `value`. */
export class Crc32 {
  private crc = 0xffffffff;

  update(chunk: Uint8Array): void {
    let c = this.crc;
    for (let i = 0; i < chunk.length; i++) c = (TABLE[(c ^ (chunk[i] ?? 0)) & 0xff] ?? 0) ^ (c >>> 8);
    this.crc = c;
  }

  get value(): number {
    return (this.crc ^ 0xffffffff) >>> 0;
  }
}
