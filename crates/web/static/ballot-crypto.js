// Charter's ballot encryption in the browser: the same ballots as the Rust function
// `charter_ballot_crypto::encrypt_ballot`, written from docs/verifiable-ballots.md
// (sections 1, 4 and 5) and RFC 9496 (ristretto255). Plain ES2020 with BigInt, no
// dependencies, no inline script: the page loads this file and calls `CharterBallot`.
//
// API (on `globalThis.CharterBallot`, that is `window.CharterBallot` in a page):
//
//   encryptBallot(election, publicKeyHex, fingerprintHex, credentialSecretHex, choices)
//     -> { ballot, tracker, randomness }
//       election   {id, kind, options, min, max, trustees, threshold} (the board's `election`)
//       choices    an array of 0-based indices (the options chosen, or the candidates in order
//                  of preference for `ranked`), or the Rust `Choice` JSON:
//                  {"options": [...]} or {"ranking": [...]}
//       ballot     the `EncryptedBallot` as JSON, in the same shape (and key order) as serde
//       tracker    the ballot's tracker, 64 lowercase hex digits
//       randomness one scalar (hex) per ciphertext: reveal it only to audit a ballot that is
//                  then never cast (Benaloh challenge)
//   auditBallot(election, publicKeyHex, fingerprintHex, ballot, randomness, choices)
//     -> { ok: true, tracker } or { ok: false, reason }
//       recomputes every ciphertext from the revealed randomness and the claimed choices.
//   trackerOf(fingerprintHex, ballot) -> tracker hex
//   publicCredential(credentialSecretHex) -> public credential hex (S = s·G)
//   prepare(publicKeyHex) -> undefined
//       builds the tables of G and of the election key now (some tens of milliseconds), so
//       that the first encryption is as fast as the next ones; optional.
//
// Everything is synchronous. SHA-512 and SHA-256 are implemented here rather than taken from
// crypto.subtle: the proofs need a dozen challenges one after another, each depending on the
// last, and an async digest would make every step a promise for no gain on inputs of a few
// kilobytes. Randomness comes from crypto.getRandomValues: 64 bytes reduced modulo ℓ per
// scalar, as the Rust `random_scalar` does.
//
// Errors are thrown as `Error` with a message for the voter's page to show.
//
// BigInt arithmetic is not constant-time: like any JavaScript, this code assumes that no
// other script on the page can time it (the page's CSP allows scripts from our origin only).

