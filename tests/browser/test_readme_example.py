"""The README's browser client ("For frontend developers") is the one the browser tests run."""

from __future__ import annotations

from pathlib import Path

from tests.browser.servers import PAGES

README = Path(__file__).parents[2] / "README.md"


def test_the_readme_shows_the_client_the_browser_tests_run():
    client = (PAGES / "loketflow.js").read_text()
    example = client[client.index("// apiUrl:") :].rstrip("\n")
    assert f"```js\n{example}\n```" in README.read_text()
