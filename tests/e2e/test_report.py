"""`allot report`: accounting from a real campaign's journal in every format, the HTML page
rendered by real headless Chromium (a screenshot that is not blank, and the charts' data
elements in the live DOM), and bad input refused with exit 2 and nothing written."""

import csv
import io
import json
import os
import re
import shutil
import struct
import subprocess
import zlib

import pytest

from conftest import yaml_str

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
SPIN = 0.3  # CPU seconds each sim burns


def campaign(allot):
    """Seven tasks on 2 cores: four sims of project epic (scenarios 1-4), a 2-core analysis and
    a failing task of project lhc (scenario low), one untagged task."""
    allot.write("tasks.yaml", f"""\
tasks:
  - id: "sim-{{s}}"
    sweep: {{grid: {{s: [1, 2, 3, 4]}}}}
    command: {yaml_str(allot.tt("--spin", SPIN, "--alloc-mib", "24"))}
    memory: 256M
    tags: {{project: epic, scenario: "{{s}}"}}
  - id: ana
    cores: 2
    command: {yaml_str(allot.tt("--spin", "0.2"))}
    tags: {{project: lhc, scenario: low, user: alice}}
  - id: broken
    command: {yaml_str(allot.tt("--exit", "3"))}
    tags: {{project: lhc, scenario: low}}
  - id: plain-7
    command: {yaml_str(allot.tt())}
""")
    r = allot.run("run", "tasks.yaml", "--cores", "2")
    assert r.returncode == 1, r.stderr  # `broken` fails
    assert "7 tasks: 6 succeeded, 1 failed" in r.stdout, r.stdout


def report(allot, *args, ok=True):
    r = allot.run("report", *args, timeout=60)
    if ok:
        assert r.returncode == 0, f"allot report {args} exited {r.returncode}: {r.stderr}"
    return r


def report_json(allot, *args):
    return json.loads(report(allot, "--format", "json", *args).stdout)


def groups_of(doc):
    return {g["group"]: g for g in doc["groups"]}


