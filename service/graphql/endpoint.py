"""`/graphql` over HTTP: POST (JSON body) and GET (query string)."""

from __future__ import annotations

from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response
from strawberry.types.graphql import OperationType

from service.errors import ShortflowError
from service.graphql.context import Context
from service.graphql.schema import schema
from service.state import services
from service.web import JSONResponse, error_response, retry_headers


async def graphql_endpoint(request: Request) -> Response:
    if request.method == "GET":
        params: dict[str, Any] = dict(request.query_params)
        allowed = {OperationType.QUERY}
    else:
        try:
            params = orjson.loads(await request.body())
        except orjson.JSONDecodeError:
            return error_response(400, "BAD_REQUEST", "the body is not valid JSON")
        allowed = {OperationType.QUERY, OperationType.MUTATION}
    if not isinstance(params, dict) or not isinstance(params.get("query"), str):
        return error_response(400, "BAD_REQUEST", "a GraphQL request needs a `query` string")
    variables = params.get("variables")
    if isinstance(variables, str):
        variables = orjson.loads(variables) if variables else None
    result = await schema.execute(
        params["query"],
        variable_values=variables,
        operation_name=params.get("operationName"),
        context_value=Context.create(services(request)),
        allowed_operation_types=allowed,
    )
    body: dict[str, Any] = {"data": result.data}
    status, headers = 200, {}
    if result.errors:
        body["errors"] = []
        for error in result.errors:
            formatted = dict(error.formatted)
            original = error.original_error
            if isinstance(original, ShortflowError):
                formatted["message"] = original.message
                formatted["extensions"] = {"code": original.code}
                if original.status == 503:
                    status = 503
                    headers = retry_headers(original, services(request).settings.retry_after_s)
            body["errors"].append(formatted)
    return JSONResponse(body, status, headers=headers)
