"""The web workspace: pages for people (Jinja + htmx) and the REST API under /api/v1."""
