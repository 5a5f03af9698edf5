// Audits a running Shortflow's /graphql against the GraphQL-over-HTTP specification with the
// reference suite (graphql-http). Usage: node audit.mjs http://127.0.0.1:8000/graphql
// Prints every result; exits 1 on any error or warning (tests/graphql/test_http_audit.py runs it).
import { auditServer } from "graphql-http";

const url = process.argv[2];
if (!url) {
  console.error("usage: node audit.mjs URL");
  process.exit(2);
}
const results = await auditServer({ url });
let bad = 0;
for (const result of results) {
  const line = `${result.status.toUpperCase().padEnd(7)} ${result.id} ${result.name}`;
  if (result.status !== "ok") {
    bad += 1;
    console.log(`${line}\n        ${result.reason}`);
  } else {
    console.log(line);
  }
}
const counts = results.reduce((acc, r) => ({ ...acc, [r.status]: (acc[r.status] || 0) + 1 }), {});
console.log(JSON.stringify(counts));
process.exit(bad ? 1 : 0);
