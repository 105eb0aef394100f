"""The benchmarks stay runnable: a small burst through the same code, with the same outcome checks.

Never a wall-clock assertion: only that every column is printed, that the counts are those of a registration, and
that every benchmark says under its table what the machine was doing (cores, load average, busy or quiet).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from benchmarks import audio_conversion, bilan, reminder_fanout, scale, upload
from benchmarks.registration_burst import COLUMNS, main

HEADINGS = [name for name, _ in COLUMNS]
MACHINE = re.compile(r"^machine: nproc \d+, load average \d+\.\d\d → \d+\.\d\d \((quiet|BUSY)[^)]*\)$", re.MULTILINE)


def machine_line_after(printed: str, last_table_line: str) -> None:
    """The machine line is printed, once, after the table's last line."""
    lines = MACHINE.findall(printed)
    assert len(lines) == 1, printed
    found = MACHINE.search(printed)
    assert found is not None and printed.index(last_table_line) < found.start(), printed


def table(printed: str) -> dict[str, dict[str, str]]:
    """The rows of the printed table by mode, each cell by its heading (cells hold no spaces)."""
    lines = printed.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("mode"))
    assert all(heading in lines[header] for heading in HEADINGS), lines[header]
    rows = {}
    for line in lines[header + 1 :]:
        cells = line.split()
        if len(cells) != len(HEADINGS):
            break
        rows[cells[0]] = dict(zip(HEADINGS, cells, strict=True))
    return rows


async def test_small_registration_burst_reports_its_costs(capsys: pytest.CaptureFixture[str]) -> None:
    # 30 at once on 10 seats (seated and waitlisted, outcome checked inside), the same on a 3-date series (each
    # seated member's reminders planned once per date, checked inside), 30 arriving at a steady rate while the bot
    # works (same outcome check), then 3 one at a time.
    argv = ["--runs", "1", "--members", "30", "--capacity", "10", "--paced", "30", "--rate", "200"]
    await main([*argv, "--single", "3", "--series", "3"])
    printed = capsys.readouterr().out
    rows = table(printed)
    assert set(rows) == {"burst", "series", "paced", "single"}
    burst, series, paced, single = rows["burst"], rows["series"], rows["paced"], rows["single"]

    assert float(burst["registrations/s"]) > 0
    assert float(burst["transactions/registration"]) > 0
    assert float(burst["REST calls/registration"]) >= 1  # at least the DM of each registration
    assert float(single["transactions/registration"]) > 0
    assert float(single["REST calls/registration"]) >= 1  # unbatched, still at least the DM
    assert single["registrations/s"] == single["ratio"] == "—"  # its time is settling, not a speed
    # Paced: timed against its baseline (the same arrivals on an ordinary message), at least the DM each.
    assert float(paced["registrations/s"]) > 0
    assert float(paced["seconds"]) > 0 and float(paced["baseline s"]) > 0 and float(paced["ratio"]) > 0
    assert float(paced["REST calls/registration"]) >= 1
    assert re.search(r"paced: reactions arrived at \d+/s \(asked 200/s.*the bot was done \d+ ms after", printed)
    # Registering for a series is one registration too: batched like a single session's (how many land in one batch
    # depends on the machine's speed, so only "fewer transactions than registrations" is checked), the same DM each.
    assert float(series["registrations/s"]) > 0
    assert 0 < float(series["transactions/registration"]) < 1
    assert abs(float(series["REST calls/registration"]) - float(burst["REST calls/registration"])) < 0.5
    assert "series: the same burst registering for 3 dates" in printed
    for row in (burst, paced, single):  # printed as numbers; an ignored ✅ may cost nothing
        float(row["transactions/ignored"])
        float(row["REST calls/ignored"])
    machine_line_after(printed, next(line for line in printed.splitlines() if line.startswith("single")))


