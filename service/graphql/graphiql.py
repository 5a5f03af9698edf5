"""GraphiQL, served from the package's own static files (no CDN: deployments may be air-gapped).

The assets are vendored from npm by scripts/vendor_assets.py (versions and hashes in
static/VENDORED.json); the page opens with an example query.
"""

from __future__ import annotations

from functools import cache

STATIC = "/graphql/static"

EXAMPLE_QUERY = """# Welcome to Shortflow: US short interest and ETF fund flows.
# Press the run button (or Ctrl-Enter). The Docs pane on the left explains every field.

query IWM {
  security(symbol: "IWM") {
    symbol
    name
    type
    latestShortInterest {
      settlementDate
      publishedDate
      shortInterest
      changePercent
      daysToCover
      shortPercentOfFloat
      shortValueUsd
      flags
    }
    fundFlows(period: WEEK, from: "2026-01-01") {
      periodEnd
      flowUsd
      isRecordOutflow
    }
  }
  settlementCalendar(year: 2026) {
    settlementDate
    publicationDate
  }
}
"""


@cache
def graphiql_page() -> str:
    import json

    query = json.dumps(EXAMPLE_QUERY)
    return f"""<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Shortflow GraphiQL</title>
  <link rel="icon" href="data:,">
  <link rel="stylesheet" href="{STATIC}/graphiql.min.css">
  <style>html, body, #graphiql {{ height: 100%; margin: 0; }}</style>
</head>
<body>
  <div id="graphiql" data-endpoint="/graphql" data-query='{_attr(query)}'>Loading GraphiQL...</div>
  <script src="{STATIC}/react.production.min.js"></script>
  <script src="{STATIC}/react-dom.production.min.js"></script>
  <script src="{STATIC}/graphiql.min.js"></script>
  <script src="{STATIC}/graphiql-init.js"></script>
</body>
</html>
"""


def _attr(text: str) -> str:
    return text.replace("&", "&amp;").replace("'", "&#39;").replace("<", "&lt;")
