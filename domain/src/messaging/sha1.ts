// SHA-1, pure and synchronous, for name-based (version 5) UUIDs: the domain derives ids that every
// process must agree on without reaching for a runtime's crypto module. Not for anything secret.

export function sha1(message: Uint8Array): Uint8Array {
  const paddedLength = Math.ceil((message.length + 9) / 64) * 64;
  const padded = new Uint8Array(paddedLength);
  padded.set(message);
  padded[message.length] = 0x80;
  const view = new DataView(padded.buffer);
  view.setUint32(paddedLength - 8, Math.floor(message.length / 0x20000000));
  view.setUint32(paddedLength - 4, (message.length * 8) >>> 0);

  // Written with plain locals and no allocation per round: message ids are derived on every send.
  const w = schedule;
  let h0 = 0x67452301;
  let h1 = 0xefcdab89;
  let h2 = 0x98badcfe;
  let h3 = 0x10325476;
  let h4 = 0xc3d2e1f0;
  for (let block = 0; block < paddedLength; block += 64) {
    for (let i = 0; i < 16; i++) w[i] = view.getInt32(block + i * 4);
    for (let i = 16; i < 80; i++) {
      const x = w[i - 3]! ^ w[i - 8]! ^ w[i - 14]! ^ w[i - 16]!;
      w[i] = (x << 1) | (x >>> 31);
    }
    let a = h0;
    let b = h1;
    let c = h2;
    let d = h3;
    let e = h4;
    for (let i = 0; i < 80; i++) {
      let f: number;
      let k: number;
      if (i < 20) {
        f = (b & c) | (~b & d);
        k = 0x5a827999;
      } else if (i < 40) {
        f = b ^ c ^ d;
        k = 0x6ed9eba1;
      } else if (i < 60) {
        f = (b & c) | (b & d) | (c & d);
        k = 0x8f1bbcdc;
      } else {
        f = b ^ c ^ d;
        k = 0xca62c1d6;
      }
      const next = (((a << 5) | (a >>> 27)) + f + e + k + w[i]!) | 0;
      e = d;
      d = c;
      c = (b << 30) | (b >>> 2);
      b = a;
      a = next;
    }
    h0 = (h0 + a) | 0;
    h1 = (h1 + b) | 0;
    h2 = (h2 + c) | 0;
    h3 = (h3 + d) | 0;
    h4 = (h4 + e) | 0;
  }

  const digest = new Uint8Array(20);
  const digestView = new DataView(digest.buffer);
  digestView.setInt32(0, h0);
  digestView.setInt32(4, h1);
  digestView.setInt32(8, h2);
  digestView.setInt32(12, h3);
  digestView.setInt32(16, h4);
  return digest;
}

/** UTF-8 bytes of a string; lone surrogates become U+FFFD, as in `TextEncoder`. */
export function utf8(text: string): Uint8Array {
  return utf8Into(new Uint8Array(text.length * 3), 0, text);
}

/**
 * Writes the UTF-8 bytes of `text` into `target` from `offset` (which must have room for `text.length * 3` bytes:
 * no UTF-16 code unit takes more) and returns `target` cut after the last byte written.
 */
export function utf8Into(target: Uint8Array, offset: number, text: string): Uint8Array {
  let at = offset;
  for (let i = 0; i < text.length; i++) {
    let scalar = text.charCodeAt(i);
    if (scalar >= 0xd800 && scalar <= 0xdfff) {
      const next = i + 1 < text.length ? text.charCodeAt(i + 1) : 0;
      if (scalar <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        scalar = 0x10000 + ((scalar - 0xd800) << 10) + (next - 0xdc00);
        i++;
      } else {
        scalar = 0xfffd;
      }
    }
    if (scalar < 0x80) {
      target[at++] = scalar;
    } else if (scalar < 0x800) {
      target[at++] = 0xc0 | (scalar >> 6);
      target[at++] = 0x80 | (scalar & 0x3f);
    } else if (scalar < 0x10000) {
      target[at++] = 0xe0 | (scalar >> 12);
      target[at++] = 0x80 | ((scalar >> 6) & 0x3f);
      target[at++] = 0x80 | (scalar & 0x3f);
    } else {
      target[at++] = 0xf0 | (scalar >> 18);
      target[at++] = 0x80 | ((scalar >> 12) & 0x3f);
      target[at++] = 0x80 | ((scalar >> 6) & 0x3f);
      target[at++] = 0x80 | (scalar & 0x3f);
    }
  }
  return target.subarray(0, at);
}

/** The message schedule of one block, shared by every call: `sha1` runs to its end without yielding. */
const schedule = new Int32Array(80);
