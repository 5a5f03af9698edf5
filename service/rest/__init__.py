"""The partner REST API: /v1 routes, /openapi.json and /docs (`rest_routes()` for the app)."""

from __future__ import annotations

from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles


def rest_routes() -> list[BaseRoute]:
    """The routes of /v1, the OpenAPI document and its Swagger UI page (GET only: other methods
    are 405 with `Allow`)."""
    from service.rest.docs import STATIC, docs_page
    from service.rest.openapi import openapi_endpoint
    from service.rest.routes import OPERATIONS

    routes: list[BaseRoute] = [
        Route(op.path, op.endpoint, methods=["GET"], name=op.operation_id) for op in OPERATIONS
    ]
    routes += [
        Route("/openapi.json", openapi_endpoint, methods=["GET"]),
        Route("/docs", docs_page, methods=["GET"]),
        Mount(STATIC, StaticFiles(packages=[("service.rest", "static")]), name="rest-static"),
    ]
    return routes
