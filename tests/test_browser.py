"""The built book in a real browser, with the network cut off.

Headless Chromium (Debian's ``/usr/bin/chromium``, driven by Playwright) opens every page of the
table of contents twice: from ``file://``, as a reader opens the path ``make book`` prints, and from
a loopback HTTP server, as a host would serve it. Every request that leaves the site is aborted and
recorded, so a page that needs the internet fails here instead of in a reader's hands.
"""
from __future__ import annotations

import functools
import http.server
import os
import threading
from pathlib import Path
from urllib.parse import urlparse

import pytest

from conftest import chapter_notebooks, toc_pages
from lstm_repro.paths import BUILD_DIR

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    # Name resolution fails for every host but the loopback one: a third lock on the network.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]
SCREENSHOTS = BUILD_DIR / "screenshots"
PAGES = toc_pages()
MODES = ("file", "http")

if not CHROMIUM.exists():
    message = (f"Chromium is not installed at {CHROMIUM}; install it with "
               "`apt-get update && apt-get install -y chromium` (as root) to run the browser test")
    if os.environ.get("CI"):
        raise RuntimeError(message)  # .ci/run installs it: in CI its absence is a failure
    pytest.skip(message, allow_module_level=True)

from playwright.sync_api import sync_playwright  # noqa: E402  (only once Chromium is known)

# In the page: wait for MathJax 3 to finish typesetting (when the page loads it), then report
# what a reader would see. Sphinx marks every formula with class "math"; MathJax puts an
# <mjx-container> in each, and <mjx-merror> where the TeX does not parse.
INSPECT = r"""async () => {
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) await MathJax.startup.promise;
  await Promise.all([...document.images].map(img => {
    img.loading = "eager";
    return img.complete ? null : new Promise(done => { img.onload = img.onerror = done; });
  }));
  const math = [...document.querySelectorAll(".math")];
  return {
    math: math.length,
    rendered: document.querySelectorAll("mjx-container").length,
    raw: math.filter(e => /\\\(|\\\[|\$\$/.test(e.textContent)).map(e => e.textContent.slice(0, 80)),
    merror: document.querySelectorAll("mjx-merror").length,
    mathjax: !!document.querySelector("script[src*='mathjax']"),
    broken_images: [...document.images].filter(i => !i.complete || i.naturalWidth === 0).map(i => i.src),
    images: document.images.length,
    links: [...document.querySelectorAll("a[href]")].map(a => a.href),
    title: document.title,
  };
}"""


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep pytest's output clean
        pass


