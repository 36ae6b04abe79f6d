"""A real server and a real, headless Chromium for the browser tests and the screenshots.

The browser is Debian's chromium with its chromium-driver (`apt-get install chromium
chromium-driver`; .ci/run installs them when missing), driven by Selenium through the driver on
PATH: nothing is downloaded. axe-core comes bundled inside axe-selenium-python.
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


def axe_violations(driver: Any) -> list[dict[str, Any]]:
    """axe-core's violations on the current page, with every rule it runs by default.

    axe-selenium-python bundles axe-core 3.1.1, whose rules cover WCAG 2.0 and 2.1 A/AA and
    best practice; its run() helper never calls back on an error, so the run is made here.
    """
    from axe_selenium_python import Axe

    Axe(driver).inject()
    driver.set_script_timeout(120)
    outcome = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run().then(r => done(r.violations), e => done('axe failed: ' + e));")
    assert isinstance(outcome, list), outcome
    return list(outcome)


def described(violations: list[dict[str, Any]]) -> str:
    return "\n".join(f"{v['id']}: {v['help']} ({len(v['nodes'])}: "
                     f"{[n['target'] for n in v['nodes']][:3]})" for v in violations)
