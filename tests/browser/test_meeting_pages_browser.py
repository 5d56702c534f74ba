"""Browser tests of the meeting pages: attendance and quoracy, agenda filters and print,
the chair view, list management and the CSV template (issue 10)."""

from __future__ import annotations

import io
from itertools import count
from pathlib import Path

from playwright.sync_api import Page, expect

from openmdt.synth import generate_prostate_list, write_csv

SHOTS = Path("/tmp/openmdt-meeting-pages")
_days = count(1)


def _list_file(folder: Path, n: int = 12, seed: int = 11) -> Path:
    stream = io.StringIO()
    write_csv(generate_prostate_list(n, seed=seed), stream)
    path = folder / "list.csv"
    path.write_text(stream.getvalue(), encoding="utf-8")
    return path


def _meeting(page: Page, live_server, folder: Path, *, n: int = 12,
             day: int | None = None) -> str:
    """Create a meeting (a new date each time) and import a list; returns the agenda URL."""
    page.goto(f"{live_server.url}/meetings")
    page.get_by_label("Meeting date").fill(f"2027-01-{day or next(_days):02d}")
    page.get_by_label("MDT type").select_option("1201")
    page.get_by_label("Site code").fill("RXX01")
    page.get_by_label("Knowledge pack").select_option("prostate-nice-ng131")
    page.get_by_role("button", name="Create meeting").click()
    expect(page.get_by_role("status")).to_contain_text("Meeting created")
    if n:
        page.get_by_label("Meeting list file").set_input_files(str(_list_file(folder, n)))
        page.get_by_role("button", name="Import list").click()
        expect(page.get_by_role("status")).to_contain_text("imported")
    return page.url.split("?")[0].split("#")[0]


def _shot(page: Page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_attendance_from_core_members_with_quoracy(browser, live_server, sign_in,
                                                   tmp_path: Path) -> None:
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    sign_in(page, "coordinator")
    agenda = _meeting(page, live_server, tmp_path, n=3)
    form = page.locator("#attendance-form")
    people = [("Dr Ash", "Consultant urologist", "Present"),
              ("Dr Birch", "Clinical oncologist", "Remote"),
              ("Dr Cedar", "Radiologist", "Absent")]
    for index, (name, role, status) in enumerate(people):
        form.get_by_label(f"Name of attendee {index + 1}", exact=True).fill(name)
        form.get_by_label(f"Professional role of attendee {index + 1}",
                          exact=True).select_option(label=role)
        form.locator(f"#status_{index}-{status.lower()}").check()
        form.get_by_label(f"Core member (attendee {index + 1})").check()
    form.get_by_role("button", name="Save attendance").click()
    expect(page.get_by_role("status")).to_contain_text("Attendance saved")
    quoracy = page.locator("#quoracy")
    expect(quoracy).to_contain_text("Not quorate")
    expect(quoracy).to_contain_text("Radiologist")  # absent, so missing
    expect(page.locator("#quorum-policy")).to_contain_text("Local policy")
    expect(page.locator("#attendance-record")).to_contain_text("Remote (video or phone)")

    # The next meeting of the same type offers the three as core members.
    _meeting(page, live_server, tmp_path, n=0)
    form = page.locator("#attendance-form")
    for name in ("Dr Ash", "Dr Birch", "Dr Cedar"):
        expect(form).to_contain_text(name)
    _shot(page, "attendance-core-members")
    page.goto(agenda)
    _shot(page, "attendance-recorded")


def test_agenda_filters_search_and_one_page_per_patient_print(browser, live_server, sign_in,
                                                              tmp_path: Path) -> None:
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    sign_in(page, "coordinator")
    agenda = _meeting(page, live_server, tmp_path, n=16)
    every = page.locator("tr.agenda-row").count()
    page.get_by_label("Route").select_option(label="Full discussion")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.locator("#filter-status")).to_contain_text(f"of {every} patients")
    assert page.locator("#not-ready tr.agenda-row").count() == 0
    shown = page.locator("tr.agenda-row").count()
    assert 0 < shown < every
    _shot(page, "agenda-filtered")

    page.goto(agenda)
    options = page.locator("#filter-f_cpg option")
    assert options.count() >= 2  # "Any" and at least one group
    page.get_by_label("Cambridge Prognostic Group").select_option(index=1)
    page.get_by_role("button", name="Apply filters").click()
    group = page.locator("#filter-f_cpg option:checked").inner_text()
    for row in page.locator("tr.agenda-row").all():
        expect(row).to_contain_text(f"CPG {group}")

    page.goto(agenda)
    first_ref = page.locator(".patient-ref").first.inner_text().split(" - ")[0]
    page.get_by_label("Name, case reference or NHS number").fill(first_ref)
    page.get_by_role("button", name="Apply filters").click()
    assert page.locator("tr.agenda-row").count() == 1

    page.goto(agenda)
    page.get_by_role("link", name="Print one page per patient").click()
    pages = page.locator("article.patient-page")
    assert pages.count() == every
    _shot(page, "print-screen")
    page.emulate_media(media="print")
    breaks = pages.first.evaluate("e => getComputedStyle(e).breakAfter")
    assert breaks == "page"
    assert page.locator(".site-header").is_hidden()
    _shot(page, "print-media")