async def test_a_small_reminder_fan_out_with_a_series_reports_per_reminder_costs(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # 2 sessions × 10 registrants, and 30 members on a 3-date series (each seated member reminded exactly once per
    # date and reminder time, nobody waiting reminded, nothing dispatched outside the timed windows, the baseline
    # posting the same messages to the same channels as the bot: checked inside).
    argv = ["--runs", "1", "--sessions", "2", "--registrants", "10", "--rows", "1000", "--series", "3"]
    await reminder_fanout.main([*argv, "--series-members", "30"])
    printed = capsys.readouterr().out
    single_part, series_part = printed.split("series — ")
    single = {line[:58].strip(): line[58:].split() for line in single_part.splitlines()}
    series = {line[:40].strip(): line[40:].split() for line in series_part.splitlines()}
    assert single["reminders dispatched"] == [str(2 * 10 * 2)]  # two sessions, ten seated, two reminders each
    assert series["reminders dispatched"] == [str(30 * 3 * 2)]  # thirty seated, three dates, two reminders each
    # The baseline sent the same messages: at least the reminders, to at least the ten seated members' DMs.
    (messages,) = single["messages posted by the bot = by the baseline (checked)"]
    (channels,) = single["channels they went to (same for both, checked)"]
    assert int(messages) >= 2 * 10 * 2 and int(channels) >= 10
    assert int(series["messages, = the baseline (checked)"][0]) >= 30 * 3 * 2
    assert float(single["ratio to baseline"][0]) > 0
    side_by_side = ("reminders per second", "REST calls per reminder", "dispatch per reminder (ms)")
    for measure in (*side_by_side, "ratio to baseline"):
        single_value, series_value = (float(value) for value in series[measure])  # printed side by side
        assert single_value > 0 and series_value > 0
    machine_line_after(printed, next(line for line in printed.splitlines() if line.startswith("registrations incl")))


async def test_a_small_upload_through_the_web_door_reports_its_costs(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # 5 MB instead of 200, once: both uploads are accepted, and every figure is printed.
    await upload.main(["--runs", "1", "--megabytes", "5", "--cache-dir", str(tmp_path)])
    lines = capsys.readouterr().out.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("case"))
    rows = {line.split(")")[0] + ")": line.split(")", 1)[1].split() for line in lines[header + 1 : header + 3]}
    assert set(rows) == {"(a)", "(b)"}
    for cells in rows.values():  # name words, then: wall "s", MB/s, ×, CPU "s", ×, peak "MB", HTTP
        numbers = [cell for cell in cells if cell not in ("s", "MB")]
        wall, speed, ratio, cpu, cpu_ratio, peak, status = numbers[-7:]
        assert float(wall) > 0 and float(speed) > 0 and float(ratio) > 0 and float(cpu) >= 0
        float(cpu_ratio)
        assert float(peak) >= 0
        assert status == "200"  # the door accepted the recording, the static handler its body
    printed = "\n".join(lines)
    machine_line_after(printed, lines[header + 2])


async def test_a_tiny_bilan_benchmark_prints_every_column(capsys: pytest.CaptureFixture[str]) -> None:
    # 30 sessions, once: the year is read, drawn, exported and reported while the loop's lag is measured.
    await bilan.main(["--runs", "1", "--sessions", "30"])
    lines = capsys.readouterr().out.splitlines()
    header = next(i for i, line in enumerate(lines) if line.split()[:1] == ["sessions"])
    assert lines[header].split() == list(bilan.COLUMNS)
    cells = dict(zip(bilan.COLUMNS, lines[header + 1].split(), strict=True))
    assert cells["sessions"] == "30"
    assert all(float(value) > 0 for name, value in cells.items() if name not in ("lag_p99_ms", "idle_p99_ms"))
    assert float(cells["lag_p99_ms"]) >= 0 and float(cells["idle_p99_ms"]) >= 0
    machine_line_after("\n".join(lines), lines[header + 1])


async def test_a_one_minute_audio_conversion_reports_cpu_memory_and_lag_per_run(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # Two runs on a one-minute recording: the pipeline (in its own process, as the bot) fetches it from the CDN
    # stand-in, converts, tags and cuts the teaser; plain ffmpeg and pydub beside it.
    await audio_conversion.main(["--runs", "2", "--minutes", "1", "--cache-dir", str(tmp_path)])
    printed = capsys.readouterr().out
    lines = printed.splitlines()
    header = next(index for index, line in enumerate(lines) if line.startswith("case"))
    columns = audio_conversion.COLUMNS
    assert lines[header].split() == list(columns)
    split = (line.split() for line in lines[header + 1 :])
    rows = {cells[0]: dict(zip(columns, cells, strict=True)) for cells in split if len(cells) == len(columns)}
    assert set(rows) == {"plain", "pipeline", "pydub"}
    plain, pipeline = rows["plain"], rows["pipeline"]
    assert plain["CPU×plain"] == "1.00" and float(pipeline["CPU×plain"]) > 0
    assert float(pipeline["×plain"]) > 0
    assert float(pipeline["bot-RSS"].removesuffix("MB")) > 0  # the bot process itself
    assert float(pipeline["ffmpeg-RSS"].removesuffix("MB")) > 0  # its largest ffmpeg
    assert float(pipeline["bot+ffmpeg"].removesuffix("MB")) >= float(pipeline["bot-RSS"].removesuffix("MB")) / 2
    per_run = pipeline["lag-p99/run"].removesuffix("ms").split("/")
    assert len(per_run) == 2 and all(float(value) >= 0 for value in per_run)  # one p99 per run, not one max
    assert "fetch " in printed and "MB streamed" in printed  # fetching the recording is in the measured path
    assert re.search(r"output -?\d+\.\d LUFS, true peak -?\d+\.\d dBTP", printed)
    assert "machine: nproc" in printed


async def test_a_tiny_scale_benchmark_prints_every_row_and_a_verdict_per_target(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # Histories of 5 and 10 sessions seeded through the services into an empty cache, once each; 5 and 10 ✅ found
    # at start on a session nobody had registered to.
    argv = ["--sizes", "5", "10", "--runs", "1", "--calls", "3", "--offline", "5", "10", "--cache-dir", str(tmp_path)]
    await scale.main([*argv, "--postgres", ""])  # SQLite, whatever TEST_POSTGRES_URL says
    lines = capsys.readouterr().out.splitlines()
    cut = [line.split("|") for line in lines if "|" in line]
    table = {cells[0].strip(): [cell.strip() for cell in cells[1:]] for cells in cut}
    labels = [
        "sessions",
        "sessions / registrations / due rows",
        "start-up to ready (s)",
        "migrations (s)",
        "scheduler (s)",
        "reconciliation (s)",
        "REST calls during start-up (SimCord)",
        "start-up in SimCord, Discord simulated (s)",
        *(f"{name} {measure}" for name in scale.INTERACTIONS for measure in ("p50 / p99", "SQL statements")),
        "reconciliation of 5 offline ✅ (s / transactions)",
        "reconciliation of 10 offline ✅ (s / transactions)",
    ]
    for label in labels:
        row = next((cells for name, cells in table.items() if name.startswith(label)), None)
        assert row is not None and len(row) == 2 and all(row), (label, table)
    assert table["sessions"] == ["5", "10"]
    assert [cells.split(" / ")[:2] for cells in table["sessions / registrations / due rows"]] == [
        ["5", "100"],
        ["10", "200"],
    ]  # twenty registrations by ✅ per session
    for cells in table["reconciliation of 10 offline ✅ (s / transactions)"]:
        seconds, transactions = cells.split(" / ")
        assert float(seconds) > 0 and int(transactions) >= 1
    assert all(int(cells) > 0 for cells in table["REST calls during start-up (SimCord)"])  # the announcement read
    assert sum("history of" in line and "seeded in" in line for line in lines) == 2  # the cache was empty
    verdicts = [line for line in lines if line.startswith("verdict:")]
    topics = ("start-up to ready", "reconciliation of 10", "interactions p99", "SQL statements", "REST calls")
    assert [next(topic for topic in topics if topic in line) for line in verdicts] == list(topics)
    assert all(line.endswith(("PASS", "FAIL")) for line in verdicts)
    assert lines[-1].startswith("machine: nproc")
