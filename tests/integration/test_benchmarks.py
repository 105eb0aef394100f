"""The benchmarks stay runnable: a small burst through the same code, with the same outcome checks.

Never a wall-clock assertion: only that every column is printed, and that the counts are those of a registration.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks import upload
from benchmarks.registration_burst import COLUMNS, main

HEADINGS = [name for name, _ in COLUMNS]


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
    # 30 at once on 10 seats (seated and waitlisted, outcome checked inside), then 3 one at a time.
    await main(["--runs", "1", "--members", "30", "--capacity", "10", "--paced", "3"])
    rows = table(capsys.readouterr().out)
    assert set(rows) == {"burst", "paced"}
    burst, paced = rows["burst"], rows["paced"]

    assert float(burst["registrations/s"]) > 0
    assert float(burst["transactions/registration"]) > 0
    assert float(burst["REST calls/registration"]) >= 1  # at least the DM of each registration
    assert float(paced["transactions/registration"]) > 0
    assert float(paced["REST calls/registration"]) >= 1  # unbatched, still at least the DM
    assert paced["registrations/s"] == "—"  # paced time is settle's idle wait, not a speed
    for row in (burst, paced):  # printed as numbers; an ignored ✅ may cost nothing
        float(row["transactions/ignored"])
        float(row["REST calls/ignored"])


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
