// Field detection (extension/content/detect.js) in real Chromium, against a
// table of fixtures and the fields each must yield. No extension needed:
// the module is loaded into a plain page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import puppeteer from 'puppeteer-core';
import { ROOT, CHROMIUM } from './harness.mjs';

const DETECT = readFileSync(join(ROOT, 'extension/content/detect.js'), 'utf8');

const cases = [
  {
    name: 'sign-in form',
    html: '<form><input id="u" type="email" autocomplete="username"><input id="p" type="password"></form>',
    want: [{ kind: 'login', username: 'u', current: 'p', news: [], otp: [] }],
  },
  {
    name: 'sign-in form without autocomplete hints',
    html: '<form><input id="login" name="login" type="text"><input id="pw" name="pw" type="password"><button>Log in</button></form>',
    want: [{ kind: 'login', username: 'login', current: 'pw', news: [], otp: [] }],
  },
  { name: 'search box', html: '<form role="search"><input id="q" name="q" type="search"></form>', want: [] },
  { name: 'search box typed as text', html: '<form><input id="search" name="query" type="text"><button>Go</button></form>', want: [] },
  {
    name: 'newsletter sign-up',
    html: '<form id="newsletter"><input id="e" type="email" placeholder="Email"><button>Subscribe</button></form>',
    want: [],
  },
  {
    name: 'contact form',
    html: '<form><input id="n" name="name"><input id="e" type="email" name="email"><input id="m" name="message"></form>',
    want: [],
  },
  {
    name: 'honeypot next to a sign-in',
    html: '<form><input id="u" type="email" autocomplete="username"><input id="honeypot" name="honeypot" type="text"><input id="p" type="password"></form>',
    want: [{ kind: 'login', username: 'u', current: 'p', news: [], otp: [] }],
  },
  {
    name: 'username step',
    html: '<form><input id="id" name="identifier" autocomplete="username"><button>Next</button></form>',
    want: [{ kind: 'username', username: 'id', current: null, news: [], otp: [] }],
  },
  {
    name: 'password step',
    html: '<form><input id="p" type="password" autocomplete="current-password"></form>',
    want: [{ kind: 'password', username: null, current: 'p', news: [], otp: [] }],
  },
  {
    name: 'sign-up form',
    html: '<form><input id="u" type="email" autocomplete="username"><input id="n1" type="password" autocomplete="new-password"><input id="n2" type="password" autocomplete="new-password"></form>',
    want: [{ kind: 'signup', username: 'u', current: null, news: ['n1', 'n2'], otp: [] }],
  },
  {
    name: 'change-password form without hints',
    html: '<form><input id="old" type="password"><input id="a" type="password"><input id="b" type="password"></form>',
    want: [{ kind: 'signup', username: null, current: 'old', news: ['a', 'b'], otp: [] }],
  },
  {
    name: 'one-time code',
    html: '<form><input id="c" autocomplete="one-time-code" inputmode="numeric"></form>',
    want: [{ kind: 'otp', username: null, current: null, news: [], otp: ['c'] }],
  },
  {
    name: 'split one-time code',
    html: '<form><div>' + [1, 2, 3, 4, 5, 6].map((i) => `<input id="d${i}" maxlength="1" inputmode="numeric">`).join('') + '</div></form>',
    want: [{ kind: 'otp', username: null, current: null, news: [], otp: ['d1', 'd2', 'd3', 'd4', 'd5', 'd6'] }],
  },
  {
    name: 'formless sign-in',
    html: '<div><input id="u" name="user" type="text"><input id="p" type="password"><button>Sign in</button></div>',
    want: [{ kind: 'login', username: 'u', current: 'p', news: [], otp: [] }],
  },
  {
    name: 'open shadow root',
    html: '<div id="host"></div>',
    script: `document.getElementById('host').attachShadow({mode:'open'}).innerHTML = '<form><input id="u" type="email" autocomplete="username"><input id="p" type="password"></form>';`,
    want: [{ kind: 'login', username: 'u', current: 'p', news: [], otp: [] }],
  },
  {
    name: 'hidden fields are not offered',
    html: '<form><input id="u" type="email" autocomplete="username" style="opacity:0"><input id="p" type="password" style="position:absolute;left:-5000px"></form>',
    want: [],
  },
];

let browser;
before(async () => {
  browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    pipe: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
});
after(async () => browser && browser.close());

for (const c of cases) {
  test(`detects: ${c.name}`, async () => {
    const page = await browser.newPage();
    await page.setContent(`<!doctype html><body>${c.html}</body>`);
    if (c.script) await page.evaluate(c.script);
    await page.addScriptTag({ content: DETECT });
    const got = await page.evaluate(() => WWDetect.findGroups(document).map(WWDetect.describe));
    assert.deepEqual(got, c.want);
    await page.close();
  });
}
