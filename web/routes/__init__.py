"""The pages, one module per resource; every unsafe request carries the CSRF token."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from web.deps import csrf_protect
from web.routes import (
    account,
    admin,
    auth,
    board,
    health,
    home,
    inbox,
    ledger,
    messages,
    projects,
    reports,
    space,
)

page_router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_protect)])
for module in (auth, board, home, projects, inbox, space, reports, admin, ledger, account,
               messages):
    page_router.include_router(module.router)
page_router.include_router(health.router)