def test_chair_view_keyboard_steps_and_now_discussing_on_other_agendas(
        browser, live_server, sign_in, tmp_path: Path) -> None:
    chair = browser.new_context(viewport={"width": 1920, "height": 1080}).new_page()
    sign_in(chair, "chair")
    agenda = _meeting(chair, live_server, tmp_path, n=6)
    chair.get_by_role("link", name="Chair view").click()
    expect(chair.locator(".chair-nav__place")).to_contain_text("Patient 1 of 6")
    first_name = chair.locator("#chair-patient").inner_text()
    chair.keyboard.press("ArrowRight")
    expect(chair.locator(".chair-nav__place")).to_contain_text("Patient 2 of 6")
    expect(chair.locator("#now-discussing-tag")).to_be_visible()
    second_name = chair.locator("#chair-patient").inner_text().split(". ", 1)[1]
    _shot(chair, "chair-view")

    # Arrow keys while typing the rationale stay in the field.
    rationale = chair.get_by_label("Rationale")
    if not rationale.is_visible():
        chair.locator("#outcome summary").click()
    rationale.fill("Typing")
    rationale.press("ArrowLeft")
    expect(chair.locator(".chair-nav__place")).to_contain_text("Patient 2 of 6")

    coordinator = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    sign_in(coordinator, "coordinator")
    coordinator.goto(agenda)
    expect(coordinator.locator("#now-discussing")).to_contain_text(second_name)
    expect(coordinator.locator("tr.now-discussing-row")).to_contain_text(second_name)
    _shot(coordinator, "agenda-now-discussing")

    chair.locator("body").click(position={"x": 5, "y": 300})
    chair.keyboard.press("ArrowLeft")
    expect(chair.locator("#chair-patient")).to_have_text(first_name)
    # the open agenda follows the chair by itself (it polls), without a reload
    first = first_name.split(". ", 1)[1]
    expect(coordinator.locator("#now-discussing")).to_contain_text(first, timeout=15_000)
    expect(coordinator.locator("tr.now-discussing-row")).to_have_count(1)
    expect(coordinator.locator("tr.now-discussing-row")).to_contain_text(first)
    expect(coordinator.locator(".now-discussing__follow")).to_be_hidden()  # no need to reload
    _shot(coordinator, "agenda-followed-the-chair")


def test_chair_view_works_without_javascript(browser, live_server, sign_in,
                                             tmp_path: Path) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    sign_in(page, "chair")
    _meeting(page, live_server, tmp_path, n=3)
    page.get_by_role("link", name="Chair view").click()
    page.get_by_role("button", name="Next patient").click()
    expect(page.locator(".chair-nav__place")).to_contain_text("Patient 2 of 3")
    page.get_by_role("button", name="Previous patient").click()
    expect(page.locator(".chair-nav__place")).to_contain_text("Patient 1 of 3")