(function (root) {
  "use strict";

  // ---------------------------------------------------------------------------------------
  // Bytes and hex

  function hexToBytes(hex, length, what) {
    if (typeof hex !== "string" || !/^([0-9a-f]{2})*$/.test(hex)) {
      throw new Error(what + ": expected lowercase hex");
    }
    if (length !== undefined && hex.length !== 2 * length) {
      throw new Error(what + ": expected " + 2 * length + " hex digits");
    }
    const out = new Uint8Array(hex.length / 2);
    for (let i = 0; i < out.length; i++) {
      out[i] = parseInt(hex.substr(2 * i, 2), 16);
    }
    return out;
  }

  const HEX = [];
  for (let i = 0; i < 256; i++) HEX.push((i < 16 ? "0" : "") + i.toString(16));

  function bytesToHex(bytes) {
    let s = "";
    for (let i = 0; i < bytes.length; i++) s += HEX[bytes[i]];
    return s;
  }

  function bytesEqual(a, b) {
    if (a.length !== b.length) return false;
    let d = 0;
    for (let i = 0; i < a.length; i++) d |= a[i] ^ b[i];
    return d === 0;
  }

  function leToBig(bytes) {
    let x = 0n;
    for (let i = bytes.length - 1; i >= 0; i--) x = (x << 8n) | BigInt(bytes[i]);
    return x;
  }

  function bigToLe32(x) {
    const out = new Uint8Array(32);
    for (let i = 0; i < 32; i++) {
      out[i] = Number(x & 0xffn);
      x >>= 8n;
    }
    return out;
  }

  function utf8(text) {
    return new TextEncoder().encode(text);
  }

  // ---------------------------------------------------------------------------------------
  // SHA-256 and SHA-512 (FIPS 180-4). The round constants and initial values are derived
  // here from their definition (fractional parts of square and cube roots of the first
  // primes) rather than typed in.

  function firstPrimes(n) {
    const primes = [];
    for (let c = 2; primes.length < n; c++) {
      if (primes.every((p) => c % p !== 0)) primes.push(c);
    }
    return primes;
  }

  // floor(x^(1/k)) for a BigInt x >= 1, by Newton's method.
  function integerRoot(x, k) {
    let r = 1n << BigInt(Math.ceil(x.toString(2).length / Number(k)) + 1);
    for (;;) {
      const next = ((k - 1n) * r + x / r ** (k - 1n)) / k;
      if (next >= r) return r;
      r = next;
    }
  }

  // The first `bits` bits of the fractional part of the k-th root of each prime.
  function rootFractions(count, k, bits) {
    const mask = (1n << BigInt(bits)) - 1n;
    return firstPrimes(count).map(
      (p) => integerRoot(BigInt(p) << (BigInt(bits) * k), k) & mask,
    );
  }

  // 64-bit words as pairs of signed 32-bit halves [hi, lo, hi, lo, ...].
  function splitWords64(list) {
    const out = new Int32Array(2 * list.length);
    list.forEach((w, i) => {
      out[2 * i] = Number(w >> 32n) | 0;
      out[2 * i + 1] = Number(w & 0xffffffffn) | 0;
    });
    return out;
  }

  const K256 = Int32Array.from(rootFractions(64, 3n, 32).map((w) => Number(w) | 0));
  const IV256 = Int32Array.from(rootFractions(8, 2n, 32).map((w) => Number(w) | 0));
  const K512 = splitWords64(rootFractions(80, 3n, 64));
  const IV512 = splitWords64(rootFractions(8, 2n, 64));

  // Message padding: 0x80, zeros, and the bit length big-endian in the last 8 bytes (the
  // 16-byte length field of SHA-512 has its upper half zero here).
  function pad(bytes, block) {
    const total = Math.ceil((bytes.length + 1 + block / 8) / block) * block;
    const out = new Uint8Array(total);
    out.set(bytes);
    out[bytes.length] = 0x80;
    const view = new DataView(out.buffer);
    view.setUint32(total - 8, Math.floor(bytes.length / 0x20000000));
    view.setUint32(total - 4, (bytes.length * 8) >>> 0);
    return view;
  }

  function sha256(bytes) {
    const view = pad(bytes, 64);
    const h = Int32Array.from(IV256);
    const w = new Int32Array(64);
    const rotr = (x, n) => (x >>> n) | (x << (32 - n));
    for (let off = 0; off < view.byteLength; off += 64) {
      for (let i = 0; i < 16; i++) w[i] = view.getInt32(off + 4 * i);
      for (let i = 16; i < 64; i++) {
        const a = w[i - 15];
        const b = w[i - 2];
        const s0 = rotr(a, 7) ^ rotr(a, 18) ^ (a >>> 3);
        const s1 = rotr(b, 17) ^ rotr(b, 19) ^ (b >>> 10);
        w[i] = (w[i - 16] + s0 + w[i - 7] + s1) | 0;
      }
      let [a, b, c, d, e, f, g, hh] = h;
      for (let i = 0; i < 64; i++) {
        const t1 =
          (hh +
            (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) +
            ((e & f) ^ (~e & g)) +
            K256[i] +
            w[i]) |
          0;
        const t2 = ((rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) | 0;
        hh = g;
        g = f;
        f = e;
        e = (d + t1) | 0;
        d = c;
        c = b;
        b = a;
        a = (t1 + t2) | 0;
      }
      [a, b, c, d, e, f, g, hh].forEach((v, i) => {
        h[i] = (h[i] + v) | 0;
      });
    }
    const out = new Uint8Array(32);
    const ov = new DataView(out.buffer);
    for (let i = 0; i < 8; i++) ov.setInt32(4 * i, h[i]);
    return out;
  }

  function sha512(bytes) {
    const view = pad(bytes, 128);
    const h = Int32Array.from(IV512);
    const w = new Int32Array(160);
    // Working variables a..h as hi/lo pairs in one array: v[2k] = hi, v[2k+1] = lo.
    const v = new Int32Array(16);
    for (let off = 0; off < view.byteLength; off += 128) {
      for (let i = 0; i < 32; i++) w[i] = view.getInt32(off + 4 * i);
      for (let i = 16; i < 80; i++) {
        // σ0(x) = rotr1 ^ rotr8 ^ shr7 of w[i-15]; σ1(x) = rotr19 ^ rotr61 ^ shr6 of w[i-2].
        let xh = w[2 * (i - 15)];
        let xl = w[2 * (i - 15) + 1];
        const s0h = ((xh >>> 1) | (xl << 31)) ^ ((xh >>> 8) | (xl << 24)) ^ (xh >>> 7);
        const s0l =
          ((xl >>> 1) | (xh << 31)) ^ ((xl >>> 8) | (xh << 24)) ^ ((xl >>> 7) | (xh << 25));
        xh = w[2 * (i - 2)];
        xl = w[2 * (i - 2) + 1];
        const s1h = ((xh >>> 19) | (xl << 13)) ^ ((xl >>> 29) | (xh << 3)) ^ (xh >>> 6);
        const s1l =
          ((xl >>> 19) | (xh << 13)) ^ ((xh >>> 29) | (xl << 3)) ^ ((xl >>> 6) | (xh << 26));
        const lo =
          (w[2 * (i - 16) + 1] >>> 0) + (s0l >>> 0) + (w[2 * (i - 7) + 1] >>> 0) + (s1l >>> 0);
        w[2 * i] = (w[2 * (i - 16)] + s0h + w[2 * (i - 7)] + s1h + Math.floor(lo / 0x100000000)) | 0;
        w[2 * i + 1] = lo | 0;
      }
      v.set(h);
      for (let i = 0; i < 80; i++) {
        const ah = v[0], al = v[1], bh = v[2], bl = v[3], ch = v[4], cl = v[5];
        const eh = v[8], el = v[9], fh = v[10], fl = v[11], gh = v[12], gl = v[13];
        // Σ1(e) = rotr14 ^ rotr18 ^ rotr41
        const S1h = ((eh >>> 14) | (el << 18)) ^ ((eh >>> 18) | (el << 14)) ^ ((el >>> 9) | (eh << 23));
        const S1l = ((el >>> 14) | (eh << 18)) ^ ((el >>> 18) | (eh << 14)) ^ ((eh >>> 9) | (el << 23));
        const chh = (eh & fh) ^ (~eh & gh);
        const chl = (el & fl) ^ (~el & gl);
        const t1l = (v[15] >>> 0) + (S1l >>> 0) + (chl >>> 0) + (K512[2 * i + 1] >>> 0) + (w[2 * i + 1] >>> 0);
        const t1h = (v[14] + S1h + chh + K512[2 * i] + w[2 * i] + Math.floor(t1l / 0x100000000)) | 0;
        // Σ0(a) = rotr28 ^ rotr34 ^ rotr39
        const S0h = ((ah >>> 28) | (al << 4)) ^ ((al >>> 2) | (ah << 30)) ^ ((al >>> 7) | (ah << 25));
        const S0l = ((al >>> 28) | (ah << 4)) ^ ((ah >>> 2) | (al << 30)) ^ ((ah >>> 7) | (al << 25));
        const mjh = (ah & bh) ^ (ah & ch) ^ (bh & ch);
        const mjl = (al & bl) ^ (al & cl) ^ (bl & cl);
        const t2l = (S0l >>> 0) + (mjl >>> 0);
        const t2h = (S0h + mjh + Math.floor(t2l / 0x100000000)) | 0;
        v.copyWithin(2, 0, 14); // h = g, g = f, f = e, (e set below), d = c, c = b, b = a
        const el2 = (v[9] >>> 0) + (t1l >>> 0);
        v[8] = (v[8] + t1h + Math.floor(el2 / 0x100000000)) | 0;
        v[9] = el2 | 0;
        const al2 = (t1l >>> 0) + (t2l >>> 0);
        v[0] = (t1h + t2h + Math.floor(al2 / 0x100000000)) | 0;
        v[1] = al2 | 0;
      }
      for (let k = 0; k < 8; k++) {
        const lo = (h[2 * k + 1] >>> 0) + (v[2 * k + 1] >>> 0);
        h[2 * k] = (h[2 * k] + v[2 * k] + Math.floor(lo / 0x100000000)) | 0;
        h[2 * k + 1] = lo | 0;
      }
    }
    const out = new Uint8Array(64);
    const ov = new DataView(out.buffer);
    for (let i = 0; i < 16; i++) ov.setInt32(4 * i, h[i]);
    return out;
  }

  // ---------------------------------------------------------------------------------------
  // The field GF(p), p = 2^255 − 19, on BigInt. Values are kept non-negative and below
  // 2^260, reduced lazily: `mul` folds the product twice (2^255 ≡ 19) and returns a value
  // below 2^255 + 2^21; `canon` gives the canonical representative when it matters.

  const P = (1n << 255n) - 19n;
  const P16 = 16n * P;
  const MASK255 = (1n << 255n) - 1n;

  function mul(a, b) {
    let t = a * b;
    t = (t & MASK255) + 19n * (t >> 255n);
    return (t & MASK255) + 19n * (t >> 255n);
  }

  function sq(a) {
    return mul(a, a);
  }

  // `b` must be below 16p (any product, or a small sum of products).
  function sub(a, b) {
    const t = a - b;
    return t < 0n ? t + P16 : t;
  }

  function canon(a) {
    return a % P;
  }

  function isNegative(a) {
    return (canon(a) & 1n) === 1n;
  }

  function fabs(a) {
    return isNegative(a) ? P - canon(a) : canon(a);
  }

  function feq(a, b) {
    return canon(a) === canon(b);
  }

  function pow2k(a, k) {
    for (let i = 0; i < k; i++) a = sq(a);
    return a;
  }

  // z^(2^250 − 1) and z^11, shared by the inversion and the square root.
  function pow250(z) {
    const z2 = sq(z);
    const z9 = mul(pow2k(z2, 2), z);
    const z11 = mul(z9, z2);
    const z5 = mul(sq(z11), z9); // 2^5 − 1
    const z10 = mul(pow2k(z5, 5), z5);
    const z20 = mul(pow2k(z10, 10), z10);
    const z40 = mul(pow2k(z20, 20), z20);
    const z50 = mul(pow2k(z40, 10), z10);
    const z100 = mul(pow2k(z50, 50), z50);
    const z200 = mul(pow2k(z100, 100), z100);
    return [mul(pow2k(z200, 50), z50), z11];
  }

  function invert(z) {
    const [z250, z11] = pow250(z);
    return mul(pow2k(z250, 5), z11); // z^(p − 2) = z^(2^255 − 21)
  }

  function powP58(z) {
    return mul(pow2k(pow250(z)[0], 2), z); // z^((p − 5)/8) = z^(2^252 − 3)
  }

  // Constants of RFC 9496, section 4.1 (checked at load against their definitions).
  const D = 37095705934669439343138083508754565189542113879843219016388785533085940283555n;
  const D2 = (2n * D) % P;
  const SQRT_M1 = 19681161376707505956807079304988542015446066515923890162744021073123829784752n;
  const INVSQRT_A_MINUS_D =
    54469307008909316920995813868745141605393597292927456921205312896311721017578n;

  // SQRT_RATIO_M1(u, v) of RFC 9496, section 4.2: [was_square, the non-negative root of
  // u/v or of SQRT_M1·u/v].
  function sqrtRatioM1(u, v) {
    const v3 = mul(sq(v), v);
    const v7 = mul(sq(v3), v);
    let r = mul(mul(u, v3), powP58(mul(u, v7)));
    const check = canon(mul(v, sq(r)));
    const cu = canon(u);
    const correct = check === cu;
    const flipped = check === canon(P - cu);
    const flippedI = check === canon(mul(P - cu, SQRT_M1));
    if (flipped || flippedI) r = mul(r, SQRT_M1);
    return [correct || flipped, fabs(r)];
  }

  // ---------------------------------------------------------------------------------------
  // Points of edwards25519 (a = −1) in extended coordinates [X, Y, Z, T], x = X/Z, y = Y/Z,
  // x·y = T/Z; ristretto255 encodes their classes (RFC 9496, section 4.3).

  const IDENTITY = [0n, 1n, 1n, 0n];

  function add(p, q) {
    const a = mul(sub(p[1], p[0]), sub(q[1], q[0]));
    const b = mul(p[1] + p[0], q[1] + q[0]);
    const c = mul(mul(p[3], D2), q[3]);
    const d = 2n * mul(p[2], q[2]);
    const e = sub(b, a);
    const f = sub(d, c);
    const g = d + c;
    const h = b + a;
    return [mul(e, f), mul(g, h), mul(f, g), mul(e, h)];
  }

  function double(p) {
    const a = sq(p[0]);
    const b = sq(p[1]);
    const c = 2n * sq(p[2]);
    const h = a + b;
    const e = sub(h, sq(p[0] + p[1]));
    const g = sub(a, b);
    const f = c + g;
    return [mul(e, f), mul(g, h), mul(f, g), mul(e, h)];
  }

  // Adds an affine point in the form [y + x, y − x, 2d·x·y]; `negate` subtracts it instead.
  function addAffine(p, q, negate) {
    const ypx = negate ? q[1] : q[0];
    const ymx = negate ? q[0] : q[1];
    const a = mul(sub(p[1], p[0]), ymx);
    const b = mul(p[1] + p[0], ypx);
    const c0 = mul(p[3], q[2]);
    const c = negate ? sub(0n, c0) : c0;
    const d = 2n * p[2];
    const e = sub(b, a);
    const f = sub(d, c);
    const g = d + c;
    const h = b + a;
    return [mul(e, f), mul(g, h), mul(f, g), mul(e, h)];
  }

  function decode(bytes) {
    if (bytes.length !== 32) return null;
    const s = leToBig(bytes);
    if (s >= P || (s & 1n) === 1n) return null; // non-canonical or negative
    const ss = sq(s);
    const u1 = sub(1n, ss);
    const u2 = 1n + ss;
    const u2sq = sq(u2);
    const v = sub(sub(0n, mul(D, sq(u1))), u2sq);
    const [wasSquare, invsqrt] = sqrtRatioM1(1n, mul(v, u2sq));
    const denX = mul(invsqrt, u2);
    const denY = mul(mul(invsqrt, denX), v);
    const x = fabs(mul(2n * s, denX));
    const y = canon(mul(u1, denY));
    const t = mul(x, y);
    if (!wasSquare || isNegative(t) || y === 0n) return null;
    return [x, y, 1n, canon(t)];
  }

  function encode(p) {
    const [x0, y0, z0, t0] = p;
    const u1 = mul(z0 + y0, sub(z0, y0));
    const u2 = mul(x0, y0);
    const invsqrt = sqrtRatioM1(1n, mul(u1, sq(u2)))[1];
    const den1 = mul(invsqrt, u1);
    const den2 = mul(invsqrt, u2);
    const zInv = mul(mul(den1, den2), t0);
    let x = x0;
    let y = y0;
    let denInv = den2;
    if (isNegative(mul(t0, zInv))) {
      x = mul(y0, SQRT_M1);
      y = mul(x0, SQRT_M1);
      denInv = mul(den1, INVSQRT_A_MINUS_D);
    }
    if (isNegative(mul(x, zInv))) y = sub(0n, y);
    return bigToLe32(fabs(mul(denInv, sub(z0, y))));
  }

  const BASE = decode(
    hexToBytes("e2f2ae0a6abc4e71a884a961c500515f58e30b6aa582dd8db6a65945e08d2d76", 32, "G"),
  );

  // Fixed-base multiplication: for a point B, table[i][j − 1] = j·16^i·B (j = 1..8,
  // i = 0..63) in affine form; a scalar written in signed radix 16 (digits −8..8) then
  // costs at most 64 additions and no doubling.
  function fixedTable(base) {
    const points = [];
    let row = base;
    for (let i = 0; i < 64; i++) {
      let m = row;
      points.push(m);
      for (let j = 2; j <= 8; j++) {
        m = add(m, row);
        points.push(m);
      }
      row = double(double(double(double(row))));
    }
    // Batch inversion of the Z coordinates (Montgomery's trick).
    const prefix = new Array(points.length);
    let acc = 1n;
    for (let k = 0; k < points.length; k++) {
      prefix[k] = acc;
      acc = mul(acc, points[k][2]);
    }
    let inv = invert(acc);
    const affine = new Array(points.length);
    for (let k = points.length - 1; k >= 0; k--) {
      const zInv = mul(inv, prefix[k]);
      inv = mul(inv, points[k][2]);
      const x = canon(mul(points[k][0], zInv));
      const y = canon(mul(points[k][1], zInv));
      affine[k] = [y + x, sub(y, x), canon(mul(mul(x, y), D2))];
    }
    return affine;
  }

  // Signed radix-16 digits of a scalar below 2^253: 64 digits in −8..8.
  function radix16(k) {
    const digits = new Int8Array(64);
    let carry = 0;
    for (let i = 0; i < 64; i++) {
      let d = Number(k & 15n) + carry;
      k >>= 4n;
      carry = d >= 8 && i < 63 ? 1 : 0;
      d -= 16 * carry;
      digits[i] = d;
    }
    return digits;
  }

  function mulFixed(table, k) {
    const digits = radix16(k);
    let acc = IDENTITY;
    for (let i = 0; i < 64; i++) {
      const d = digits[i];
      if (d > 0) acc = addAffine(acc, table[8 * i + d - 1], false);
      else if (d < 0) acc = addAffine(acc, table[8 * i - d - 1], true);
    }
    return acc;
  }

  let baseTable = null;

  function mulG(k) {
    if (baseTable === null) baseTable = fixedTable(BASE);
    return mulFixed(baseTable, mod(k));
  }

  // ---------------------------------------------------------------------------------------
  // Scalars modulo ℓ.

  const L = (1n << 252n) + 27742317777372353535851937790883648493n;

  function mod(k) {
    const r = k % L;
    return r < 0n ? r + L : r;
  }

  function scalarFromHex(hex, what) {
    const k = leToBig(hexToBytes(hex, 32, what));
    if (k >= L) throw new Error(what + ": not a canonical scalar");
    return k;
  }

  function scalarHex(k) {
    return bytesToHex(bigToLe32(mod(k)));
  }

  function pointHex(p) {
    return bytesToHex(encode(p));
  }

  function randomScalar() {
    const wide = new Uint8Array(64);
    root.crypto.getRandomValues(wide);
    return mod(leToBig(wide));
  }

  // ---------------------------------------------------------------------------------------
  // The length-prefixed encoding of section 1: u64be(len(tag)) ‖ tag ‖ (u64be(len) ‖ part)*.

  class Transcript {
    constructor(tag) {
      this.parts = [];
      this.length = 0;
      this.part(utf8(tag));
    }

    part(bytes) {
      const len = new Uint8Array(8);
      new DataView(len.buffer).setUint32(4, bytes.length);
      this.parts.push(len, bytes);
      this.length += 8 + bytes.length;
      return this;
    }

    u64(n) {
      const b = new Uint8Array(8);
      const view = new DataView(b.buffer);
      view.setUint32(0, Math.floor(n / 0x100000000));
      view.setUint32(4, n >>> 0);
      return this.part(b);
    }

    hex(h) {
      return this.part(hexToBytes(h));
    }

    bytes() {
      const out = new Uint8Array(this.length);
      let off = 0;
      for (const p of this.parts) {
        out.set(p, off);
        off += p.length;
      }
      return out;
    }

    clone() {
      const t = Object.create(Transcript.prototype);
      t.parts = this.parts.slice();
      t.length = this.length;
      return t;
    }

    // H: SHA-512 reduced modulo ℓ.
    challenge() {
      return mod(leToBig(sha512(this.bytes())));
    }

    sha256() {
      return sha256(this.bytes());
    }
  }

  const TAGS = {
    disjunctive: "charter/v1/disjunctive",
    overall: "charter/v1/overall",
    randomness: "charter/v1/randomness",
    signature: "charter/v1/signature",
    ballot: "charter/v1/ballot",
  };

  // ---------------------------------------------------------------------------------------
  // Elections, choices and keys.

  const KINDS = ["question", "plurality", "approval", "ranked"];

  function checkElection(e) {
    const int = (n) => Number.isInteger(n) && n >= 0 && n <= 0xffffffff;
    if (!e || typeof e.id !== "string" || !KINDS.includes(e.kind)) {
      throw new Error("election: needs an id and a kind");
    }
    for (const f of ["options", "min", "max", "trustees", "threshold"]) {
      if (!int(e[f])) throw new Error("election: " + f + " must be a whole number");
    }
    if (e.options < 1 || e.options > 1000) throw new Error("options must be between 1 and 1000");
    if (e.min > e.max || e.max > e.options) throw new Error("need min <= max <= options");
    if (e.kind === "question" && (e.options !== 3 || e.min !== 1 || e.max !== 1)) {
      throw new Error("a question has 3 options (yes, no, abstain) and exactly one is chosen");
    }
    if ((e.kind === "plurality" || e.kind === "ranked") && e.options < 2) {
      throw new Error("need at least 2 options");
    }
    if (e.kind === "plurality" && e.max === 0) throw new Error("plurality needs max >= 1");
    if (e.trustees < 1 || e.trustees > 100) throw new Error("trustees must be between 1 and 100");
    if (e.threshold < 1 || e.threshold > e.trustees) {
      throw new Error("need 1 <= threshold <= trustees");
    }
  }

  // The plaintexts: 0/1 per option, or (candidate + 1) per preference, 0 for none.
  function plaintextEntries(election, choices) {
    const ranked = election.kind === "ranked";
    let list = choices;
    if (!Array.isArray(choices)) {
      if (choices && Array.isArray(choices.options) && !ranked) list = choices.options;
      else if (choices && Array.isArray(choices.ranking) && ranked) list = choices.ranking;
      else throw new Error("choice does not match the question's kind");
    }
    const seen = new Array(election.options).fill(false);
    for (const i of list) {
      if (!Number.isInteger(i) || i < 0 || i >= election.options) {
        throw new Error("no option " + i);
      }
      if (seen[i]) throw new Error("option " + i + " chosen twice");
      seen[i] = true;
    }
    if (list.length < election.min || list.length > election.max) {
      throw new Error(
        list.length + " chosen, allowed " + election.min + "..=" + election.max,
      );
    }
    if (ranked) {
      return seen.map((_, p) => (p < list.length ? list[p] + 1 : 0));
    }
    return seen.map((s) => (s ? 1 : 0));
  }

  // The election key with its fixed-base table (built once per key).
  let keyCache = null;

  function electionKey(publicKeyHex) {
    if (keyCache !== null && keyCache.hex === publicKeyHex) return keyCache;
    const bytes = hexToBytes(publicKeyHex, 32, "election public key");
    if (bytes.every((b) => b === 0)) throw new Error("election public key is the identity");
    const point = decode(bytes);
    if (point === null) throw new Error("election public key does not decode");
    keyCache = { hex: publicKeyHex, table: fixedTable(point) };
    return keyCache;
  }

  function context(election, publicKeyHex, fingerprintHex) {
    checkElection(election);
    hexToBytes(fingerprintHex, 32, "fingerprint");
    const key = electionKey(publicKeyHex);
    return {
      election,
      homomorphic: election.kind !== "ranked",
      fingerprint: fingerprintHex,
      y: publicKeyHex,
      mulY: (k) => mulFixed(key.table, mod(k)),
    };
  }

  // ---------------------------------------------------------------------------------------
  // Proofs (section 4). The prover knows every discrete logarithm involved (α = r·G,
  // β = m·G + r·Y), so every commitment is computed with the fixed-base tables of G and Y:
  // the points are the same as the Rust crate's, computed faster.

  // Exponential ElGamal: (r·G, m·G + r·Y).
  function encrypt(ctx, m, r) {
    return { alpha: pointHex(mulG(r)), beta: pointHex(add(mulG(BigInt(m)), ctx.mulY(r))) };
  }

  // Disjunctive proof that a ciphertext with plaintext `m` and randomness `r` encrypts a
  // value in lo..=hi; `t` holds the tag and statement. Randomness is drawn in the Rust
  // crate's order: w, then (c, s) for each simulated branch in increasing j.
  function proveRange(ctx, m, r, lo, hi, t, rand) {
    if (m < lo || m > hi) throw new Error("value " + m + " outside " + lo + "..=" + hi);
    const w = rand();
    const branches = [];
    let others = 0n;
    for (let j = lo; j <= hi; j++) {
      if (j === m) {
        branches.push({ a: pointHex(mulG(w)), b: pointHex(ctx.mulY(w)), c: null, s: null });
      } else {
        const c = rand();
        const s = rand();
        // A = s·G − c·α = (s − c·r)·G;  B = s·Y − c·(β − j·G) = (s − c·r)·Y − c·(m − j)·G.
        const k = mod(s - c * r);
        const a = pointHex(mulG(k));
        const b = pointHex(add(ctx.mulY(k), mulG(mod(-c * BigInt(m - j)))));
        branches.push({ a, b, c, s });
        others += c;
      }
    }
    for (const br of branches) t.hex(br.a).hex(br.b);
    const realC = mod(t.challenge() - others);
    return {
      branches: branches.map((br) => ({
        a: br.a,
        b: br.b,
        challenge: scalarHex(br.c === null ? realC : br.c),
        response: scalarHex(br.s === null ? w + realC * r : br.s),
      })),
    };
  }

  // Schnorr proof of knowledge of x: A = w·G, s = w + c·x.
  function proveSchnorr(x, t, rand) {
    const w = rand();
    const commitment = pointHex(mulG(w));
    t.hex(commitment);
    const c = t.challenge();
    return { commitment, response: scalarHex(w + c * x) };
  }

  function rangeTranscript(ctx, cred, index, ct) {
    return new Transcript(TAGS.disjunctive)
      .hex(ctx.fingerprint)
      .hex(cred)
      .hex(ctx.y)
      .u64(index)
      .u64(0)
      .u64(1)
      .hex(ct.alpha)
      .hex(ct.beta);
  }

  function knowledgeTranscript(ctx, cred, index, ct) {
    return new Transcript(TAGS.randomness)
      .hex(ctx.fingerprint)
      .hex(cred)
      .hex(ctx.y)
      .u64(index)
      .hex(ct.alpha)
      .hex(ct.beta);
  }

  function overallTranscript(ctx, cred, choices) {
    const t = new Transcript(TAGS.overall)
      .hex(ctx.fingerprint)
      .hex(cred)
      .hex(ctx.y)
      .u64(ctx.election.min)
      .u64(ctx.election.max);
    for (const c of choices) t.hex(c.alpha).hex(c.beta);
    return t;
  }

  function pushRange(t, proof) {
    for (const b of proof.branches) t.hex(b.a).hex(b.b).hex(b.challenge).hex(b.response);
  }

  // The signed message M (section 5).
  function body(fingerprintHex, cred, ballot) {
    const t = new Transcript(TAGS.ballot).hex(fingerprintHex).hex(cred);
    for (const c of ballot.choices) {
      t.hex(c.alpha).hex(c.beta);
      if (c.range) pushRange(t, c.range);
      if (c.knowledge) t.hex(c.knowledge.commitment).hex(c.knowledge.response);
    }
    if (ballot.overall) pushRange(t, ballot.overall);
    return t;
  }

  function signatureTranscript(fingerprintHex, cred, message) {
    return new Transcript(TAGS.signature).hex(fingerprintHex).hex(cred).part(message.bytes());
  }

  function trackerOf(fingerprintHex, ballot) {
    if (!ballot || !ballot.credential) throw new Error("ballot has no credential");
    if (!ballot.signature) throw new Error("ballot has no signature");
    hexToBytes(fingerprintHex, 32, "fingerprint");
    const t = body(fingerprintHex, ballot.credential, ballot);
    t.hex(ballot.signature.commitment).hex(ballot.signature.response);
    return bytesToHex(t.sha256());
  }

  // Encrypts, proves and signs; `rand` gives the scalars in the Rust crate's order: per entry
  // r then the entry proof's scalars, then the overall proof's, then the signature's.
  function encryptWith(election, publicKeyHex, fingerprintHex, credentialSecretHex, choices, rand) {
    const ctx = context(election, publicKeyHex, fingerprintHex);
    const values = plaintextEntries(election, choices);
    const secret = scalarFromHex(credentialSecretHex, "credential");
    const cred = pointHex(mulG(secret));
    const entries = [];
    const randomness = [];
    let totalR = 0n;
    let totalM = 0;
    values.forEach((m, index) => {
      const r = rand();
      const ct = encrypt(ctx, m, r);
      const entry = { alpha: ct.alpha, beta: ct.beta };
      if (ctx.homomorphic) {
        entry.range = proveRange(ctx, m, r, 0, 1, rangeTranscript(ctx, cred, index, ct), rand);
      } else {
        entry.knowledge = proveSchnorr(r, knowledgeTranscript(ctx, cred, index, ct), rand);
      }
      entries.push(entry);
      randomness.push(scalarHex(r));
      totalR = mod(totalR + r);
      totalM += m;
    });
    const ballot = { credential: cred, choices: entries };
    if (ctx.homomorphic) {
      const t = overallTranscript(ctx, cred, entries);
      ballot.overall = proveRange(ctx, totalM, totalR, election.min, election.max, t, rand);
    }
    const message = body(fingerprintHex, cred, ballot);
    ballot.signature = proveSchnorr(secret, signatureTranscript(fingerprintHex, cred, message), rand);
    return { ballot, tracker: trackerOf(fingerprintHex, ballot), randomness };
  }

  function encryptBallot(election, publicKeyHex, fingerprintHex, credentialSecretHex, choices) {
    return encryptWith(
      election,
      publicKeyHex,
      fingerprintHex,
      credentialSecretHex,
      choices,
      randomScalar,
    );
  }

  // Benaloh audit: the revealed randomness and the claimed choices give exactly the
  // ballot's ciphertexts (section 4.6 of the spec). The audited ballot must not be cast.
  function auditBallot(election, publicKeyHex, fingerprintHex, ballot, randomness, choices) {
    try {
      const ctx = context(election, publicKeyHex, fingerprintHex);
      const values = plaintextEntries(election, choices);
      if (!ballot || !Array.isArray(ballot.choices) || ballot.choices.length !== values.length) {
        return { ok: false, reason: "the ballot does not have one entry per option" };
      }
      if (!Array.isArray(randomness) || randomness.length !== values.length) {
        return { ok: false, reason: "expected one randomness per entry" };
      }
      for (let k = 0; k < values.length; k++) {
        const r = scalarFromHex(randomness[k], "randomness");
        const ct = encrypt(ctx, values[k], r);
        const entry = ballot.choices[k];
        if (ct.alpha !== entry.alpha || ct.beta !== entry.beta) {
          return { ok: false, reason: "entry " + k + " does not encrypt the claimed choice" };
        }
      }
      return { ok: true, tracker: trackerOf(fingerprintHex, ballot) };
    } catch (e) {
      return { ok: false, reason: e.message };
    }
  }

  // ---------------------------------------------------------------------------------------
  // Load-time self-check of the constants against their definitions.

  (function selfCheck() {
    const d = mul(P - 121665n, invert(121666n));
    const ok =
      canon(d) === D &&
      canon(sq(SQRT_M1)) === P - 1n &&
      canon(mul(sq(INVSQRT_A_MINUS_D), sub(P - 1n, D))) === 1n &&
      BASE !== null &&
      bytesToHex(sha256(utf8("abc"))).startsWith("ba7816bf") &&
      bytesToHex(sha512(utf8("abc"))).startsWith("ddaf35a1");
    if (!ok) throw new Error("ballot-crypto.js: self-check failed");
  })();

  // Deterministic entry points for the cross-tests only: they take the randomness as
  // arguments. Pages must use encryptBallot.
  const testing = {
    // `wideRandomHex`: 64-byte hex strings, each reduced modulo ℓ, consumed in order.
    encryptWithRandomness(election, publicKeyHex, fingerprintHex, credentialSecretHex, choices, wideRandomHex) {
      let next = 0;
      const rand = () => {
        if (next >= wideRandomHex.length) throw new Error("out of test randomness");
        return mod(leToBig(hexToBytes(wideRandomHex[next++], 64, "randomness")));
      };
      return encryptWith(election, publicKeyHex, fingerprintHex, credentialSecretHex, choices, rand);
    },
    // The canonical re-encoding of a point's encoding, or null if it does not decode.
    decodeEncode(hex) {
      const p = decode(hexToBytes(hex, 32, "point"));
      return p === null ? null : pointHex(p);
    },
    // k·G for a scalar given as a decimal string.
    mulBase(k) {
      return pointHex(mulG(BigInt(k)));
    },
    // k·P (the Y table path) for a point P in hex and a decimal scalar.
    mulPoint(pointHexIn, k) {
      const p = decode(hexToBytes(pointHexIn, 32, "point"));
      if (p === null) throw new Error("point does not decode");
      return pointHex(mulFixed(fixedTable(p), mod(BigInt(k))));
    },
    sha256Hex: (hex) => bytesToHex(sha256(hexToBytes(hex))),
    sha512Hex: (hex) => bytesToHex(sha512(hexToBytes(hex))),
  };

  root.CharterBallot = Object.freeze({
    encryptBallot,
    auditBallot,
    trackerOf,
    publicCredential: (secretHex) => pointHex(mulG(scalarFromHex(secretHex, "credential"))),
    prepare(publicKeyHex) {
      electionKey(publicKeyHex);
      mulG(0n);
    },
    testing: Object.freeze(testing),
  });
})(globalThis);
