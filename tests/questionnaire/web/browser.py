"""A real server and a real, headless Chromium for the browser tests and the screenshots.

The browser is Debian's chromium with its chromium-driver (`apt-get install chromium
chromium-driver`; .ci/run installs them when missing), driven by Selenium through the driver on
PATH: nothing is downloaded. axe-core is a pinned copy kept beside this file as a test fixture
(tests/questionnaire/web/axe/: see its README); the app never serves it.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from tests.repo import ROOT

BROWSERS = ("chromium", "chromium-browser", "google-chrome")
DRIVERS = ("chromedriver", "chromium-driver")
HOW_TO_GET = ("no headless Chromium found: install Debian's 'chromium' and 'chromium-driver' "
              "(sudo apt-get install -y chromium chromium-driver), as .ci/run does")
CHROMIUM_FLAGS = ("--headless=new", "--no-sandbox", "--disable-gpu",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
                  "--disable-default-apps", "--disable-extensions")


def browser_paths() -> tuple[str, str] | None:
    """(browser, driver) on PATH, or None."""
    browser = next((found for name in BROWSERS if (found := shutil.which(name))), None)
    driver = next((found for name in DRIVERS if (found := shutil.which(name))), None)
    return (browser, driver) if browser and driver else None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Server:
    base: str
    output: list[str]
    class_url: str | None


@contextmanager
def serving(*extra: str) -> Iterator[Server]:
    """`muscle-triage serve` on a free loopback port, stopped (Ctrl-C) afterwards."""
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "questionnaire", "serve", "--port", str(port), *extra], cwd=ROOT,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"})
    base = f"http://127.0.0.1:{port}"
    output: list[str] = []
    try:
        assert process.stdout is not None
        class_url = None
        for _ in range(3):  # the address line, then (with --class) the class line
            line = process.stdout.readline()
            output.append(line)
            found = re.search(r"(http://\S+/class/\S+)", line)
            class_url = found.group(1) if found else class_url
            if "--class" not in extra and "Ctrl-C" in line:
                break
        for _ in range(300):
            try:
                urllib.request.urlopen(base + "/", timeout=2).read()
                break
            except OSError:
                time.sleep(0.1)
        yield Server(base, output, class_url)
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()


@contextmanager
def chromium(width: int = 1000, height: int = 900) -> Iterator[Any]:
    """A headless Chromium driven by Selenium (the caller checks browser_paths() first)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    found = browser_paths()
    assert found is not None, HOW_TO_GET
    browser, driver_path = found
    options = webdriver.ChromeOptions()
    options.binary_location = browser
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--window-size={width},{height}")
    driver = webdriver.Chrome(options=options, service=Service(executable_path=driver_path))
    try:
        yield driver
    finally:
        driver.quit()


#: The pinned axe-core, its version and its SHA-256 (tests/questionnaire/web/axe/README.md).
AXE = ROOT / "tests" / "questionnaire" / "web" / "axe" / "axe.min.js"
AXE_VERSION = "4.14.1"
AXE_SHA256 = "29348999450cdf2849a8e70b7912fc2da85a849da39c0d0d5394f51d4a9ed95c"
#: The rule sets every page must pass: WCAG 2.0, 2.1 and 2.2 at levels A and AA, and axe's
#: best practices (headings, landmarks, regions), which go beyond WCAG.
AXE_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice")


def axe_script() -> str:
    """The pinned axe-core, checked against its recorded hash so a changed copy is noticed."""
    import hashlib

    source = AXE.read_bytes()
    digest = hashlib.sha256(source).hexdigest()
    assert digest == AXE_SHA256, f"{AXE} is not the pinned axe-core {AXE_VERSION} ({digest})"
    return source.decode("utf-8")


def axe_violations(driver: Any, tags: tuple[str, ...] = AXE_TAGS) -> list[dict[str, Any]]:
    """axe-core's violations on the current page, for the rules tagged with any of ``tags``.

    The script is injected through WebDriver (the page's Content-Security-Policy does not apply
    to it, and nothing is added to what the app serves), once per page loaded. Only violations
    are asked for (``resultTypes``): axe then skips building the node lists of what passed.
    """
    if driver.execute_script("return !window.axe;"):
        driver.execute_script(axe_script())
    version = driver.execute_script("return window.axe && window.axe.version;")
    assert version == AXE_VERSION, f"axe-core did not load: {version!r}"
    driver.set_script_timeout(120)
    outcome = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {runOnly: {type: 'tag', values: arguments[0]},"
        " resultTypes: ['violations']})"
        ".then(r => done(r.violations), e => done('axe failed: ' + e));", list(tags))
    assert isinstance(outcome, list), outcome
    return list(outcome)


def described(violations: list[dict[str, Any]]) -> str:
    return "\n".join(f"{v['id']}: {v['help']} ({len(v['nodes'])}: "
                     f"{[n['target'] for n in v['nodes']][:3]})" for v in violations)
