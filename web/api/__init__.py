"""The REST API under /api/v1 (its OpenAPI document is /api/v1/openapi.json)."""

from __future__ import annotations

from web.api.routes import router as api_router

API_DESCRIPTION = """\
The project library of the task force (工作专班) for other systems.

Same names, JSON shapes and error codes as the `parkflow` command (CLI.md): dates are ISO-8601
with the park's offset; lists are JSON arrays, not paged.

**Authentication**: `Authorization: Bearer pf_…` with a personal API token (account page, or
`parkflow token create --by EMAIL`). Every call acts as the token's owner, with their role.

**Errors**: `{"error": {"kind", "field", "message"}}` with 401 (no or bad token), 403 (not
permitted, CLI exit 3), 404 (not found, exit 4), 409 (conflict, exit 5), 422 (invalid input,
exit 2).
"""

__all__ = ["API_DESCRIPTION", "api_router"]
