// Shared helpers for benchmark row producers: a static HTTP server on
// 127.0.0.1, a headless Chromium, medians, and the row shape.
import http from 'node:http';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

// row builds one results.json row. ratio = value / reference_value, so for
// times and sizes lower is better and a ratio at or below the goal passes.
export function row(name, value, unit, reference, referenceValue) {
  const ratio = referenceValue ? value / referenceValue : null;
  return {
    name,
    value: round(value),
    unit,
    reference,
    reference_value: round(referenceValue),
    ratio: ratio === null ? null : Math.round(ratio * 1000) / 1000,
  };
}

function round(v) {
  if (typeof v !== 'number') return v;
  return Math.abs(v) >= 100 ? Math.round(v) : Math.round(v * 1000) / 1000;
}

export function median(xs) {
  if (xs.length === 0) throw new Error('median of nothing');
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

const types = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
};

// serve starts an HTTP server on 127.0.0.1 (a free port) that maps URL
// prefixes to directories or files: serve({'/': 'bench/page', '/core.wasm':
// 'dist/core.wasm'}). Paths are relative to the repository root. It returns
// {url, close}.
export async function serve(routes) {
  const entries = Object.entries(routes).sort((a, b) => b[0].length - a[0].length);
  const server = http.createServer(async (req, res) => {
    try {
      const url = new URL(req.url, 'http://127.0.0.1');
      const p = decodeURIComponent(url.pathname);
      for (const [prefix, target] of entries) {
        if (p !== prefix && !p.startsWith(prefix.endsWith('/') ? prefix : prefix + '/')) continue;
        let file = path.join(root, target);
        if (p !== prefix) {
          const rel = path.normalize(p.slice(prefix.length)).replace(/^([/\\])+/, '');
          if (rel.startsWith('..')) break;
          file = path.join(file, rel);
        }
        const body = await fs.readFile(file);
        res.writeHead(200, {
          'content-type': types[path.extname(file)] || 'application/octet-stream',
          'cache-control': 'no-store',
        });
        res.end(body);
        return;
      }
      res.writeHead(404).end('not found');
    } catch {
      res.writeHead(404).end('not found');
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

// launchChromium starts headless Chromium through scripts/browser/chromium,
// which adds the flags this machine needs.
export async function launchChromium() {
  const { default: puppeteer } = await import('puppeteer-core');
  const executablePath = process.env.WATCHWORD_CHROMIUM_BIN || path.join(root, 'scripts/browser/chromium');
  return puppeteer.launch({
    executablePath,
    headless: true,
    protocolTimeout: 600_000,
  });
}
