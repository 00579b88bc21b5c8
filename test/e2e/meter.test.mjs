// The strength meter: strength.wasm is loaded by the popup's password
// screens only, on first use, and rates what is typed (score in words,
// one piece of advice) next to the policy checklist, without moving
// what is below it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchChromium, openPopup, send, shot, screen, waitFor } from './harness.mjs';

let server;
before(async () => {
  server = await startServer();
});
after(async () => {
  await server?.stop();
});

async function typeInto(page, sel, text) {
  await page.click(sel, { clickCount: 3 });
  await page.keyboard.press('Backspace');
  await page.type(sel, text);
}

const meter = (page) => page.$eval('.policy', (p) => ({
  score: p.querySelector('.meter').dataset.score,
  label: p.querySelector('.meter').getAttribute('aria-label'),
  rated: p.querySelector('.meter').dataset.rated,
  rating: p.querySelector('.strength .rating').textContent,
  advice: p.querySelector('.strength .advice').textContent,
}));

test('the popup loads strength.wasm only on a password screen and rates what is typed', async () => {
  const ext = await launchChromium();
  try {
    const page = await openPopup(ext);
    const wasmLoads = [];
    page.on('request', (r) => {
      if (r.url().endsWith('.wasm')) wasmLoads.push(new URL(r.url()).pathname);
    });
    await screen(page, 'welcome');
    await send(page, 'ui-bg-settings-set', { settings: { serverUrl: server.url } });
    assert.equal(await page.evaluate(() => typeof globalThis.watchwordStrength), 'undefined', 'the first-run screen does not load the meter');

    await page.click('#new');
    await screen(page, 'register');
    // Unrated, the meter still holds its line, so what is below it does not
    // move under the pointer when the estimate arrives.
    const unrated = await page.$eval('.policy .meter', (m) => ({ rated: m.dataset.rated, height: m.getBoundingClientRect().height, visibility: getComputedStyle(m).visibility }));
    assert.deepEqual(unrated, { rated: 'false', height: unrated.height, visibility: 'hidden' });
    assert.ok(unrated.height > 0, 'the unrated meter keeps its height');
    await page.waitForFunction(() => document.querySelectorAll('#account-rules li').length > 0);
    const buttonTop = () => page.$eval('#create', (b) => b.getBoundingClientRect().top);
    const topBefore = await buttonTop();
    await page.type('#email', 'jane.doe@example.org');
    await typeInto(page, '#password', 'Password1');
    await waitFor(async () => (await meter(page)).label === 'Strength: Very weak', { what: 'a rating for a common password', timeout: 20000 });
    const weak = await meter(page);
    assert.equal(weak.rated, 'true');
    assert.match(weak.rating, /^Very weak · could take .+ to guess$/);
    assert.equal(weak.advice, 'This password is on a list of commonly used passwords.', 'one piece of advice: the common-password list comes first');
    assert.equal(await buttonTop(), topBefore, 'a rating with advice leaves the button where it was');
    await shot(page, ext, 'meter-weak');

    await typeInto(page, '#password', 'Violet-Anchor-Drizzle-Fortune-7');
    await waitFor(async () => Number((await meter(page)).score) >= 3, { what: 'a strong rating' });
    const strong = await meter(page);
    assert.match(strong.label, /Strength: (Good|Strong)/);
    assert.equal(strong.advice, '', 'no advice for a good password without warnings');
    assert.equal(await buttonTop(), topBefore, 'a rating without warnings leaves the button where it was');
    await shot(page, ext, 'meter-strong');
    assert.deepEqual([...new Set(wasmLoads)], ['/strength.wasm'], 'the popup itself loads only strength.wasm');
    assert.deepEqual(page.errors, []);
  } finally {
    await ext.close();
  }
});

test('on the master-password screen a common password is said once, by its checklist rule', async () => {
  const ext = await launchChromium();
  try {
    const page = await openPopup(ext);
    await screen(page, 'welcome');
    await page.click('#local');
    await screen(page, 'masterCreate');
    await page.waitForFunction(() => document.querySelectorAll('.policy .checklist li').length > 0);
    await typeInto(page, '#master', 'password1234');
    await waitFor(async () => (await meter(page)).rated === 'true', { what: 'a rating', timeout: 20000 });
    const m = await meter(page);
    const rule = await page.$eval('.policy .checklist li[data-rule="not_common"]', (li) => li.className);
    assert.match(rule, /fail/, 'the checklist rule says the password is common');
    assert.doesNotMatch(m.advice, /commonly used|common password/i, `the advice does not say it again: ${m.advice}`);
    assert.match(m.rating, /^(Very weak|Weak) · /);
    assert.deepEqual(page.errors, []);
  } finally {
    await ext.close();
  }
});
