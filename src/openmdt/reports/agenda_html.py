"""The agenda as a self-contained, printable HTML page (written by `openmdt triage`)."""

from __future__ import annotations

from jinja2 import Environment, PackageLoader, select_autoescape

from openmdt.engine.agenda import ROUTE_ORDER, ROUTE_TITLES, Agenda

_ENV = Environment(loader=PackageLoader("openmdt.reports", "templates"),
                   autoescape=select_autoescape(["html"]), trim_blocks=True, lstrip_blocks=True)


def render_agenda_html(agenda: Agenda, title: str = "MDT agenda") -> str:
    """The agenda as HTML; every value is escaped."""
    template = _ENV.get_template("agenda.html")
    return template.render(agenda=agenda, title=title, routes=ROUTE_ORDER, titles=ROUTE_TITLES)
