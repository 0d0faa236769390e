"""Open the report in headless Chromium: no console errors, no network, injected code inert,
figures drawn, filter working. Needs the Debian packages chromium and chromium-driver."""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

import pytest

from spillover.report import build_report
from tests.report.helpers import sweep

pytestmark = pytest.mark.slow

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1200,1600",
]


def _driver(profile: str):  # type: ignore[no-untyped-def]
    webdriver = pytest.importorskip(
        "selenium.webdriver", reason="selenium is not installed (pip install -e .[dev])"
    )
    browser = (
        shutil.which("chromium")
        or shutil.which("chromium-browser")
        or shutil.which("google-chrome")
    )
    chromedriver = shutil.which("chromedriver")
    if browser is None or chromedriver is None:
        pytest.skip(
            "headless browser test needs chromium and chromedriver (apt-get install -y chromium chromium-driver)"
        )
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = browser
    for flag in [*FLAGS, f"--user-data-dir={profile}"]:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    return webdriver.Chrome(service=Service(chromedriver), options=options)


def test_report_in_headless_chromium(tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    build_report(sweep(), out)
    with tempfile.TemporaryDirectory() as profile:
        driver = _driver(profile)
        try:
            driver.get("about:blank")
            driver.get_log("performance")  # drop the browser's own start-up page loads
            driver.get_log("browser")
            driver.get(out.as_uri())
            assert driver.execute_script("return document.readyState") == "complete"
            sizes = driver.execute_script(
                "return Array.from(document.images).map(i => [i.complete, i.naturalWidth])"
            )
            assert len(sizes) == 3 and all(done and width > 100 for done, width in sizes)
            assert driver.execute_script("return typeof window.__pwned") == "undefined"
            assert (
                driver.execute_script(
                    "return document.querySelectorAll('textarea, img[onerror]').length"
                )
                == 0
            )
            total = int(driver.find_element("id", "answer-count").text)
            driver.execute_script(
                "const s = document.getElementById('filter-question'); s.value = 'wish';"
                "s.dispatchEvent(new Event('change'));"
            )
            shown = int(driver.find_element("id", "answer-count").text)
            visible = driver.execute_script(
                "return document.querySelectorAll('#answers details:not([hidden])').length"
            )
            assert 0 < shown < total and shown == visible
            driver.save_screenshot(str(tmp_path / "report.png"))
            console = driver.get_log("browser")
            requests = [
                json.loads(entry["message"])["message"]["params"].get("request", {}).get("url", "")
                for entry in driver.get_log("performance")
                if json.loads(entry["message"])["message"]["method"] == "Network.requestWillBeSent"
            ]
        finally:
            driver.quit()
    assert [e for e in console if e["level"] in ("SEVERE", "WARNING")] == []
    assert out.as_uri() in requests  # the capture works: the page's own load is recorded
    outside = [url for url in requests if not (url.startswith("data:") or url == out.as_uri())]
    assert outside == [], outside
    assert (tmp_path / "report.png").stat().st_size > 10_000
