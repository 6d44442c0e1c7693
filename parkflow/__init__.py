"""parkflow: the composition root (settings, wiring) and the `parkflow` command."""
