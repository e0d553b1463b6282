#!/usr/bin/env python3
"""Look at the built manual as a reader does: every page in headless Chromium at a desktop
width (1280 px) and a phone width (390 px).

For each page and width it

* takes a screenshot of the whole page (PNG, in ``--out``, default
  ``docs/_build/screenshots``; nothing of it is committed), and
* measures, in the page as laid out at that width, what a reader cannot see: a table or
  code block wider than the column it sits in (cut off, or only readable by scrolling
  sideways), the page itself wider than the window, and figures shown at less than half
  their own size (their text is then too small to read).

Usage::

    tox -e docs                      # build docs/_build/html first
    python tools/manual_screenshots.py [--html DIR] [--out DIR] [--browser PATH] [--strict]

It needs Debian's ``chromium`` (``apt-get install chromium``). The measurement runs each
page in an ``<iframe>`` of the given width inside a local wrapper page and reads the result
back with ``--dump-dom``: no WebDriver, no browser download, only the standard library.
With ``--strict`` the exit status is 1 when a table or a figure was found (code blocks that
scroll sideways are reported, never failed: a line of code must not wrap, and that is how
every manual shows long lines).
"""

from __future__ import annotations

import argparse
import html
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Dict, List

ROOT = Path(__file__).resolve().parent.parent
WIDTHS = {"desktop": 1280, "phone": 390}
# Sphinx's own generated pages: no content of ours to look at.
SKIP_PAGES = {"genindex.html", "search.html", "py-modindex.html"}
MAX_HEIGHT = 16000  # px: Chromium's screenshot limit is about this

# Runs inside the wrapper page (__PAGES__ and __WIDTH__ filled in).
_MEASURE = Path(__file__).with_suffix(".js")


def _browser(given: str | None) -> str:
    for name in [given] if given else ["chromium", "chromium-browser", "google-chrome"]:
        path = shutil.which(name) if name else None
        if path:
            return path
    sys.exit("error: no Chromium found (apt-get install chromium), or pass --browser PATH")


def _chromium(browser: str, profile: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--allow-file-access-from-files",
            f"--user-data-dir={profile}",
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )


def measure(browser: str, html_dir: Path, pages: List[str], width: int, tmp: Path) -> List[Dict]:
    uris = json.dumps([(html_dir / p).as_uri() for p in pages])
    script = _MEASURE.read_text().replace("__PAGES__", uris).replace("__WIDTH__", str(width))
    wrapper = tmp / f"measure-{width}.html"
    wrapper.write_text(f'<!doctype html><pre id="out"></pre><script>{script}</script>')
    budget = str(5000 + 2000 * len(pages))
    done = _chromium(
        browser,
        str(tmp / "profile"),
        f"--virtual-time-budget={budget}",
        "--dump-dom",
        wrapper.as_uri(),
    )
    start, end = done.stdout.find('<pre id="out"'), done.stdout.find("</pre>")
    body = done.stdout[done.stdout.find(">", start) + 1 : end] if start >= 0 else ""
    results = [json.loads(html.unescape(line)) for line in body.splitlines() if line.strip()]
    if len(results) != len(pages):
        sys.exit(
            f"error: measured {len(results)} of {len(pages)} pages at {width} px:\n"
            + done.stderr[-2000:]
        )
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--html", type=Path, default=ROOT / "docs" / "_build" / "html")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "_build" / "screenshots")
    parser.add_argument("--browser")
    parser.add_argument("--strict", action="store_true", help="exit 1 if anything is found")
    args = parser.parse_args()
    browser = _browser(args.browser)
    if not (args.html / "index.html").is_file():
        sys.exit(f"error: no built manual in {args.html}: run `tox -e docs` first")
    pages = sorted(
        str(p.relative_to(args.html))
        for p in args.html.rglob("*.html")
        if p.name not in SKIP_PAGES and not p.relative_to(args.html).parts[0].startswith("_")
    )
    args.out.mkdir(parents=True, exist_ok=True)
    problems = 0
    with tempfile.TemporaryDirectory(prefix="manual-shots-") as tmp_name:
        tmp = Path(tmp_name)
        for label, width in WIDTHS.items():
            for result in measure(browser, args.html, pages, width, tmp):
                page = Path(result["page"].replace("file://", "")).relative_to(args.html)
                shot = args.out / f"{str(page.with_suffix('')).replace(os.sep, '-')}-{label}.png"
                height = min(max(result["height"], 600), MAX_HEIGHT)
                _chromium(
                    browser,
                    str(tmp / "profile"),
                    f"--window-size={width},{height}",
                    f"--screenshot={shot}",
                    result["page"],
                )
                for item in result["found"]:
                    serious = item["kind"] != "code-wider-than-column"
                    problems += serious
                    mark = "!" if serious else " "
                    print(
                        f"{mark} {page} @{width}px: {item['kind']} {item['what']} "
                        f"({item['detail']}) {item['text']!r}"
                    )
    print(
        f"screenshots of {len(pages)} pages at {' and '.join(map(str, WIDTHS.values()))} px "
        f"in {args.out}"
    )
    print(f"{problems} problem(s) found")
    return 1 if problems and args.strict else 0


if __name__ == "__main__":
    sys.exit(main())
