// The GraphQL-over-HTTP audit of graphql-http against a running service:
// `node audit.mjs http://127.0.0.1:8000/graphql` prints one JSON line per audit
// ({id, name, status: "ok" | "warn" | "error", reason}) and exits 0 (test_http_audit.py judges).
import { auditServer } from "graphql-http";

const url = process.argv[2];
for (const result of await auditServer({ url })) {
  const { id, name, status } = result;
  console.log(JSON.stringify({ id, name, status, reason: result.reason ?? null }));
}
