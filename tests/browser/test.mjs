// Browser test: GraphiQL and /explore, served by a running diplograph, in headless
// Chromium with every host but 127.0.0.1 blocked.
// Usage: node test.mjs http://127.0.0.1:PORT SCREENSHOT.png
import { chromium } from 'playwright-core';

const base = process.argv[2];
const shot = process.argv[3] ?? 'explore.png';
if (!base) {
  console.error('usage: node test.mjs BASE_URL [SCREENSHOT]');
  process.exit(2);
}
const fail = (msg) => { console.error(`FAIL ${msg}`); process.exitCode = 1; };

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
    '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1'],
});
const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
const outside = [];
await context.route('**/*', (route) => {
  const url = new URL(route.request().url());
  if (url.hostname === '127.0.0.1' || url.protocol === 'data:' || url.protocol === 'blob:') return route.continue();
  outside.push(route.request().url());
  return route.abort();
});
const page = await context.newPage();
const errors = [];
page.on('pageerror', (e) => errors.push(String(e)));

// GraphiQL: the default tab holds a runnable example.
await page.goto(`${base}/graphql`, { waitUntil: 'networkidle' });
await page.waitForSelector('.graphiql-container', { timeout: 30000 });
// A click that lands before the editor is ready sends nothing: click again, up to three times.
let answer = { failure: 'no answer' };
for (let attempt = 0; attempt < 3 && answer.failure; attempt++) {
  const answered = page.waitForResponse((r) => r.url().endsWith('/graphql') && r.request().method() === 'POST'
    && (r.request().postData() ?? '').includes('meetings'), { timeout: 15000 });
  await page.click('.graphiql-execute-button');
  answer = await answered.then((r) => r.json()).catch((e) => ({ failure: String(e) }));
}
if (answer.errors || !answer.data?.meetings?.edges?.some((e) => e.node.participants.length > 0)) {
  fail(`the example query's answer has no meetings with participants: ${JSON.stringify(answer).slice(0, 400)}`);
}
// The answer lists fields in the query's order, so the first meeting's participants are on
// the first screen of the result pane.
await page.waitForFunction(() => document.body.innerText.includes('Sergey Lavrov') && document.body.innerText.includes('"participants"'), null, { timeout: 30000 })
  .catch(async () => fail(`the result pane did not show meetings with participants: ${
    (await page.locator('.graphiql-response').innerText().catch(() => '')).slice(0, 400)}`));
// The docs pane shows descriptions.
await page.click('[aria-label="Show Documentation Explorer"]').catch(() => {});
await page.locator('.graphiql-doc-explorer-type-name', { hasText: 'Query' }).first().click().catch(() => {});
await page.waitForFunction(() => document.body.innerText.includes('Entry points for reading the graph'), null, { timeout: 15000 })
  .catch(() => fail('the docs pane shows no description of the Query type'));

// Explore: graph, meeting details, timeline.
await page.goto(`${base}/explore`, { waitUntil: 'networkidle' });
await page.waitForSelector('body[data-ready="true"]', { timeout: 30000 }).catch(() => fail('/explore did not load'));
const nodes = await page.evaluate(() => Number(document.body.dataset.graphNodes ?? 0));
if (!(nodes > 5)) fail(`the graph has ${nodes} nodes`);
const dots = await page.locator('#timeline circle.claim').count();
if (dots < 5) fail(`the timeline has ${dots} claims`);
const first = page.locator('#meetings li').first();
await first.click();
await page.waitForFunction(() => document.getElementById('details').innerText.includes('Documents'), null, { timeout: 15000 })
  .catch(() => fail('clicking a meeting shows no documents'));
await page.waitForTimeout(1500);
await page.screenshot({ path: shot, fullPage: false });

if (errors.length) fail(`page errors: ${errors.join('; ')}`);
if (outside.length) fail(`requests left 127.0.0.1: ${outside.join(', ')}`);
await browser.close();
console.log(`browser test: graph ${nodes} nodes, timeline ${dots} claims, ${outside.length} requests outside 127.0.0.1, screenshot ${shot}`);
if (process.exitCode) console.log('browser test: FAILED');
