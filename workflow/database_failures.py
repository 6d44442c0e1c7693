"""A database that cannot be reached or was never initialised, as the engine's errors.

db.failures tells why from the driver's exception (a reason, no sentence); this names the
database by its address with the password left out (host:port/database, or the SQLite
file) and gives each reason its code, whose sentence is in the catalogue
(workflow.error_text). The command, the scheduler and the web's log all say it this way.
"""

from __future__ import annotations

from sqlalchemy.engine import URL, make_url

from db.failures import missing_table, unreachable
from workflow.errors import Unavailable, ValidationError, WorkflowError

_CODES = {"no_server": "db_no_server", "unknown_host": "db_unknown_host",
          "no_database": "db_no_database", "no_role": "db_no_role",
          "authentication": "db_authentication", "cannot_open": "db_cannot_open",
          "lost": "db_connection_lost", "cannot_connect": "db_cannot_connect"}


def database_failure(exc: BaseException, url: str | URL, *,
                     initialising: bool = False) -> WorkflowError | None:
    """The error that says why the database at `url` failed, or None for any other failure.

    A database that answers but lacks the tables is "not initialised (run parkflow init)",
    except while `initialising`: `parkflow init` never advises running itself."""
    url = make_url(url)
    why = unreachable(exc)
    if why is not None:
        reason, params = why
        return Unavailable(_CODES[reason], field="database", database=where(url),
                           user=url.username or "", **params)
    if missing_table(exc) and not initialising:
        return ValidationError("not_initialised", field="database", value=shown(url))
    return None


def where(url: URL) -> str:
    """The database's address without user or password: host:port/database, or its file."""
    if url.get_backend_name() == "sqlite":
        return url.database or ":memory:"
    return f"{url.host or 'localhost'}:{url.port or 5432}/{url.database or ''}"


def shown(url: URL) -> str:
    """The URL as it may be shown: the scheme as written, the password as ***."""
    return url.set(drivername=url.get_backend_name()).render_as_string(hide_password=True)
