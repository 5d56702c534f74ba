"""How long one large import holds the SQLite write lock (what every other writer waits).

A 5,000-case synthetic list is imported with the service function into a meeting on a
temporary SQLite file, while a probe thread keeps starting and ending write transactions
(`BEGIN IMMEDIATE; ROLLBACK`) on its own connection. The longest a probe waited is the
longest stretch the import held the write lock. The result line is written to
bench/RESULTS.md between the `import-lock` markers.

    .venv/bin/python bench/import_lock.py [--cases 5000]
"""

from __future__ import annotations

import argparse
import json
import re
import sqlite3
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path

RESULTS = Path(__file__).with_name("RESULTS.md")
START, END = "<!-- import-lock:start -->", "<!-- import-lock:end -->"


def _probe(path: Path, stop: threading.Event, waits: list[float]) -> None:
    connection = sqlite3.connect(path, timeout=120, isolation_level=None)
    while not stop.is_set():
        started = time.perf_counter()
        connection.execute("BEGIN IMMEDIATE")
        waits.append(time.perf_counter() - started)
        connection.execute("ROLLBACK")
        time.sleep(0.002)
    connection.close()


def _setup(url: str):
    from openmdt.accounts import create_user, get_or_create_organisation
    from openmdt.meetings import create_meeting
    from openmdt.store.database import make_engine, make_sessionmaker, upgrade_database

    engine = make_engine(url)
    upgrade_database(url, engine=engine)
    db = make_sessionmaker(engine)()
    organisation = get_or_create_organisation(db, "Bench Trust")
    user = create_user(db, organisation=organisation, email="bench@example.nhs.uk",
                       role="coordinator", password=None)
    db.commit()
    meeting = create_meeting(db, acting_user=user, meeting_date=date(2026, 12, 1),
                             mdt_type="1201", site_code="RB1", pack_id="prostate-nice-ng131")
    return engine, db, user, meeting.id


def measure(cases: int) -> dict[str, float]:
    from openmdt.meetings import import_cases
    from openmdt.synth import generate_prostate_list

    text = "\n".join(json.dumps(c, default=str) for c in generate_prostate_list(cases, seed=3))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.db"
        engine, db, user, meeting_id = _setup(f"sqlite:///{path}")
        stop, waits = threading.Event(), []
        probe = threading.Thread(target=_probe, args=(path, stop, waits))
        probe.start()
        started = time.perf_counter()
        import_cases(db, meeting_id, text, "jsonl", acting_user=user, source="bench")
        total = time.perf_counter() - started
        stop.set()
        probe.join()
        db.close()
        engine.dispose()
    return {"cases": cases, "import_s": total, "longest_lock_s": max(waits),
            "probes": len(waits)}


def _write(result: dict[str, float]) -> str:
    line = (f"Import of {result['cases']:,} synthetic cases on SQLite "
            f"({date.today().isoformat()}, `bench/import_lock.py`): the import took "
            f"{result['import_s']:.1f} s; the longest another writer waited (the longest write "
            f"lock the import held) was {result['longest_lock_s']:.2f} s "
            f"({result['probes']:,} probe transactions).")
    block = f"{START}\n## Write lock held by an import\n\n{line}\n{END}"
    text = RESULTS.read_text(encoding="utf-8")
    if START in text:
        text = re.sub(re.escape(START) + ".*?" + re.escape(END), lambda _m: block, text,
                      flags=re.S)
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    RESULTS.write_text(text, encoding="utf-8")
    return line


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=5000)
    parser.add_argument("--no-write", action="store_true", help="Print only.")
    options = parser.parse_args(argv)
    result = measure(options.cases)
    print(json.dumps(result))
    if not options.no_write:
        print(_write(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
