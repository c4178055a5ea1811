"""Take a screenshot of a page of the built site with headless Chromium, to look at it as a reader would.

Usage: python scripts/screenshot.py PAGE OUT.png [--width 1280] [--height 2400] [--dark]
PAGE is a path under site/ (such as toolkit/targeted-sanctions.html or catalogue.html#stage=response) or a URL.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("page")
    parser.add_argument("out", type=Path)
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=2400)
    parser.add_argument("--dark", action="store_true", help="emulate a reader who prefers dark mode")
    args = parser.parse_args()
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        print("error: chromium is not installed (apt-get install chromium)", file=sys.stderr)
        return 1
    page, hash_mark, fragment = args.page.partition("#")
    url = args.page if "://" in args.page else (Path("site") / page).resolve().as_uri() + hash_mark + fragment
    if args.out.exists():
        print(f"error: {args.out} exists; choose another name or remove it", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as profile:
        command = [browser, *CHROMIUM_FLAGS, f"--user-data-dir={profile}",
                   f"--window-size={args.width},{args.height}", f"--screenshot={args.out.resolve()}"]
        if args.dark:
            command.append("--force-dark-mode")
        result = subprocess.run([*command, url], capture_output=True, text=True, check=False)
    if result.returncode != 0 or not args.out.exists():
        print(result.stderr, file=sys.stderr)
        return 1
    print(f"wrote {args.out} ({args.width}x{args.height}) of {url}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
