// Firefox test builds. WebDriver BiDi cannot navigate to moz-extension://
// pages, so tests cannot open the popup the way they do in Chromium. A test
// build — a copy of dist/firefox made here, never shipped — adds one
// background script that opens popup.html in a normal tab with tabs.create,
// which puppeteer then drives like any page.
import { cpSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { DIST, launchFirefox, tempDir, waitFor } from './harness.mjs';

const HOOK = 'test-open-popup.js';
const HOOK_SOURCE = `// Test build only (test/e2e/firefox.mjs): open the popup in a tab.
'use strict';
browser.tabs.create({ url: browser.runtime.getURL('popup.html') });
`;

// firefoxTestBuild copies dist/firefox to a temporary directory and adds the
// hook to its background scripts. It answers the directory.
export function firefoxTestBuild() {
  const dir = tempDir('firefox-build');
  cpSync(join(DIST, 'firefox'), dir, { recursive: true });
  const manifestFile = join(dir, 'manifest.json');
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8'));
  manifest.background.scripts = [...manifest.background.scripts, HOOK];
  writeFileSync(manifestFile, JSON.stringify(manifest, null, 2));
  writeFileSync(join(dir, HOOK), HOOK_SOURCE);
  return dir;
}

// launchFirefoxWithPopup starts Firefox with a test build installed and
// answers the extension handle with the popup tab the hook opened.
export async function launchFirefoxWithPopup() {
  const dir = firefoxTestBuild();
  const ext = await launchFirefox({ extensionDir: dir });
  const close = ext.close;
  ext.close = async () => {
    await close();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    // Puppeteer keeps such a tab's URL at about:blank (BiDi reports no
    // navigation into an extension), so the tab is found by asking each
    // page where it is.
    const page = await waitFor(async () => {
      for (const p of await ext.browser.pages()) {
        const href = await p.evaluate(() => location.href).catch(() => '');
        if (href.startsWith(`${ext.base}/popup.html`)) return p;
      }
      return null;
    }, { what: 'the popup tab the test build opens', timeout: 20000 });
    const errors = [];
    page.on('pageerror', (err) => errors.push(String(err)));
    page.errors = errors;
    await page.setViewport({ width: 360, height: 560 }).catch(() => {});
    return { ext, page };
  } catch (err) {
    await ext.close();
    throw err;
  }
}
