"""The composition root: the only place that picks real implementations."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine

from db.engine import make_engine
from parkflow.settings import Settings
from workflow.clock import Clock, SystemClock
from workflow.park import Park


@dataclass
class App:
    settings: Settings
    engine: Engine
    park: Park


def build_app(settings: Settings, *, clock: Clock | None = None) -> App:
    """Wire the database, the lifecycle and the clock for one process."""
    engine = make_engine(settings.database_url)
    park = Park.default(tz=settings.zone(), clock=clock or SystemClock())
    return App(settings=settings, engine=engine, park=park)
