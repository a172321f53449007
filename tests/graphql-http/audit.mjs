// Runs graphql-http's server audits against a running diplograph server.
// Usage: node audit.mjs http://127.0.0.1:PORT/graphql
// Exits non-zero when any MUST audit fails; prints every audit's result.
import { serverAudits } from 'graphql-http';

const url = process.argv[2];
if (!url) {
  console.error('usage: node audit.mjs URL');
  process.exit(2);
}
let mustFailed = 0;
let passed = 0;
let warned = 0;
for (const audit of serverAudits({ url, fetchFn: fetch })) {
  const result = await audit.fn();
  if (result.status === 'ok') {
    passed += 1;
  } else if (audit.name.startsWith('MUST')) {
    mustFailed += 1;
    console.log(`FAIL ${audit.name}: ${result.reason}`);
  } else {
    warned += 1;
    console.log(`warn ${audit.name}: ${result.reason}`);
  }
}
console.log(`graphql-http audits: ${passed} passed, ${mustFailed} failed, ${warned} warnings`);
process.exit(mustFailed === 0 ? 0 : 1);
