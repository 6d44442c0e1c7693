"""A report as people read it: titled sections of typed columns, charts and headline figures.

The command's text, the web page, the workbook and the mail all draw this one view, in the
reader's language, with labels from the definition. Cells hold typed values (dates, numbers,
rates) and each number knows the link to the projects behind it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal

from i18n import N_, gettext, ngettext
from i18n.formats import format_day, format_moment, format_number, format_until
from reports.periods import Period
from workflow.labels import Labels
from workflow.park import Park

# "deadline": a moment read as the end of its last day (a midnight is 24:00 of the day before)
ColumnKind = Literal["text", "number", "date", "datetime", "deadline", "rate", "days"]


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    kind: ColumnKind = "text"


@dataclass(frozen=True)
class Row:
    values: dict[str, Any]
    links: dict[str, str] = field(default_factory=dict)  # column key → path in the workspace


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    columns: tuple[Column, ...]
    rows: list[Row]


@dataclass(frozen=True)
class Series:
    name: str
    values: list[float | None]
    kind: Literal["bar", "line"] = "bar"


@dataclass(frozen=True)
class Chart:
    key: str
    title: str
    kind: Literal["bar", "line", "funnel"]
    categories: list[str]
    series: list[Series]
    percent: bool = False  # values are rates 0…1


@dataclass(frozen=True)
class Figure:
    label: str
    value: int
    link: str | None = None


@dataclass(frozen=True)
class View:
    kind: str
    period: Period
    title: str
    as_of: str  # how the figures were counted
    figures: list[Figure]
    sections: list[Section]
    charts: list[Chart]


TITLES = {"weekly": N_("Weekly meeting"), "monthly": N_("Monthly dispatch"),
          "quarterly": N_("Quarterly summary")}


class Presenter:
    """Turns one computed report into its view, in one language."""

    def __init__(self, park: Park, report: Mapping[str, Any], period: Period,
                 lang: str) -> None:
        self.park, self.report, self.period, self.lang = park, report, period, lang
        self.labels = Labels.of(park, lang)
        self.recorded = bool(report.get("as_recorded"))

    def _(self, msgid: str, **params: Any) -> str:
        return gettext(self.lang, msgid, **params)

    def figure_link(self, figure: str) -> str:
        """The workspace list of the projects behind one figure of this report."""
        recorded = "&as_recorded=1" if self.recorded else ""
        return f"/reports/{self.period.kind}/{self.period.key}/projects?figure={figure}{recorded}"

    def view(self) -> View:
        build: dict[str, Callable[[], tuple[list[Figure], list[Section], list[Chart]]]] = {
            "weekly": self._weekly, "monthly": self._monthly, "quarterly": self._quarterly}
        figures, sections, charts = build[self.period.kind]()
        title = self._("%(report)s · %(period)s", report=self._(TITLES[self.period.kind]),
                       period=self.period.label(self.lang))
        return View(self.period.kind, self.period, title, self._as_of(), figures, sections,
                    charts)

    def _as_of(self) -> str:
        """How the figures were counted; for a period still in progress, the moment they
        stand at (the report's cut: now, not the period's end)."""
        counted = self._("As recorded by the end of the period") if self.recorded \
            else self._("Events that occurred in the period, as recorded to date")
        moment = self.report.get("as_of")
        cut = datetime.fromisoformat(moment) if moment else None
        if cut is None or cut >= self.period.end_at(self.park.tz):
            return counted
        as_of = self._("As of %(moment)s (the period is still in progress)",
                       moment=format_moment(cut.astimezone(self.park.tz), self.lang))
        return self._("%(as_of)s · %(counted)s", as_of=as_of, counted=counted)

    # ------------------------------------------------------------ shared pieces

    def _project(self, entry: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
        project_id = entry.get("id", entry.get("project_id"))
        return {"project": entry["name"]}, {"project": f"/projects/{project_id}"}

    def _col(self, key: str, title: str, kind: ColumnKind = "text") -> Column:
        return Column(key, self._(title), kind)

    def _project_rows(self, entries: list[Mapping[str, Any]],
                      extra: Callable[[Mapping[str, Any]], dict[str, Any]]) -> list[Row]:
        rows = []
        for entry in entries:
            values, links = self._project(entry)
            rows.append(Row({**values, **extra(entry)}, links))
        return rows

    def _counted(self, key: str, label: str, counts: Mapping[str, int],
                 title: str, name: Callable[[str], str]) -> Section:
        """A two-column table of labelled counts, each linked to its projects."""
        return Section(key, self._(title), (Column("label", label),
                                            self._col("count", N_("Count"), "number")),
                       [Row({"label": name(k), "count": n},
                            {"count": self.figure_link(f"{key}.{k}")} if n else {})
                        for k, n in counts.items()])

    def _stars(self) -> Section:
        return self._counted("stars", self._("Stars"), self.report["stars"],
                             N_("Stars of the visits"), self._star_label)

    def _star_label(self, stars: str) -> str:
        return "★" * int(stars) if int(stars) else self._("no star")

    @staticmethod
    def _day(text: str | None) -> date | None:
        return date.fromisoformat(text) if text else None

    @staticmethod
    def _moment(text: str) -> datetime:
        return datetime.fromisoformat(text)

    # ------------------------------------------------------------ weekly

    def _weekly(self) -> tuple[list[Figure], list[Section], list[Chart]]:
        r, L = self.report, self.labels
        project = self._col("project", N_("Project"))
        owner = self._col("owner", N_("Owner"))
        sections = [
            Section("intakes", self._("Taken in this week"), (
                project, self._col("category", N_("Category")), owner,
                self._col("intake_date", N_("Intake date"), "date")),
                self._project_rows(r["intakes"], lambda e: {
                    "category": L.category(e["category"]), "owner": e["owner_name"],
                    "intake_date": self._day(e["intake_date"])})),
            Section("visits_due", self._("Visits due in the next 7 days"), (
                project, owner, self._col("due_date", N_("Visit due"), "date")),
                self._project_rows(r["visits_due"], lambda e: {
                    "owner": e["owner_name"], "due_date": self._day(e["due_date"])})),
            Section("visits_overdue", self._("Visits overdue"), (
                project, owner, self._col("due_date", N_("Visit due"), "date"),
                self._col("days_overdue", N_("Days overdue"), "days")),
                self._project_rows(r["visits_overdue"], lambda e: {
                    "owner": e["owner_name"], "due_date": self._day(e["due_date"]),
                    "days_overdue": e["days_overdue"]})),
            Section("overdue", self._("Stages overdue, by owner"), (
                owner, project, self._col("state", N_("Stage")),
                self._col("due_date", N_("Deadline"), "date"),
                self._col("days_overdue", N_("Days overdue"), "days")),
                self._project_rows(r["overdue"], lambda e: {
                    "owner": e["owner_name"], "state": L.state(e["state"]),
                    "due_date": self._day(e["due_date"]), "days_overdue": e["days_overdue"]})),
            Section("follow_ups_due", self._("Star follow-ups due"), (
                project, self._col("stars", N_("Stars")), owner,
                self._col("since", N_("Last visit or follow-up"), "date"),
                self._col("days_since", N_("Days since"), "days")),
                self._project_rows(r["follow_ups_due"], lambda e: {
                    "stars": self._star_label(str(e["stars"])), "owner": e["owner_name"],
                    "since": self._day(e["since"]), "days_since": e["days_since"]})),
            Section("pending_approvals", self._("Approvals pending, oldest first"), (
                self._col("kind", N_("Request")), project,
                self._col("requested_by", N_("Requested by")),
                self._col("submitted_at", N_("Submitted"), "datetime"),
                self._col("due_at", N_("Decision due"), "deadline")),
                [Row({"kind": L.approval_kind(a["kind"]), "project": a["project"],
                      "requested_by": a["requested_by_name"],
                      "submitted_at": self._moment(a["submitted_at"]),
                      "due_at": self._moment(a["due_at"])},
                     {"kind": f"/approvals/{a['id']}",
                      "project": f"/projects/{a['project_id']}"})
                 for a in r["pending_approvals"]]),
            Section("moved", self._("What moved this week"), (
                self._col("occurred_at", N_("When"), "datetime"), project,
                self._col("event", N_("Event")), self._col("actor", N_("By"))),
                self._project_rows(r["moved"], lambda e: {
                    "occurred_at": self._moment(e["occurred_at"]),
                    "event": L.event(e["event"]), "actor": e["actor_name"]})),
        ]
        figures = [Figure(s.title, len(s.rows)) for s in sections if s.key != "moved"]
        by_group: dict[str, int] = {}
        for entry in r["overdue"]:
            label = L.group(entry["group"])
            by_group[label] = by_group.get(label, 0) + 1
        charts = [Chart("overdue_by_group", self._("Overdue by group"), "bar",
                        list(by_group), [Series(self._("Overdue"), list(by_group.values()))])]
        return figures, sections, charts

    # ------------------------------------------------------------ monthly

    def _monthly(self) -> tuple[list[Figure], list[Section], list[Chart]]:
        r, L = self.report, self.labels
        figures = [Figure(self._("New intakes"), r["intakes"], self.figure_link("intakes"))]
        figures += [Figure(L.event(name), n, self.figure_link(f"events.{name}"))
                    for name, n in r["events"].items()]
        stage_cols = ("at_start", "at_end", "entered", "moved_on", "exited")
        stages = Section("stages", self._("Stages: funnel and time spent"), (
            self._col("state", N_("Stage")), self._col("at_start", N_("At the start"), "number"),
            self._col("at_end", N_("At the end"), "number"),
            self._col("entered", N_("Entered"), "number"),
            self._col("moved_on", N_("Moved on"), "number"),
            self._col("exited", N_("Exited"), "number"),
            self._col("days_median", N_("Median days"), "days"),
            self._col("days_p90", N_("90th percentile days"), "days"),
            self._col("allowed", N_("Allowed"))),
            [Row({"state": L.state(s["state"]), **{k: s[k] for k in stage_cols},
                  "days_median": s["days_median"], "days_p90": s["days_p90"],
                  "allowed": self._allowed(s["allowed"])},
                 {k: self.figure_link(f"stages.{s['state']}.{k}") for k in stage_cols if s[k]})
             for s in r["stages"]])
        sections = [stages,
                    self._on_time("on_time.groups", N_("On time, by group"), N_("Group"),
                                  r["on_time"]["groups"], "group", L.group),
                    self._on_time("on_time.owners", N_("On time, by owner"), N_("Owner"),
                                  r["on_time"]["owners"], "owner",
                                  lambda o: self.report_people(o)),
                    self._overdue("overdue_at_end.groups",
                                  N_("Overdue at month end, by group"), N_("Group"),
                                  r["overdue_at_end"]["groups"], "group", L.group),
                    self._overdue("overdue_at_end.owners",
                                  N_("Overdue at month end, by owner"), N_("Owner"),
                                  r["overdue_at_end"]["owners"], "owner",
                                  lambda o: self.report_people(o)),
                    self._counted("exits_by_reason", self._("Reason"), r["exits_by_reason"],
                                  N_("Exits by reason"),
                                  lambda k: L.choice("reason", k, "exit")),
                    self._stars()]
        return figures, sections, self._monthly_charts()

    def report_people(self, email: str) -> str:
        for row in (*self.report["on_time"]["owners"], *self.report["overdue_at_end"]["owners"]):
            if row["owner"] == email:
                return str(row.get("name", email))
        return email

    def _allowed(self, allowed: Mapping[str, Any] | None) -> str:
        if not allowed:
            return ""
        months, days = allowed["months"], allowed["days"]
        amount = ngettext(self.lang, "%(count)s month", "%(count)s months", months,
                          count=months) if months else \
            ngettext(self.lang, "%(count)s day", "%(count)s days", days, count=days)
        return self._("%(amount)s from %(milestone)s", amount=amount,
                      milestone=self.labels.milestone(allowed["from"]))

    def _on_time(self, key: str, title: str, label: str, rows: list[Mapping[str, Any]],
                 name_key: str, name: Callable[[str], str]) -> Section:
        return Section(key, self._(title), (
            self._col("label", label), self._col("left", N_("Stages completed"), "number"),
            self._col("on_time", N_("On time"), "number"), self._col("rate", N_("Rate"), "rate")),
            [Row({"label": name(row[name_key]), "left": row["left"], "on_time": row["on_time"],
                  "rate": row["rate"]},
                 {"left": self.figure_link(f"{key}.{row[name_key]}.left"),
                  **({"on_time": self.figure_link(f"{key}.{row[name_key]}.on_time")}
                     if row["on_time"] else {})})
             for row in rows])

    def _overdue(self, key: str, title: str, label: str, rows: list[Mapping[str, Any]],
                 name_key: str, name: Callable[[str], str]) -> Section:
        return Section(key, self._(title), (self._col("label", label),
                                            self._col("count", N_("Overdue"), "number")),
                       [Row({"label": name(row[name_key]), "count": row["count"]},
                            {"count": self.figure_link(f"{key}.{row[name_key]}")})
                        for row in rows])

    def _monthly_charts(self) -> list[Chart]:
        r, L = self.report, self.labels
        live = [s for s in r["stages"] if not self.park.lifecycle.states[s["state"]].final]
        timed = [s for s in live if s["allowed"]]
        return [
            Chart("funnel", self._("Stage funnel at the month's end"), "funnel",
                  [L.state(s["state"]) for s in live],
                  [Series(self._("Number of projects"), [s["at_end"] for s in live])]),
            Chart("stage_days", self._("Days per stage against the allowed period"), "bar",
                  [L.state(s["state"]) for s in timed],
                  [Series(self._("Median days"), [s["days_median"] for s in timed]),
                   Series(self._("90th percentile days"), [s["days_p90"] for s in timed]),
                   Series(self._("Allowed"), [s["allowed_days"] for s in timed], "line")]),
            Chart("on_time_by_group", self._("On time, by group"), "bar",
                  [L.group(g["group"]) for g in r["on_time"]["groups"]],
                  [Series(self._("Rate"), [g["rate"] for g in r["on_time"]["groups"]])],
                  percent=True),
            Chart("overdue_by_group", self._("Overdue by group"), "bar",
                  [L.group(g["group"]) for g in r["overdue_at_end"]["groups"]],
                  [Series(self._("Overdue"), [g["count"] for g in r["overdue_at_end"]["groups"]])]),
        ]

    # ------------------------------------------------------------ quarterly

    def _quarterly(self) -> tuple[list[Figure], list[Section], list[Chart]]:
        r, L = self.report, self.labels
        figures = [Figure(self._("Projects opened"), r["opened"], self.figure_link("opened"))]
        earlier = r.get("year_earlier")
        if earlier is not None:
            figures.append(Figure(self._("Opened a year earlier"), earlier["opened"],
                                  self.figure_link("year_earlier.opened")))
        states = list(self.park.lifecycle.states)
        sections = [
            Section("opened_projects", self._("Projects opened"), (
                self._col("project", N_("Project")), self._col("category", N_("Category")),
                self._col("owner", N_("Owner")), self._col("opened_on", N_("Opened"), "date"),
                self._col("cycle_days", N_("Days from intake"), "days")),
                self._project_rows(r["opened_projects"], lambda e: {
                    "category": L.category(e["category"]), "owner": e["owner_name"],
                    "opened_on": self._day(e["opened_on"]), "cycle_days": e["cycle_days"]})),
            Section("cycle_days", self._("Days from intake to opening"), (
                self._col("category", N_("Category")), self._col("count", N_("Opened"), "number"),
                self._col("median", N_("Median days"), "days"),
                self._col("p90", N_("90th percentile days"), "days")),
                [Row({"category": L.category(c), **v},
                     {"count": self.figure_link(f"cycle_days.{c}")} if v["count"] else {})
                 for c, v in r["cycle_days"].items()]),
            Section("conversion", self._("Quarter's intakes, converted"), (
                self._col("category", N_("Category")),
                *(Column(s, L.state(s), "number") for s in states)),
                [Row({"category": L.category(c), **counts},
                     {s: self.figure_link(f"conversion.{c}.{s}") for s in states if counts[s]})
                 for c, counts in r["conversion"].items()]),
            Section("on_time_by_month", self._("On time, month by month"), (
                self._col("month", N_("Month")),
                self._col("left", N_("Stages completed"), "number"),
                self._col("on_time", N_("On time"), "number"),
                self._col("rate", N_("Rate"), "rate")),
                [Row({"month": self._month(m["month"]), "left": m["left"],
                      "on_time": m["on_time"], "rate": m["rate"]},
                     {"left": self.figure_link(f"on_time_by_month.{m['month']}.all.left")}
                     if m["left"] else {})
                 for m in r["on_time_by_month"]]),
            self._stars(),
        ]
        if r.get("indicators"):
            sections.append(self._figures(r["indicators"]))
        charts = [
            Chart("on_time_trend", self._("On time, month by month"), "line",
                  [self._month(m["month"]) for m in r["on_time_by_month"]],
                  [Series(self._("Rate"), [m["rate"] for m in r["on_time_by_month"]], "line")],
                  percent=True),
            Chart("conversion", self._("Quarter's intakes, converted"), "bar",
                  [L.state(s) for s in states if not self.park.lifecycle.states[s].final],
                  [Series(L.category(c), [counts[s] for s in states
                                          if not self.park.lifecycle.states[s].final])
                   for c, counts in r["conversion"].items()]),
            Chart("cycle_days", self._("Days from intake to opening"), "bar",
                  [L.category(c) for c in r["cycle_days"]],
                  [Series(self._("Median days"), [v["median"] for v in r["cycle_days"].values()]),
                   Series(self._("90th percentile days"),
                          [v["p90"] for v in r["cycle_days"].values()])]),
        ]
        return figures, sections, charts

    def _figures(self, entries: list[Mapping[str, Any]]) -> Section:
        """经营指标: each opened project's latest quarter of figures."""
        spec = self.park.lifecycle.events["indicators"]
        names = [n for n, f in spec.fields.items() if f.type in ("number", "count")]
        return Section("indicators", self._("Latest figures of the opened projects"), (
            self._col("project", N_("Project")),
            Column("quarter", self.labels.field("quarter", "indicators")),
            *(Column(n, self.labels.field(n, "indicators"), "number") for n in names)),
            self._project_rows(entries, lambda e: {"quarter": e.get("quarter"),
                                                   **{n: e.get(n) for n in names}}))

    def _month(self, key: str) -> str:
        year, month = key.split("-")
        return Period("monthly", date(int(year), int(month), 1),
                      date(int(year), int(month), 1)).label(self.lang)


def present(park: Park, report: Mapping[str, Any], period: Period, lang: str) -> View:
    return Presenter(park, report, period, lang).view()


def format_cell(value: Any, kind: ColumnKind, lang: str) -> str:
    """A cell as text for a person: dates and numbers in their language, rates in %."""
    if value is None or value == "":
        return "—" if kind in ("rate", "days") else ""
    if kind == "date":
        return format_day(value, lang)
    if kind == "datetime":
        return format_moment(value, lang)
    if kind == "deadline":
        return format_until(value, lang)
    if kind == "rate":
        return f"{format_number(round(value * 100, 1), lang)}%"
    if kind in ("number", "days"):
        return format_number(value, lang)
    return str(value)
