// Draws Watchword's toolbar and store icons into static/icons/ as PNG files.
//
//   node test/e2e/tools/draw-icons.mjs
//
// The icon is a rounded square in the brand blue with a white keyhole. Every
// pixel is sampled 8×8 times for anti-aliasing; the PNG encoder is the
// minimum (RGBA, no filtering, zlib) so the script needs nothing beyond Node.
import { deflateSync } from 'node:zlib';
import { writeFileSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const out = join(dirname(fileURLToPath(import.meta.url)), '../../../static/icons');
const SIZES = [16, 32, 48, 128];
const SS = 8; // samples per axis

// Shapes in a unit square [0,1]².
function roundedSquare(x, y, r) {
  const cx = Math.min(Math.max(x, r), 1 - r);
  const cy = Math.min(Math.max(y, r), 1 - r);
  return (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
}

function keyhole(x, y) {
  // A circle on top of a tapered stem.
  const head = (x - 0.5) ** 2 + (y - 0.41) ** 2 <= 0.145 ** 2;
  const t = (y - 0.45) / (0.74 - 0.45);
  const half = 0.055 + 0.05 * t;
  const stem = y >= 0.45 && y <= 0.74 && Math.abs(x - 0.5) <= half;
  return head || stem;
}

// Brand gradient from top-left to bottom-right.
const C0 = [37, 99, 235]; // #2563eb
const C1 = [67, 56, 202]; // #4338ca

function pixel(px, py, size) {
  let bg = 0;
  let fg = 0;
  for (let sy = 0; sy < SS; sy++) {
    for (let sx = 0; sx < SS; sx++) {
      const x = (px + (sx + 0.5) / SS) / size;
      const y = (py + (sy + 0.5) / SS) / size;
      if (roundedSquare(x, y, 0.22)) {
        bg++;
        if (keyhole(x, y)) fg++;
      }
    }
  }
  const n = SS * SS;
  const t = (px + py) / (2 * size);
  const base = C0.map((c, i) => Math.round(c + (C1[i] - c) * t));
  const f = bg ? fg / bg : 0;
  const rgb = base.map((c) => Math.round(c + (255 - c) * f));
  return [...rgb, Math.round((255 * bg) / n)];
}

const CRC_TABLE = new Uint32Array(256).map((_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

function png(size) {
  const raw = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0; // filter: none
    for (let x = 0; x < size; x++) {
      const p = pixel(x, y, size);
      raw.set(p, y * (size * 4 + 1) + 1 + x * 4);
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // RGBA
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

mkdirSync(out, { recursive: true });
for (const s of SIZES) writeFileSync(join(out, `icon-${s}.png`), png(s));
console.log(`wrote ${SIZES.map((s) => `icon-${s}.png`).join(', ')} to ${out}`);
