"""The web app at `/`: charts and tables for people, built on the public GraphQL API only.

One HTML shell (`routes.py`) serves every page URL; `static/app.js` reads the URL, asks
`/graphql` with persisted queries over GET (as any third-party frontend would) and draws with the
vendored uPlot (`static/`, scripts/vendor_assets.py). docs/webapp.md describes the pages.
"""