# PNG, stdlib only ------------------------------------------------------------------------------
def decode_png(data):
    """(width, height, bytes per pixel, rows of raw pixel bytes) of an 8-bit RGB/RGBA PNG."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG file"
    pos, idat, ihdr = 8, [], None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            ihdr = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat.append(body)
        elif kind == b"IEND":
            break
    width, height, depth, color_type, _, _, interlace = ihdr
    assert depth == 8 and color_type in (2, 6) and interlace == 0, f"unexpected PNG {ihdr}"
    bpp = 3 if color_type == 2 else 4
    raw = zlib.decompress(b"".join(idat))
    stride = width * bpp
    rows, prev, i = [], bytearray(stride), 0
    for _ in range(height):
        kind = raw[i]
        line = bytearray(raw[i + 1:i + 1 + stride])
        i += 1 + stride
        if kind == 1:  # Sub
            for x in range(bpp, stride):
                line[x] = (line[x] + line[x - bpp]) & 255
        elif kind == 2:  # Up
            line = bytearray((a + b) & 255 for a, b in zip(line, prev))
        elif kind == 3:  # Average
            for x in range(stride):
                left = line[x - bpp] if x >= bpp else 0
                line[x] = (line[x] + ((left + prev[x]) >> 1)) & 255
        elif kind == 4:  # Paeth
            for x in range(stride):
                a = line[x - bpp] if x >= bpp else 0
                b = prev[x]
                c = prev[x - bpp] if x >= bpp else 0
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        prev = line
    return width, height, bpp, rows


def distinct_colours(rows, bpp, step=2):
    colours = set()
    for row in rows[::step]:
        for x in range(0, len(row), bpp * step):
            colours.add(row[x:x + 3])
    return colours


def chromium(*args, cwd):
    cmd = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
           f"--user-data-dir={cwd / 'chromium-profile'}", *args]
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=120)


# Tests ----------------------------------------------------------------------------------------
@pytest.mark.skipif(not CHROMIUM, reason="chromium is not installed (scripts/install-deps.sh)")
def test_html_report_renders_its_charts_in_headless_chromium(allot, tmp_path):
    campaign(allot)
    r = report(allot, "--format", "html", "-o", "report.html")
    assert r.stdout == "", "with -o nothing goes to stdout"
    page = tmp_path / "report.html"
    html = page.read_text()
    assert "<script" not in html and "<link" not in html, "self-contained: no scripts or links"
    url = page.as_uri()

    shot = tmp_path / "shot.png"
    c = chromium("--screenshot=" + str(shot), "--window-size=1280,2000", url, cwd=tmp_path)
    assert c.returncode == 0 and shot.exists(), f"no screenshot: {c.stderr[-2000:]}"
    assert shot.stat().st_size > 10_000, shot.stat().st_size
    width, height, bpp, rows = decode_png(shot.read_bytes())
    assert (width, height) == (1280, 2000)
    colours = distinct_colours(rows, bpp)
    assert len(colours) >= 8, f"a near-blank page: only {len(colours)} colours"
    # The chart colours themselves are on screen (allocated, used, memory requested and peak).
    for css in ("#a9bfdc", "#1f5fa8", "#f2cf9b", "#d2691e"):
        rgb = bytes.fromhex(css[1:])
        assert any(all(abs(a - b) <= 40 for a, b in zip(rgb, c)) for c in colours), css

    c = chromium("--dump-dom", url, cwd=tmp_path)
    assert c.returncode == 0, c.stderr[-2000:]
    dom = c.stdout

    def svg(svg_id):
        m = re.search(rf'<svg id="{svg_id}"[^>]*>(.*?)</svg>', dom, re.S)
        assert m, f"no <svg id={svg_id}> in the rendered DOM"
        body = m.group(1)
        assert "<title" in body and 'class="axis' in body, f"{svg_id}: title and axes"
        return body

    utilization = svg("utilization")
    assert len(re.findall(r'<path class="area (allocated|used)" d="M[^"]+"', utilization)) == 2
    assert '<line class="capacity"' in utilization, "allot run records its cores"
    attempts = svg("attempts")
    drawn = re.findall(r'<rect class="attempt ([a-z-]+)" data-task="([^"]+)"', attempts)
    assert ("failed", "broken") in drawn, drawn
    assert sum(1 for end, _ in drawn if end == "succeeded") == 6, drawn
    by_group = svg("usage-by-group")
    bars = re.findall(r'<rect class="bar (allocated|used)" data-group="([^"]+)"', by_group)
    assert {g for _, g in bars} == {"epic", "lhc", "(none)"}, bars
    assert len(bars) == 6
    gap = svg("requested-vs-used")
    assert len(re.findall(r'<rect class="bar requested"', gap)) == 6  # 3 groups x 2 panels
    assert len(re.findall(r'<rect class="bar used"', gap)) == 6
    assert re.search(r'data-group="epic"[^>]*width="[1-9]', gap), "epic asked for memory"
    assert '<table id="groups">' in dom


def test_json_report_sums_core_hours_per_project(allot, tmp_path):
    campaign(allot)
    doc = report_json(allot, "--by", "project")
    assert doc["by"] == "project" and doc["since"] is None
    assert doc["capacity_cores"] == 2
    groups = groups_of(doc)
    assert set(groups) == {"epic", "lhc", "(none)"}
    epic, lhc, total = groups["epic"], groups["lhc"], doc["total"]
    assert (epic["tasks"], epic["attempts"], epic["succeeded"], epic["failed"]) == (4, 4, 4, 0)
    assert (lhc["tasks"], lhc["attempts"], lhc["succeeded"], lhc["failed"]) == (2, 2, 1, 1)
    assert (total["tasks"], total["attempts"], total["failed"]) == (7, 7, 1)
    # Four sims burnt about SPIN CPU-seconds each on one core.
    used_s = epic["core_hours_used"] * 3600
    assert 4 * SPIN * 0.8 <= used_s <= 4 * SPIN * 1.5 + 0.5, used_s
    alloc_s = epic["core_hours_allocated"] * 3600
    assert alloc_s >= used_s * 0.9, (alloc_s, used_s)
    assert 0 < epic["efficiency"] <= 1
    # 256 MiB held by each sim for its wall; the peak is ~24 MiB: far less.
    assert epic["memory_gib_hours_requested"] > 4 * epic["memory_gib_hours_peak"] > 0
    assert lhc["memory_gib_hours_requested"] == 0
    assert epic["max_rss_bytes"] >= 24 << 20, epic
    assert epic["memory_exceeded"] == 0 and epic["read_bytes"] >= 0 and epic["peak_cores"] >= 0
    assert total["gpu_hours"] == 0
    for key in ("core_hours_allocated", "core_hours_used", "memory_gib_hours_peak"):
        assert total[key] == pytest.approx(sum(g[key] for g in groups.values())), key
    assert total["span_seconds"] >= max(g["span_seconds"] for g in groups.values())
    assert total["first_start"].endswith("Z") and total["first_start"] <= total["last_end"]


def test_csv_report_has_a_header_a_row_per_group_and_the_total_last(allot, tmp_path):
    campaign(allot)
    text = report(allot, "--by", "scenario", "--format", "csv").stdout
    rows = list(csv.DictReader(io.StringIO(text)))
    assert text.splitlines()[0] == (
        "group,tasks,attempts,succeeded,failed,core_hours_allocated,core_hours_used,efficiency,"
        "gpu_hours,memory_gib_hours_requested,memory_gib_hours_peak,first_start,last_end,"
        "span_seconds,max_rss_bytes,peak_cores,read_bytes,write_bytes,memory_exceeded")
    assert [r["group"] for r in rows][-1] == "(total)"
    assert {r["group"] for r in rows[:-1]} == {"1", "2", "3", "4", "low", "(none)"}
    low = next(r for r in rows if r["group"] == "low")
    assert (low["tasks"], low["attempts"], low["failed"]) == ("2", "2", "1")
    assert int(rows[-1]["attempts"]) == 7
    assert sum(float(r["core_hours_allocated"]) for r in rows[:-1]) == pytest.approx(
        float(rows[-1]["core_hours_allocated"]))


def test_table_groups_by_profile_user_and_any_tag(allot, tmp_path):
    campaign(allot)
    by_profile = report(allot, "--by", "profile").stdout
    assert by_profile.startswith("Usage by profile: 7 attempts of 7 tasks"), by_profile
    names = [line.split()[0] for line in by_profile.splitlines()[2:]]
    # The sweep's numbers are stripped: sim-1..sim-4 are one profile, plain-7 is "plain".
    assert sorted(names) == sorted(["sim", "ana", "broken", "plain", "(total)"]), names
    assert names[-1] == "(total)"
    sim = next(line for line in by_profile.splitlines() if line.startswith("sim "))
    assert sim.split()[1:3] == ["4", "4"], sim

    users = groups_of(report_json(allot, "--by", "user"))
    owner = subprocess.run(["id", "-un"], capture_output=True, text=True).stdout.strip()
    assert users["alice"]["tasks"] == 1 and users[owner]["tasks"] == 6, users

    tagged = groups_of(report_json(allot, "--by", "tag:scenario"))
    assert tagged["low"]["tasks"] == 2 and tagged["(none)"]["tasks"] == 1


def test_since_counts_only_attempts_that_ended_after_it(allot, tmp_path):
    campaign(allot)
    assert report_json(allot, "--since", "1h")["total"]["attempts"] == 7
    assert report_json(allot, "--since", "2000-01-01")["total"]["attempts"] == 7
    future = report_json(allot, "--since", "2999-01-01T00:00Z")
    assert future["since"] == "2999-01-01T00:00:00Z"
    assert future["groups"] == [] and future["total"]["attempts"] == 0
    # Even an empty report is a page with its four charts.
    r = report(allot, "--since", "2999-01-01", "--format", "html")
    assert r.stdout.count("<svg id=") == 4 and "no ended attempts" in r.stdout


def test_report_reads_a_servers_journal_from_its_directory(allot, tmp_path):
    campaign(allot)
    server = tmp_path / "server"
    server.mkdir()
    shutil.copyfile(tmp_path / "allot-work" / "allot.db", server / "journal.db")
    from_flag = report_json(allot, "--server-dir", server)
    assert from_flag["total"]["attempts"] == 7 and from_flag["source"].endswith("journal.db")
    r = subprocess.run([str(allot.bin), "report", "--format", "json"], cwd=tmp_path,
                       capture_output=True, text=True, timeout=60,
                       env={**os.environ, "ALLOT_SERVER_DIR": str(server)})
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["source"] == str(server / "journal.db")


@pytest.mark.parametrize("args, flag", [
    (["--by", "projects"], "--by"),
    (["--by", "tag:"], "--by"),
    (["--since", "yesterday"], "--since"),
    (["--since", "2024-02-30"], "--since"),
    (["--format", "pdf"], "--format"),
])
def test_bad_flags_exit_2_naming_the_flag_and_write_nothing(allot, tmp_path, args, flag):
    campaign(allot)
    r = report(allot, *args, "-o", "out.txt", ok=False)
    assert r.returncode == 2, (r.returncode, r.stderr)
    assert flag in r.stderr, r.stderr
    assert r.stdout == ""
    assert not list(tmp_path.glob("out.txt*")), "nothing written"


def test_a_missing_journal_exits_2_and_writes_nothing(allot, tmp_path):
    r = report(allot, "--workdir", "nowhere", "-o", "out.html", "--format", "html", ok=False)
    assert r.returncode == 2, r.stderr
    assert "nowhere" in r.stderr
    assert not list(tmp_path.glob("out.html*"))
