"""The parkflow benchmark: not a timed test. `make bench` runs every module through
`python -m bench.results`, which writes one table to bench/RESULTS.md; `python -m bench` alone
is the event, query and memory part described here.

Every figure is measured in one run on this machine next to a baseline that does the same
work without parkflow (raw `sqlite3`, a bare interpreter), so a slow disk or CPU moves both:

- events per second through `workflow.projects.advance` (one transaction per event, with its
  history row) vs a raw `sqlite3` loop doing the same SELECT, INSERT, compare-and-set UPDATE
  and COMMIT on the same schema with the same pragmas; p50/p95 latency per event;
- the overdue query over 100,000 projects (`workflow.views.list_projects(overdue=True)`) vs
  the same SQL in raw `sqlite3`, and the whole `parkflow project list --overdue --json` command
  vs `python -c pass`;
- peak resident memory of a process that holds the board of 10,000 projects vs a bare
  interpreter.

Databases live in a temporary directory that is removed at the end.
"""
