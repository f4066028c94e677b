/**
 * Real media bytes for the local media host: an MP4 with a real `ftyp` box
 * (brand `isom`) followed by an `mdat` box of payload, and a small JPEG.
 * Detectors read these as `video/mp4` and `image/jpeg` from the bytes alone.
 */

const mp4Cache = new Map<number, Buffer>();

/** An MP4 of exactly `size` bytes (at least 40): `ftyp` box, then `mdat` with a deterministic payload. */
export function mp4Bytes(size: number): Buffer {
  const cached = mp4Cache.get(size);
  if (cached) return cached;
  const ftyp = Buffer.alloc(32);
  ftyp.writeUInt32BE(32, 0);
  ftyp.write('ftyp', 4, 'latin1');
  ftyp.write('isom', 8, 'latin1'); // major brand
  ftyp.writeUInt32BE(0x200, 12); // minor version
  ftyp.write('isomiso2avc1mp41', 16, 'latin1'); // compatible brands
  const mdatSize = Math.max(8, size - ftyp.length);
  const mdat = Buffer.alloc(mdatSize);
  mdat.writeUInt32BE(mdatSize, 0);
  mdat.write('mdat', 4, 'latin1');
  for (let i = 8; i < mdatSize; i++) mdat[i] = (i * 31 + 7) & 0xff;
  const bytes = Buffer.concat([ftyp, mdat]);
  if (mp4Cache.size < 32) mp4Cache.set(size, bytes);
  return bytes;
}

/** A small baseline JPEG (SOI, JFIF APP0, a comment, EOI). */
export function jpegBytes(): Buffer {
  const app0 = Buffer.from([0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00]);
  const text = Buffer.from('steward media host thumbnail', 'latin1');
  const com = Buffer.concat([Buffer.from([0xff, 0xfe, 0x00, text.length + 2]), text]);
  return Buffer.concat([Buffer.from([0xff, 0xd8]), app0, com, Buffer.from([0xff, 0xd9])]);
}

/** An HTML error page of at least `size` bytes, the kind a CDN serves with 200. */
export function htmlPage(title: string, size = 16 * 1024): Buffer {
  const head = `<!doctype html><html><head><title>${title}</title></head><body><h1>${title}</h1>`;
  return Buffer.from(head + '<p>Please try again later.</p>'.repeat(Math.ceil(size / 30)) + '</body></html>');
}
