// The built packages themselves: Chromium loads dist/chrome without a single
// install warning, manifest error or runtime error, and web-ext lint finds no
// error in dist/firefox. Each check is shown to fail on a package that is
// known to be wrong, so a silent pass means something.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DIST, ROOT, launchChromium, openPopup, tempDir } from './harness.mjs';

const run = promisify(execFile);

// problems asks Chromium's own extensions page (chrome.developerPrivate, the
// API behind chrome://extensions) what it reports about the loaded extension.
async function problems(ext) {
  const page = await ext.browser.newPage();
  try {
    await page.goto('chrome://extensions');
    const info = await page.evaluate(async (id) => {
      // Warnings are kept for developers: the page reports them in developer mode.
      await chrome.developerPrivate.updateProfileConfiguration({ inDeveloperMode: true });
      const all = await chrome.developerPrivate.getExtensionsInfo({ includeDisabled: true, includeTerminated: true });
      const e = all.find((x) => x.id === id);
      return e && { install: e.installWarnings, manifest: e.manifestErrors, runtime: e.runtimeErrors.map((r) => r.message) };
    }, ext.extensionId);
    assert.ok(info, 'the extension is listed on chrome://extensions');
    return info;
  } finally {
    await page.close();
  }
}

test('Chromium loads dist/chrome with no warnings or errors', async () => {
  const ext = await launchChromium();
  try {
    // Exercise the worker and the popup so runtime errors would show.
    const popup = await openPopup(ext);
    await popup.waitForSelector('[data-screen]:not([hidden])', { timeout: 20000 });
    assert.deepEqual(popup.errors, []);
    await popup.close();
    assert.deepEqual(await problems(ext), { install: [], manifest: [], runtime: [] });
  } finally {
    await ext.close();
  }
});

test('the Chromium check notices a warning', async () => {
  const dir = tempDir('bad-chrome');
  cpSync(join(DIST, 'chrome'), dir, { recursive: true });
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
  manifest.permissions = [...manifest.permissions, 'notARealPermission'];
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest));
  const ext = await launchChromium({ extensionDir: dir });
  try {
    const p = await problems(ext);
    assert.ok(p.install.length + p.manifest.length > 0, `an unknown permission is reported: ${JSON.stringify(p)}`);
  } finally {
    await ext.close();
  }
});

async function lint(dir) {
  const bin = join(ROOT, 'node_modules/.bin/web-ext');
  // web-ext exits non-zero on errors; the JSON report is on stdout either way.
  const out = await run(bin, ['lint', '--source-dir', dir, '--output', 'json', '--no-config-discovery'], { maxBuffer: 1 << 24 })
    .then((r) => r.stdout, (e) => e.stdout);
  return JSON.parse(out);
}

test('web-ext lint finds no error in dist/firefox', async () => {
  const report = await lint(join(DIST, 'firefox'));
  assert.equal(report.summary.errors, 0, JSON.stringify(report.errors, null, 1));
});

test('the lint check notices an error', async () => {
  const dir = tempDir('bad-firefox');
  cpSync(join(DIST, 'firefox'), dir, { recursive: true });
  writeFileSync(join(dir, 'manifest.json'), '{ "manifest_version": 3, ');
  const report = await lint(dir);
  assert.ok(report.summary.errors > 0, 'a broken manifest is an error');
});