@pytest.fixture(scope="module")
def origins(built_site):
    """Base URLs of the site: ``file://...`` and ``http://127.0.0.1:PORT``."""
    handler = functools.partial(_QuietHandler, directory=str(built_site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield {"file": built_site.resolve().as_uri(), "http": f"http://127.0.0.1:{server.server_port}"}
    server.shutdown()
    thread.join()


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class OfflinePage:
    """A browser page that cannot reach the network and records what it tried and what broke."""

    def __init__(self, browser, origin: str, mode: str):
        self.origin = origin
        self.context = browser.new_context(viewport={"width": 1280, "height": 900})
        if mode == "file":
            self.context.set_offline(True)  # no network at all; file:// still loads
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.blocked: list[str] = []
        self.errors: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("requestfailed", lambda r: self.errors.append(f"failed: {r.url} ({r.failure})"))

    def is_local(self, url: str) -> bool:
        return url.startswith(self.origin) or urlparse(url).scheme in ("data", "blob", "about")

    def _route(self, route):
        if self.is_local(route.request.url):
            route.continue_()
        else:
            self.blocked.append(route.request.url)
            route.abort("internetdisconnected")

    def open(self, path: str) -> dict:
        response = self.page.goto(f"{self.origin}/{path}", wait_until="load")
        assert response is None or response.ok, f"{path}: HTTP {response.status}"
        return self.page.evaluate(INSPECT)

    def close(self):
        self.context.close()


@pytest.fixture(params=MODES)
def offline(request, browser, origins):
    page = OfflinePage(browser, origins[request.param], request.param)
    yield page
    page.close()


def _site_file(site: Path, url: str, origin: str) -> tuple[Path, str]:
    """The file a same-site URL points at, and its #fragment."""
    parsed = urlparse(url[len(origin):])
    return site / parsed.path.lstrip("/"), parsed.fragment


@pytest.mark.parametrize("page", PAGES)
def test_page_renders_offline(page, offline, built_site):
    seen = offline.open(f"{page}.html")
    where = f"{page}.html ({offline.origin.split(':')[0]})"
    assert not offline.blocked, f"{where} requested off-site resources: {offline.blocked}"
    assert not offline.errors, f"{where} console errors: {offline.errors}"
    assert not seen["broken_images"], f"{where} images that did not load: {seen['broken_images']}"
    if seen["math"]:
        assert seen["mathjax"], f"{where} has math but no MathJax script"
        assert seen["rendered"] >= seen["math"], f"{where}: {seen['rendered']} of {seen['math']} formulas rendered"
    assert not seen["raw"], f"{where} raw TeX left: {seen['raw']}"
    assert not seen["merror"], f"{where}: {seen['merror']} formulas MathJax could not parse"
    for url in seen["links"]:  # every link within the site reaches a page (and anchor) that exists
        if not url.startswith(offline.origin):
            continue
        target, fragment = _site_file(built_site, url, offline.origin)
        if target.is_dir():
            target = target / "index.html"
        assert target.is_file(), f"{where} links to a missing page: {url}"
        if fragment and target.suffix == ".html":
            assert f'id="{fragment}"' in target.read_text(encoding="utf-8"), f"{where}: no anchor for {url}"


def test_index_opens_the_landing_page(offline):
    """The path ``make book`` prints (index.html) leads to the book's root page."""
    offline.page.goto(f"{offline.origin}/index.html")
    offline.page.wait_for_url(f"{offline.origin}/{PAGES[0]}.html")
    assert not offline.errors and not offline.blocked, (offline.errors, offline.blocked)


def test_landing_page_has_rendered_math(offline):
    seen = offline.open("book/intro.html")
    assert seen["math"] > 0 and seen["rendered"] >= seen["math"], seen


def test_sidebar_lists_the_table_of_contents_in_order(offline, built_site):
    """The navigation sidebar holds every toc page, in the toc's order, and each link resolves."""
    offline.open(f"{PAGES[0]}.html")
    hrefs = offline.page.eval_on_selector_all(".bd-sidebar-primary nav a.reference.internal", "as => as.map(a => a.href)")
    pages = []
    for href in hrefs:  # the root page is listed too (html.home_page_in_navbar)
        target, _ = _site_file(built_site, href, offline.origin)
        assert target.is_file(), f"sidebar link to a missing page: {href}"
        pages.append(target.relative_to(built_site).with_suffix("").as_posix())
    assert pages == PAGES


def test_next_buttons_walk_the_book(offline):
    """Following "next" from the landing page visits every toc page once, in order."""
    offline.open("book/intro.html")
    visited = [offline.page.url]
    while (link := offline.page.query_selector("a.right-next")) is not None:
        link.click()
        offline.page.wait_for_load_state("load")
        visited.append(offline.page.url)
        assert len(visited) <= len(PAGES), f"next links loop: {visited}"
    assert [u[len(offline.origin) + 1:-len(".html")] for u in visited] == PAGES
    assert not offline.errors, offline.errors


def test_screenshots(browser, origins):
    """Screenshots of the landing page and the first chapter, for a human to look at."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page = OfflinePage(browser, origins["file"], "file")
    try:
        shots = {"landing": "book/intro.html"}
        chapters = chapter_notebooks()
        if chapters:
            shots["chapter"] = f"notebooks/{chapters[0].stem}.html"
        for name, path in shots.items():
            seen = page.open(path)
            out = SCREENSHOTS / f"{name}.png"
            page.page.screenshot(path=str(out))
            assert out.stat().st_size > 10_000, f"{out} looks empty"
            if name == "chapter" and seen["images"]:  # and the chapter's first figure
                page.page.locator("main img").first.scroll_into_view_if_needed()
                page.page.screenshot(path=str(SCREENSHOTS / "chapter-figure.png"))
        assert not page.errors and not page.blocked, (page.errors, page.blocked)
    finally:
        page.close()
