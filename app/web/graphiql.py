"""GraphiQL (development only), served with all its assets by the service itself (issue 15.4).

It works without internet, and no request of the page leaves the service's origin: its
Content-Security-Policy tells the browser so as well. The assets are pinned npm releases,
vendored with their licences under `app/static/vendor` (`make vendor` fetches them again); the
page names each with its sha384 hash, so a browser refuses a file that differs from the release.
`app/static/graphiql/graphiql.js` starts GraphiQL: queries and mutations over HTTP, subscriptions
over graphql-transport-ws with the Headers tab as `connection_init` payload, and a refused
connection shown with its close code and reason instead of retried blind.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from starlette.middleware.gzip import GZipMiddleware
from starlette.responses import HTMLResponse
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

STATIC = Path(__file__).parent.parent / "static"  # app/static: package data (pyproject.toml)

# Path under static/vendor -> its Subresource Integrity hash: the files as published on npm.
VENDOR = {
    "react@18.2.0/react.production.min.js": (
        "sha384-tMH8h3BGESGckSAVGZ82T9n90ztNXxvdwvdM6UoR56cYcf+0iGXBliJ29D+wZ/x8"
    ),
    "react-dom@18.2.0/react-dom.production.min.js": (
        "sha384-bm7MnzvK++ykSwVJ2tynSE5TRdN+xL418osEVF2DE/L/gfWHj91J2Sphe582B1Bh"
    ),
    "graphiql@3.8.3/graphiql.min.js": (
        "sha384-HbRVEFG0JGJZeAHCJ9Xm2+tpknBQ7QZmNlO/DgZtkZ0aJSypT96YYGRNod99l9Ie"
    ),
    "graphiql@3.8.3/graphiql.min.css": (
        "sha384-Mq3vbRBY71jfjQAt/DcjxUIYY33ksal4cgdRt9U/hNPvHBCaT2JfJ/PTRiPKf0aM"
    ),
    "graphiql-plugin-explorer@1.0.2/index.umd.js": (
        "sha384-2oonKe47vfHIZnmB6ZZ10vl7T0Y+qrHQF2cmNTaFDuPshpKqpUMGMc9jgj9MLDZ9"
    ),
    "graphiql-plugin-explorer@1.0.2/style.css": (
        "sha384-5DFJlDPW2tSATRbM8kzoP1j194jexLswuNmClWoRr2Q0x7R68JIQzPHZ02Faktwi"
    ),
    "graphql-ws@6.4.2/graphql-ws.min.js": (
        "sha384-mxvR4Mzbsb6QVx/9xI2gtQikQA6m8zMDBFnu3l//4/ROsWt7y2sUGWd+/tYQqDm7"
    ),
}

# Everything from the page's own origin ('self' covers its ws:// and wss:// too). GraphiQL sets
# inline styles (the editors), and its fonts are data: URLs inside its stylesheet.
CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    ]
)

# The page is at /graphql: relative links keep working behind a proxy that adds a path prefix.
_ICON = (
    "data:image/svg+xml,<svg xmlns=%22http://www.w3.org/2000/svg%22 viewBox=%220 0 100 100%22>"
    "<text y=%22.9em%22 font-size=%2290%22>%E2%9A%99</text></svg>"
)


def _tag(path: str) -> str:
    url, integrity = escape(f"static/vendor/{path}"), escape(VENDOR[path])
    if path.endswith(".css"):
        return f'<link rel="stylesheet" href="{url}" integrity="{integrity}">'
    return f'<script src="{url}" integrity="{integrity}"></script>'


def _page() -> str:
    styles = [p for p in VENDOR if p.endswith(".css")]
    scripts = [p for p in VENDOR if p.endswith(".js")]
    return "\n".join(
        [
            "<!doctype html>",
            '<html lang="en">',
            "<head>",
            '<meta charset="utf-8">',
            "<title>loketflow GraphiQL</title>",
            f'<link rel="icon" href="{_ICON}">',
            *(_tag(p) for p in styles),
            '<link rel="stylesheet" href="static/graphiql/graphiql.css">',
            "</head>",
            "<body>",
            '<div id="graphiql">Loading...</div>',
            *(_tag(p) for p in scripts),
            '<script src="static/graphiql/graphiql.js"></script>',
            "</body>",
            "</html>",
        ]
    )


PAGE = _page()


def graphiql_page() -> HTMLResponse:
    return HTMLResponse(PAGE, headers={"Content-Security-Policy": CSP})


def graphiql_assets() -> Mount:
    """GraphiQL's assets at /static (compressed: GraphiQL alone is 3.5 MB)."""
    return Mount("/static", app=GZipMiddleware(StaticFiles(directory=STATIC)), name="static")
