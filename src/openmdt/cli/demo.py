"""`openmdt demo`: the main job on bundled synthetic data, end to end.

It writes a synthetic 90-patient MDT list (prostate by default, or breast with --site breast),
triages it with that site's pack, prints the agenda and writes it as HTML; then it loads the
demo meetings into the embedded SQLite database and serves the web app.
"""

from __future__ import annotations

import io
import socket
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from openmdt.cases import read_cases
from openmdt.cli.cases import _print_agenda
from openmdt.engine.agenda import build_agenda
from openmdt.engine.batch import evaluate_records
from openmdt.knowledge import pack_for_site
from openmdt.reports.agenda_html import render_agenda_html

out = Console(highlight=False, soft_wrap=True)
DEMO_DATE = date(2026, 11, 27)


class DemoSite(StrEnum):
    """Tumour sites the demo can run (each has a shipped pack and a synthetic list)."""

    prostate = "prostate"
    breast = "breast"


def write_demo_list(folder: Path, n: int, seed: int, site: str = "prostate") -> Path:
    """The synthetic meeting list of ``site`` as CSV in ``folder``; returns its path."""
    from openmdt.synth import write_csv
    from openmdt.synth.sites import synthetic_site

    generator = synthetic_site(site)
    buffer = io.StringIO()
    write_csv(generator.cases(n, seed, DEMO_DATE), buffer, generator.fact_names)
    path = folder / f"{site}-mdt-{n}.csv"
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def triage_demo_list(list_path: Path, folder: Path, site: str = "prostate") -> Path:
    """Triage the list with the site's pack, print the agenda, write it as HTML; returns the
    HTML path. Every case of the list names its site, so a case of another site is refused
    (site_mismatch), never read with this pack."""
    records = read_cases(list_path.read_text(encoding="utf-8"), "csv", source=str(list_path))
    agenda = build_agenda(evaluate_records(records, pack_for_site(site), DEMO_DATE))
    _print_agenda(agenda)
    html_path = folder / "agenda.html"
    html_path.write_text(render_agenda_html(agenda, f"Synthetic {site} MDT - agenda"),
                         encoding="utf-8")
    return html_path


def port_is_free(host: str, port: int) -> bool:
    """Whether nothing listens on host:port (checked before any credentials are printed)."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET,
                       socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def _serve(host: str, port: int) -> None:
    from openmdt.cli.server import create_demo, print_demo, serve_command
    from openmdt.cli.support import Exit, err_console

    if not port_is_free(host, port):
        err_console.print(f"[red]Port {port} on {host} is in use by another program.[/red] "
                          "Stop it, or choose another port: make demo PORT=8001 "
                          "(openmdt demo --port 8001).")
        raise typer.Exit(Exit.BAD_INPUT)
    details = create_demo(None)
    out.print("\n[bold]Demo organisation and users[/bold] (synthetic; for local use only)")
    print_demo(details)
    out.print(f"\nSign in at http://{host}:{port}/login and open meeting "
              f"{details['meeting_id']}. Press Ctrl+C to stop.")
    serve_command(host=host, port=port, forwarded_allow_ips="")


def demo_command(
    output_dir: Annotated[Path, typer.Option("--output-dir", help="Where to write the list "
                                             "and the HTML agenda.")] = Path("out"),
    n: Annotated[int, typer.Option("--n", min=1, help="Number of synthetic cases.")] = 90,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the synthetic list.")] = 7,
    serve: Annotated[bool, typer.Option("--serve/--no-serve", help="Load the list into the demo "
                                        "database and serve the web app.")] = True,
    host: Annotated[str, typer.Option("--host", help="Address to serve on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to serve on.")] = 8000,
    site: Annotated[DemoSite, typer.Option("--site", help="Tumour site of the synthetic "
                                           "list: prostate or breast.")] = DemoSite.prostate,
) -> None:
    """Run the main job on bundled synthetic data: list, triage, agenda, web app."""
    output_dir.mkdir(parents=True, exist_ok=True)
    list_path = write_demo_list(output_dir, n, seed, site.value)
    out.print(f"Synthetic {site.value} MDT list ({n} patients, seed {seed}): {list_path}")
    html_path = triage_demo_list(list_path, output_dir, site.value)
    out.print(f"HTML agenda: {html_path}")
    if serve:
        _serve(host, port)
