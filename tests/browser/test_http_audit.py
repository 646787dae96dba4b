"""GraphQL over HTTP as the specification asks (issue 15.5): graphql-http's server audit
(tests/browser/audit.mjs, run by Node.js) finds no error and no warning in the live service.

Needs `node` and tests/browser/node_modules (`make test` runs `npm ci` there); without them the
test is skipped, except in CI, where it fails.
"""

from __future__ import annotations

import asyncio
import json
import shutil
from pathlib import Path

from tests.api.live import free_port
from tests.browser.conftest import unavailable
from tests.browser.servers import service

HERE = Path(__file__).parent


def require_node() -> str:
    node = shutil.which("node")
    if node is None:
        unavailable("Node.js is not installed (apt-get install nodejs)")
    if not (HERE / "node_modules" / "graphql-http").is_dir():
        unavailable("graphql-http is not installed (npm ci --prefix tests/browser)")
    return node


async def test_the_graphql_over_http_audit_finds_nothing(settings, db):
    node = require_node()
    async with service(settings, free_port()) as base:
        audit = await asyncio.create_subprocess_exec(
            node, "audit.mjs", f"{base}/graphql", cwd=HERE,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        out, err = await asyncio.wait_for(audit.communicate(), 120)
    assert audit.returncode == 0, err.decode()
    results = [json.loads(line) for line in out.decode().splitlines()]
    assert len(results) > 50  # the whole audit ran (61 audits in graphql-http 1.23)
    findings = [r for r in results if r["status"] != "ok"]
    assert findings == []
