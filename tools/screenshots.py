"""Take screenshots of portal pages in headless Chromium, to look at what we build.

Usage: .venv/bin/python tools/screenshots.py BASE_URL EMAIL PASSWORD OUTDIR PATH [PATH ...]
A path of "-" logs out first; "anon:/path" is taken signed out. Widths: desktop and phone.
"""

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

# Headless, and never reaching for the internet (nothing but package registries is reachable).
# The browser tests use the same flags (tests/conftest.py).
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def main() -> None:
    base, email, password, outdir, *paths = sys.argv[1:]
    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        for width, height, tag in ((1366, 900, "desktop"), (390, 844, "phone")):
            context = browser.new_context(viewport={"width": width, "height": height})
            page = context.new_page()
            errors = []
            page.on(
                "console", lambda msg, errors=errors: errors.append(msg.text) if msg.type == "error" else None
            )
            for path in [p for p in paths if p.startswith("anon:")]:
                page.goto(base + path[5:])
                page.screenshot(
                    path=str(out / f"{tag}-anon-{path[5:].strip('/').replace('/', '_') or 'root'}.png"),
                    full_page=True,
                )
            page.goto(base + "/accounts/login/")
            page.fill("input[name=login]", email)
            page.fill("input[name=password]", password)
            page.click("button[type=submit]")
            page.wait_for_load_state("networkidle")
            for path in [p for p in paths if not p.startswith("anon:")]:
                page.goto(base + path)
                name = path.strip("/").replace("/", "_").replace("?", "_") or "root"
                page.screenshot(path=str(out / f"{tag}-{name}.png"), full_page=True)
            if errors:
                print(f"[{tag}] console errors:", *errors, sep="\n  ")
            context.close()
        browser.close()


if __name__ == "__main__":
    main()
