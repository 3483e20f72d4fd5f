/// <reference types="node" />
// One-off: render the PNG icon set from public/icon.svg (`npm exec -- node web/scripts/generate-icons.ts`, Node ≥ 23).
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';

const pub = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'public');
const svg = await readFile(path.join(pub, 'icon.svg'));

for (const size of [192, 512]) {
  await sharp(svg, { density: 384 })
    .resize(size, size)
    .png()
    .toFile(path.join(pub, `icon-${size}.png`));
}
await sharp(svg, { density: 384 }).resize(180, 180).flatten({ background: '#07070a' }).png().toFile(path.join(pub, 'apple-touch-icon.png'));

// Maskable: the mark inside the 80% safe zone on a full-bleed background.
const inner = await sharp(svg, { density: 384 }).resize(384, 384).png().toBuffer();
await sharp({ create: { width: 512, height: 512, channels: 4, background: '#0d0d12' } })
  .composite([{ input: inner, top: 64, left: 64 }])
  .png()
  .toFile(path.join(pub, 'icon-maskable-512.png'));
console.log('icons written to', pub);