def test_list_management_late_patient_remove_move_and_reorder(browser, live_server, sign_in,
                                                              tmp_path: Path) -> None:
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    sign_in(page, "coordinator")
    later = _meeting(page, live_server, tmp_path, n=0, day=28)
    agenda = _meeting(page, live_server, tmp_path, n=8, day=20)

    late = page.locator("#late-patient")
    late.get_by_label("Case reference").fill("LATE-77")
    late.get_by_label("Patient name").fill("SYNTHETIC Late Arrival")
    late.get_by_label("NHS number").fill("943 476 5919")
    late.get_by_label("Question for the MDT").fill("Is surgery still an option?")
    late.get_by_role("button", name="Add patient").click()
    expect(page.get_by_role("status")).to_contain_text("Patient added to the end of the list")
    _shot(page, "case-listing-card")

    listing = page.locator("#listing")
    listing.get_by_label("Meeting").select_option(label="28 January 2027 - "
                                                  "Urology Local MDT 28 January 2027")
    listing.get_by_label("Reason (optional)").fill("Awaiting MRI")
    listing.get_by_role("button", name="Move to this meeting").click()
    expect(page.get_by_role("status")).to_contain_text("Patient moved to this meeting")
    page.goto(later)
    expect(page.locator("tr.agenda-row")).to_contain_text("SYNTHETIC Late Arrival")

    page.goto(agenda)
    first = page.locator("#full-discussion tr.agenda-row").first
    name = first.locator("a").first.inner_text()
    first.locator("a").first.click()
    page.get_by_role("button", name="Remove from the list").click()
    expect(page.locator("#error-summary")).to_contain_text("Give the reason")
    page.get_by_label("Reason for removing the patient").fill("Treated at another trust")
    page.get_by_role("button", name="Remove from the list").click()
    expect(page.locator("#removed")).to_contain_text("Treated at another trust")
    expect(page.locator("#removed")).to_contain_text(name)
    _shot(page, "agenda-removed-patient")
    page.locator("#removed").get_by_role("button", name=f"Put back on the list: {name}").click()
    expect(page.get_by_role("status")).to_contain_text("back on the list")
    expect(page.locator("#removed")).to_have_count(0)
    expect(page.locator("#full-discussion tr.agenda-row").first).to_contain_text(name)
    page.locator("#full-discussion tr.agenda-row").first.locator("a").first.click()
    page.get_by_label("Reason for removing the patient").fill("Treated at another trust")
    page.get_by_role("button", name="Remove from the list").click()
    expect(page.locator("#removed")).to_contain_text(name)

    rows = page.locator("#full-discussion tr.agenda-row")
    if rows.count() >= 2:
        second = rows.nth(1).locator("a").first.inner_text()
        up = rows.nth(1).locator("button[value=up]")
        expect(up).to_contain_text(f"move {second} up")
        up.click()
        expect(page.locator("#full-discussion tr.agenda-row").first).to_contain_text(second)
    _shot(page, "agenda-list-management")


def test_csv_template_download_and_misspelled_column_message(browser, live_server, sign_in,
                                                              tmp_path: Path) -> None:
    page = browser.new_context(viewport={"width": 1280, "height": 900},
                               accept_downloads=True).new_page()
    sign_in(page, "coordinator")
    _meeting(page, live_server, tmp_path, n=0)
    with page.expect_download() as download:
        page.locator("#list-template-link").click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.name.startswith("meeting-list-template-prostate-nice-ng131")
    assert saved.read_text(encoding="utf-8").splitlines()[0].startswith("case_id,")

    listing = _list_file(tmp_path, 20)
    text = listing.read_text(encoding="utf-8")
    listing.write_text(text.replace("gleason_primary", "Gleason_primry", 1), encoding="utf-8")
    page.get_by_label("Meeting list file").set_input_files(str(listing))
    page.get_by_role("button", name="Import list").click()
    rejected = page.locator("#import-rejected")
    expect(rejected).to_contain_text("1 problem in list.csv")
    assert rejected.locator("tbody tr").count() == 1
    expect(rejected).to_contain_text("did you mean 'gleason_primary'?")
    _shot(page, "import-misspelled-column")
