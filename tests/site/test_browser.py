"""Build the site (strict), serve it on 127.0.0.1 and look at every page in headless Chromium.

For each page in the nav: no console errors, no request to any host but 127.0.0.1, math typeset
where there is math (KaTeX nodes present, no raw TeX delimiters left, no error nodes), plots
present on notebook pages, and a screenshot in screenshots/ for a person to look at. Plus: search
finds a known word, and math is typeset again after an instant navigation.

Select or deselect with ``-m browser`` / ``-m "not browser"``. Chromium is Debian's
(``apt-get install chromium``; ``make test`` installs it), driven by the playwright package; set
CHROMIUM to use another binary. ``playwright install`` is never needed.

Nothing leaves the machine: Chromium's proxy is a local sink that answers no request, and loopback
(this server) bypasses it; every request a page makes (its workers' too) is recorded, and any to a
host but 127.0.0.1 fails the page. The pages share one browser context, so its HTTP cache serves
the assets after the first page; each test opens its own page in it. A page is checked once it
has loaded, its fonts are ready and none of its requests is still in flight (no fixed waits).
The pages are visited PAGE_WORKERS at a time (two browsers, one per core) in the background while
the module's other tests run; each ``test_page[...]`` then reports its own page. Screenshots of whole
pages are taken at half size: rasterising a long page at full size was a third of its visit.
"""

import base64
import concurrent.futures
import contextlib
import functools
import html
import json
import os
import queue
import re
import shutil
import socketserver
import subprocess
import sys
import threading
import time
import traceback
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urljoin, urlsplit

import jupytext
import pytest
import yaml
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from playwright.sync_api import sync_playwright

from tests.site.harness import DOCS, ROOT, nav_entries, page_url

pytestmark = pytest.mark.browser

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = ROOT / "screenshots"
PAGES = nav_entries()
# A notebook page's own HTML at most (its stylesheet and plots are files: hooks/notebook_weight.py).
NOTEBOOK_HTML_LIMIT = 400_000
NBCONVERT_PLACEHOLDER_ALT = "No description has been provided for this image"
# axe-core from npm (package.json, pinned; `make setup` installs it): injected as an inline script,
# which the pages' Content-Security-Policy allows.
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
AXE_IMPACTS = ("serious", "critical")
# Serious or critical axe violations that come from the theme or a plugin and cannot be fixed by
# an override: (rule id, CSS selector the node's target contains) -> reason. Empty: none so far.
AXE_ALLOWED: dict[tuple[str, str], str] = {}
# Print: the page's width on A4 paper (210 mm less Chromium's default margins of about 10 mm a
# side, at 96 px per inch); phones: a common phone's viewport width.
A4_PRINT_WIDTH = 718
PHONE = {"width": 390, "height": 844}
# Browsers visiting the pages at once (the machines have 2 cores); PAGE_WORKERS=1 visits them in turn.
PAGE_WORKERS = int(os.environ.get("PAGE_WORKERS", "2"))


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def end_headers(self):
        # The site does not change while it is served: let the browser cache the assets.
        self.send_header("Cache-Control", "max-age=3600")
        super().end_headers()


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        if not isinstance(sys.exc_info()[1], ConnectionError):  # the browser dropped a connection
            super().handle_error(request, client_address)


class _Sink(socketserver.ThreadingTCPServer):
    """Chromium's proxy: takes every request for a host other than loopback, records its first line
    (``CONNECT host:443`` or ``GET http://host/...``) and closes the connection unanswered."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self):
        self.requests = []
        super().__init__(("127.0.0.1", 0), _SinkHandler)


class _SinkHandler(socketserver.BaseRequestHandler):
    def handle(self):
        self.request.settimeout(10)
        with contextlib.suppress(OSError):
            self.server.requests.append(self.request.recv(4096).split(b"\r\n", 1)[0].decode("latin-1"))


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """Build the site once, strictly, into a temporary folder and serve it; yields its base URL."""
    site_dir = tmp_path_factory.mktemp("site")
    server = _QuietServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(site_dir)))
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}  # Agg would drop the plots
    env["SITE_URL"] = base  # sitemap.xml (read by instant navigation) names this server
    start = time.monotonic()
    build = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site_dir)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    seconds = time.monotonic() - start
    assert build.returncode == 0, f"strict build failed:\n{build.stdout[-3000:]}\n{build.stderr[-6000:]}"
    print(f"\nstrict site build: {seconds:.1f} s")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield base, site_dir
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def sink():
    server = _Sink()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def _launch(playwright, sink):
    # Every host but loopback goes to the sink, which answers nothing: no request leaves the machine.
    proxy = f"--proxy-server=http://127.0.0.1:{sink.server_address[1]}"
    # Playwright gives each launch a fresh, temporary profile (user data dir).
    return playwright.chromium.launch(executable_path=CHROMIUM, args=[*CHROMIUM_FLAGS, proxy], headless=True)


def _new_context(browser, **options):
    return browser.new_context(viewport={"width": 1280, "height": 900}, **options)


@pytest.fixture(scope="module")
def screenshots():
    shutil.rmtree(SCREENSHOTS, ignore_errors=True)
    SCREENSHOTS.mkdir()
    return SCREENSHOTS


@pytest.fixture(scope="module")
def browser(sink, screenshots):
    assert os.path.exists(CHROMIUM), f"no Chromium at {CHROMIUM}: `make test` installs it (apt-get install chromium)"
    with sync_playwright() as playwright:
        chromium = _launch(playwright, sink)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def context(browser):
    """One context for the pages: its HTTP cache keeps the shared assets after the first page."""
    context = _new_context(browser)
    yield context
    context.close()


class Watched:
    """A fresh page that records console errors, uncaught exceptions and every request it (or one
    of its workers) makes; a request to any host but 127.0.0.1 is foreign. The browser's proxy
    (the sink) makes sure no foreign request leaves the machine."""

    def __init__(self, context):
        self.errors, self.foreign, self.in_flight = [], [], set()
        self.page = context.new_page()
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(f"console: {m.text}"))
        self.page.on("pageerror", lambda e: self.errors.append(f"uncaught: {e}"))
        self.page.on("request", self._request)
        self.page.on("requestfinished", lambda r: self.in_flight.discard(r))
        self.page.on("requestfailed", lambda r: self.in_flight.discard(r))

    def _request(self, request):
        url = urlsplit(request.url)
        if url.scheme not in ("data", "blob") and url.hostname != "127.0.0.1":
            self.foreign.append(request.url)
        self.in_flight.add(request)

    def goto(self, url):
        """Load url and let it settle: the load event, the web fonts, then no request in flight
        (the search index and the sitemap are fetched by scripts after the page itself)."""
        response = self.page.goto(url, wait_until="load")
        self.page.evaluate("() => document.fonts.ready.then(() => true)")
        self.settle()
        return response

    def settle(self, seconds=30):
        """Wait until none of the page's requests is in flight (polling the request events)."""
        deadline = time.monotonic() + seconds
        while self.in_flight and time.monotonic() < deadline:
            self.page.wait_for_timeout(10)
        if self.in_flight:
            self.errors.append(f"requests still in flight after {seconds} s: {[r.url for r in self.in_flight]}")

    def close(self):
        self.page.close()


@pytest.fixture
def watched(context):
    w = Watched(context)
    yield w
    w.close()


def test_watcher_catches_a_third_party_request_and_a_console_error(site, browser, sink):
    """The watcher itself, with the pages' Content-Security-Policy bypassed (it would refuse the
    planted script before any request: test_the_policy_refuses_a_third_party_script)."""
    base, _ = site
    context = _new_context(browser, bypass_csp=True)
    watched = Watched(context)
    watched.goto(base)
    with (
        watched.page.expect_event("requestfailed", lambda r: "cdn.example.invalid" in r.url),
        watched.page.expect_console_message(lambda m: m.text == "planted"),
    ):
        watched.page.evaluate("""() => {
            const s = document.createElement("script");
            s.src = "https://cdn.example.invalid/x.js";  // recorded by the watcher, stopped by the sink
            document.head.appendChild(s);
            console.error("planted");
        }""")
    assert watched.foreign == ["https://cdn.example.invalid/x.js"]
    assert "console: planted" in watched.errors
    assert "CONNECT cdn.example.invalid:443 HTTP/1.1" in sink.requests, "the request did not go to the sink"
    context.close()


def test_the_policy_refuses_a_third_party_script(site, watched, sink):
    """With the pages' Content-Security-Policy in force, a script from elsewhere is refused in the
    browser: the request never leaves it, and the refusal is a console error (which fails any page)."""
    base, _ = site
    watched.goto(base)
    with watched.page.expect_console_message(lambda m: "Content Security Policy" in m.text):
        watched.page.evaluate("""() => {
            const s = document.createElement("script");
            s.src = "https://refused.example.invalid/x.js";
            document.head.appendChild(s);
        }""")
    watched.settle()
    assert not any("refused.example.invalid" in r for r in sink.requests), "the request left the browser"
    # The attempt is still seen (and so fails a page twice: a foreign request and a console error).
    assert watched.foreign == ["https://refused.example.invalid/x.js"]
    assert any("Content Security Policy" in e for e in watched.errors), watched.errors


def test_every_page_carries_the_content_security_policy(site):
    """Every built page has the policy of mkdocs.yml as a meta tag before its first script."""
    _, site_dir = site
    policy = yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), _AnyTagLoader)
    policy = policy["extra"]["content_security_policy"]
    assert "default-src 'self'" in policy and "http" not in policy
    pages = sorted(site_dir.rglob("*.html"))
    assert len(pages) > len(PAGES)
    for page in pages:
        head = page.read_text(encoding="utf-8").split("</head>", 1)[0]
        tag = _CSP_META.search(head)
        assert tag, f"{page.relative_to(site_dir)}: no Content-Security-Policy meta tag"
        assert html.unescape(tag.group("policy")) == policy, page.relative_to(site_dir)
        assert "<script" not in head[: tag.start()], f"{page.relative_to(site_dir)}: a script before the policy"


_CSP_META = re.compile(r'<meta http-equiv="Content-Security-Policy" content="(?P<policy>[^"]*)">')


class _AnyTagLoader(yaml.SafeLoader):
    """mkdocs.yml as plain data: its tags (``!ENV [...]``) read as nothing."""


_AnyTagLoader.add_multi_constructor("!", lambda loader, suffix, node: None)


def _notebook_has_math(src):
    notebook = jupytext.read(DOCS / src)
    return any("$" in cell.source for cell in notebook.cells if cell.cell_type == "markdown")


# Text of the page body outside code, outputs and typeset math: where raw TeX must not survive.
_UNTYPESET_TEXT = """() => {
  const article = document.querySelector("article").cloneNode(true);
  article.querySelectorAll("pre, code, script, style, .katex, .highlight, .highlight-ipynb")
         .forEach((el) => el.remove());
  return article.textContent;
}"""


# KaTeX (throwOnError: false) shows a parse error as .katex-error, but an undefined command such as
# \badmacro only as its name in the error colour: found through the MathML it writes beside it.
_KATEX = """() => ({
  typeset: document.querySelectorAll("article .katex").length,
  errors: [
    ...[...document.querySelectorAll("article .katex-error")].map((e) => e.getAttribute("title") || e.innerText),
    ...[...document.querySelectorAll('article .katex-mathml mstyle[mathcolor="#cc0000"] > mtext')]
      .filter((e) => e.textContent.startsWith("\\\\"))
      .map((e) => `undefined TeX command ${e.textContent}`),
  ],
})"""


def _math_problems(page):
    problems = []
    katex = page.evaluate(_KATEX)
    if katex["typeset"] == 0:
        problems.append("no typeset math (.katex) although the page has math")
    problems += [f"KaTeX error: {error}" for error in katex["errors"]]
    text = page.evaluate(_UNTYPESET_TEXT)
    for raw in ("$$", "\\(", "\\)", "\\[", "\\]", "$"):
        if raw in text:
            where = text.index(raw)
            problems.append(f"raw TeX {raw!r} left in the text: ...{text[max(0, where - 60) : where + 60]!r}...")
            break
    return problems


def _screenshot(page, src, prefix="", full_page=True):
    """screenshots/<page>.jpg (JPEG: encoding a PNG of a long page costs seconds): the whole page at
    half size (640 px wide; its raster time is half that of the full size), or the viewport."""
    path = SCREENSHOTS / f"{prefix + (page_url(src) or 'index').strip('/').replace('/', '__')}.jpg"
    if not full_page:
        page.screenshot(path=path, type="jpeg", quality=85)
        return
    width, height = page.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.scrollHeight]")
    clip = {"x": 0, "y": 0, "width": width, "height": height, "scale": 0.5}
    cdp = page.context.new_cdp_session(page)
    try:
        shot = cdp.send(
            "Page.captureScreenshot", {"format": "jpeg", "quality": 85, "captureBeyondViewport": True, "clip": clip}
        )
    finally:
        cdp.detach()
    path.write_bytes(base64.b64decode(shot["data"]))


_AXE_RUN = """async (impacts) => {
  const result = await axe.run(document, { resultTypes: ["violations"] });
  return result.violations
    .filter((v) => impacts.includes(v.impact))
    .map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => n.target.join(" ")) }));
}"""


def _axe_problems(page, scheme="light"):
    """Every serious or critical axe-core violation on the page, one line per rule: its id, how
    many nodes and the first targets; nodes that AXE_ALLOWED lists (with a reason) are left out."""
    page.add_script_tag(content=AXE_JS.read_text(encoding="utf-8"))
    problems = []
    for violation in page.evaluate(_AXE_RUN, list(AXE_IMPACTS)):
        targets = [
            t
            for t in violation["targets"]
            if not any(rule == violation["id"] and where in t for rule, where in AXE_ALLOWED)
        ]
        if targets:
            problems.append(
                f"axe {violation['impact']} {violation['id']} ({scheme}): {len(targets)} node(s), "
                f"{violation['help']}; first: {targets[:3]}"
            )
    return problems


# Displays, tables and code in the article wider than the box that holds them (so cut, or
# scrolling), each named by its first characters of TeX or text.
_DISPLAYS = "article .katex-display"
_BLOCKS = ", ".join(
    f"article {s}" for s in (".katex-display", "table", "pre", ".highlight-ipynb", ".md-typeset__scrollwrap")
)
_WIDE = """(selector) => [...document.querySelectorAll(selector)]
  .filter((el) => el.offsetParent !== null && el.scrollWidth > el.clientWidth + 1)
  .map((el) => {
    const tex = el.querySelector("annotation");
    const text = (tex ? tex.textContent : el.textContent).replace(/\\s+/g, " ").trim();
    const what = `${el.tagName.toLowerCase()}.${el.className.split(" ")[0]}`;
    return `${what} ${el.scrollWidth}>${el.clientWidth} px: ${text.slice(0, 50)}`;
  })"""

_OPEN_DETAILS = "() => document.querySelectorAll('details').forEach((d) => { d.open = true; })"


def _print_problems(page):
    """At A4 width in print media, with every Checked box open: nothing in the article is cut."""
    page.emulate_media(media="print")
    page.set_viewport_size({"width": A4_PRINT_WIDTH, "height": 1000})
    page.evaluate(_OPEN_DETAILS)  # Material opens them on beforeprint, which page.pdf() may not fire
    return [f"cut in print at A4 width: {wide}" for wide in page.evaluate(_WIDE, _BLOCKS)]


# At a phone's width a display breaks between its top-level terms (KaTeX's .katex-base boxes); one
# wider than its column is a problem unless a single term alone nearly fills it (a matrix, a long
# fraction, an aligned block; KaTeX's struts and margins add a few pixels to a term's own width).
_UNBROKEN = """(selector) => [...document.querySelectorAll(selector)]
  .filter((el) => el.offsetParent !== null && el.scrollWidth > el.clientWidth + 1)
  .filter((el) => [...el.querySelectorAll(".katex-html > .katex-base")]
    .every((term) => term.getBoundingClientRect().width < el.clientWidth - 4))
  .map((el) => `${el.scrollWidth}>${el.clientWidth} px: ${el.querySelector("annotation").textContent.slice(0, 50)}`)"""


def _phone_problems(page):
    """At a phone's width: the page does not scroll sideways (only its displays and code may), and a
    display scrolls only if one of its terms is wider than the column (else it breaks between them)."""
    page.emulate_media(media="screen")
    page.set_viewport_size(PHONE)
    width = page.evaluate("() => [document.documentElement.scrollWidth, document.body.scrollWidth]")
    problems = [f"page wider than a {PHONE['width']} px phone: {max(width)} px"] if max(width) > PHONE["width"] else []
    return problems + [f"display not broken at a phone's width: {wide}" for wide in page.evaluate(_UNBROKEN, _DISPLAYS)]


def _check_page(watched, base, src):
    """Everything checked on one page; returns the problems found (none: the page passes)."""
    page = watched.page
    response = watched.goto(base + page_url(src))
    if response is None or not response.ok:
        return [f"HTTP {response and response.status}"]

    is_notebook = src.endswith(".py")
    has_math = _notebook_has_math(src) if is_notebook else page.locator("article .arithmatex").count() > 0
    problems = []
    if has_math:
        with contextlib.suppress(PlaywrightTimeoutError):  # no typeset math: reported by _math_problems
            page.wait_for_selector("article .katex", timeout=10_000)
        problems += _math_problems(page)
    if is_notebook:
        images = page.locator(".jupyter-wrapper .jp-RenderedImage img")
        if images.count() == 0:
            problems.append("notebook page without a plot image")
        # The plots load lazily: ask for them all, then see that each decoded.
        broken = page.evaluate(
            """async () => {
                const images = [...document.querySelectorAll('.jupyter-wrapper img')];
                images.forEach((img) => { img.loading = 'eager'; });
                await Promise.all(images.map((img) => img.decode().catch(() => null)));
                return images.filter((img) => !(img.complete && img.naturalWidth > 0)).length;
            }"""
        )
        if broken:
            problems.append(f"{broken} image(s) did not load")
        download = page.locator("a.matgrad-download")
        if download.count() != 1:
            problems.append("no download button for the notebook source")
        else:
            source = page.request.get(urljoin(page.url, download.get_attribute("href")))
            if not (source.ok and source.text() == (DOCS / src).read_text(encoding="utf-8")):
                problems.append("the download button does not serve the notebook's source")

        size = len(response.body())
        if size > NOTEBOOK_HTML_LIMIT:
            problems.append(f"notebook page HTML is {size / 1000:.0f} KB (limit {NOTEBOOK_HTML_LIMIT / 1000:.0f} KB)")
    missing_alt = page.evaluate(
        "(placeholder) => [...document.querySelectorAll('article img')]"
        ".filter((img) => !img.alt || !img.alt.trim() || img.alt === placeholder).map((img) => img.src)",
        NBCONVERT_PLACEHOLDER_ALT,
    )
    problems += [f"image without a real alt text: {src[:80]}" for src in missing_alt]
    problems += _axe_problems(page)
    # A display wider than its column scrolls (with a cue, docs/javascripts/a11y.js), but long
    # displays are broken over lines so that none needs to on a desktop.
    problems += [f"display wider than its column at 1280 px: {wide}" for wide in page.evaluate(_WIDE, _DISPLAYS)]

    _screenshot(page, src)
    problems += _print_problems(page)
    problems += _phone_problems(page)
    watched.settle()  # anything the checks set off has finished, and its errors are in
    problems += watched.errors
    problems += [f"request to a third party: {url}" for url in watched.foreign]
    return problems


def _visit_pages(sources, base, sink):
    """One browser (own Playwright, own thread) visits pages from the queue until it is empty."""
    reports = {}
    with sync_playwright() as playwright:
        chromium = _launch(playwright, sink)
        context = _new_context(chromium)
        while True:
            try:
                src = sources.get_nowait()
            except queue.Empty:
                break
            watched = Watched(context)
            try:
                reports[src] = _check_page(watched, base, src)
            except Exception:
                reports[src] = [f"the visit failed:\n{traceback.format_exc()}"]
            finally:
                watched.close()
        context.close()
        chromium.close()
    return reports


@pytest.fixture(scope="module", autouse=True)
def page_visits(request):
    """Starts visiting, in the background, every page that a test_page of this run asks for,
    PAGE_WORKERS at a time (Playwright's sync API is one per thread: each worker has its own
    browser). The module's other tests run meanwhile; each test_page waits for the reports."""
    wanted = [
        item.callspec.params["src"]
        for item in request.session.items
        if isinstance(item, pytest.Function) and item.module is request.module and item.originalname == "test_page"
    ]
    if not wanted:
        yield None
        return
    assert os.path.exists(CHROMIUM), f"no Chromium at {CHROMIUM}: `make test` installs it (apt-get install chromium)"
    base, _ = request.getfixturevalue("site")
    sink = request.getfixturevalue("sink")
    request.getfixturevalue("screenshots")  # the folder is emptied before anyone writes to it
    sources = queue.Queue()
    for src in wanted:
        sources.put(src)
    workers = max(1, min(PAGE_WORKERS, len(wanted)))
    with concurrent.futures.ThreadPoolExecutor(workers, thread_name_prefix="pages") as pool:
        yield [pool.submit(_visit_pages, sources, base, sink) for _ in range(workers)]


@pytest.fixture(scope="module")
def page_reports(page_visits):
    """src -> the problems found on that page (waits for the visits to end)."""
    reports = {}
    for visits in page_visits:
        reports.update(visits.result())
    return reports


def test_search_finds_a_known_word(site, watched):
    base, _ = site
    page = watched.page
    watched.goto(base)
    search = page.locator("input.md-search__input")
    search.click()
    # The index loads in a web worker; a query typed before it is ready is not run again.
    page.wait_for_function(
        "() => !document.querySelector('.md-search-result__meta').textContent.includes('Initializing')",
        timeout=30_000,
    )
    search.fill("softmax cross-entropy")
    search.press("End")  # Material reads the query on keyup
    results = page.locator(".md-search-result__item a")
    results.first.wait_for(timeout=15_000)
    hrefs = [results.nth(i).get_attribute("href") for i in range(results.count())]
    assert "/softmax-cross-entropy/" in hrefs[0], f"best result is not the softmax cross-entropy page: {hrefs}"
    # The derivation page, not the API reference (boosted down in its front matter), comes first.
    for query, best in [
        ("bias gradient", "/batch-extension/"),
        ("softmax jacobian", "/softmax-cross-entropy/"),
        ("1/N", "/derivations/gradient_check_anatomy/"),
    ]:
        search.fill(query)
        search.press("End")
        # Wait for this query's results: their links carry its first word (?h=...), the last ones did not.
        page.wait_for_function(
            "w => { const a = document.querySelector('.md-search-result__item a');"
            " return a && decodeURIComponent(a.href).toLowerCase().includes('h=' + w); }",
            arg=query.split()[0].lower(),
            timeout=15_000,
        )
        hrefs = [results.nth(i).get_attribute("href") for i in range(results.count())]
        assert best in hrefs[0], f"{query!r}: the best result is not {best}: {hrefs[:5]}"
    assert not watched.errors and not watched.foreign, watched.errors + watched.foreign


def test_math_is_typeset_after_instant_navigation(site, watched):
    """Material's instant navigation swaps the page without reloading it: math must be typeset
    again, on a Markdown page and on a notebook page reached from it."""
    base, _ = site
    page = watched.page
    watched.goto(base)
    page.evaluate("() => { window.__sameDocument = true; }")
    markdown = next(p for p in PAGES if p.endswith(".md") and p != "index.md" and "$" in (DOCS / p).read_text())
    notebook = next(p for p in PAGES if p.endswith(".py") and _notebook_has_math(p))
    for target in (markdown, notebook):
        page.evaluate("() => { document.querySelector('article').dataset.previousPage = 'yes'; }")
        page.locator(f"nav.md-nav--primary a[href$='{page_url(target)}']").first.click()
        page.wait_for_url(re.compile(re.escape(page_url(target)) + "$"))
        # The URL changes before the content is swapped in: wait for the new article, then its math.
        page.wait_for_selector("article:not([data-previous-page])", state="attached", timeout=30_000)
        if target.endswith(".py"):
            page.wait_for_selector(".jupyter-wrapper .jp-RenderedImage img", state="attached", timeout=30_000)
        page.wait_for_selector("article:not([data-previous-page]) .katex", timeout=10_000)
        assert page.evaluate("() => window.__sameDocument === true"), f"{target}: the click reloaded the page"
        assert not _math_problems(page), (target, _math_problems(page))
    assert page.locator(".jupyter-wrapper .jp-RenderedImage img").count() > 0, "notebook plots missing"
    assert not watched.errors and not watched.foreign, watched.errors + watched.foreign


def test_search_index_is_plain_text(site):
    """The teasers of search results show no raw TeX and no pilcrow (hooks/search_text.py)."""
    _, site_dir = site
    docs = json.loads((site_dir / "search" / "search_index.json").read_text(encoding="utf-8"))["docs"]
    prose = [
        (d["location"], re.sub(r"<code>.*?</code>|<pre>.*?</pre>", "", d["title"] + d["text"], flags=re.S))
        for d in docs
    ]
    tex = r"\\(?:[dt]?frac|partial|operatorname|math[a-z]+|top|lambda|sum|odot|otimes|times|begin|end|q?quad)\b"
    raw = [where for where, text in prose if re.search(tex + r"|\\[()\[\]]|\$\$", text)]
    pilcrows = [d["location"] for d in docs if "¶" in d["title"] + d["text"]]
    assert not raw, f"raw TeX in the search index: {raw[:10]}"
    assert not pilcrows, f"pilcrows in the search index: {pilcrows[:10]}"


def test_built_site_has_every_page_and_the_notebook_sources(site):
    _, site_dir = site
    missing = [src for src in PAGES if not (site_dir / page_url(src) / "index.html").is_file()]
    assert not missing, missing
    for src in (p for p in PAGES if p.endswith(".py")):
        copied = site_dir / page_url(src) / src.rsplit("/", 1)[-1]
        assert copied.read_text(encoding="utf-8") == (DOCS / src).read_text(encoding="utf-8")
    cdn = re.compile(r"https?://[^\s\"'()]*(cdn|unpkg|jsdelivr|googleapis|gstatic|polyfill)", re.I)
    leaks = {str(p.relative_to(site_dir)): cdn.findall(p.read_text(encoding="utf-8")) for p in site_dir.rglob("*.html")}
    assert not any(leaks.values()), {page: hosts for page, hosts in leaks.items() if hosts}
    vendored = site_dir / "assets" / "vendor" / "katex"
    assert (vendored / "katex.min.js").is_file() and any((vendored / "fonts").glob("*.woff2"))


def test_api_page_renders_every_public_name_and_registered_function(site):
    """The built API page has the heading of each name matgrad exports and of each registered function."""
    import matgrad
    from matgrad import registry

    modules = [
        m for n, m in sys.modules.items() if n.startswith("matgrad.") and not n.rsplit(".", 1)[-1].startswith("_")
    ]
    wanted = {f"{m.__name__}.{name}" for m in modules for name in getattr(m, "__all__", ()) if name in matgrad.__all__}
    assert {n.rsplit(".", 1)[-1] for n in wanted} == set(matgrad.__all__), "a public name no module's __all__ lists"
    wanted |= {f"{f.__module__}.{name}" for name, f in registry.functions().items()}
    html = (site[1] / "api" / "index.html").read_text(encoding="utf-8")
    missing = wanted - set(re.findall(r'id="(matgrad\.[\w.]+)"', html))
    assert not missing, f"docs/api.md does not render {sorted(missing)}"


_PROSE_LUMINANCE = """() => {
  const el = document.querySelector("article .jp-RenderedMarkdown p") || document.querySelector("article p");
  const [r, g, b] = getComputedStyle(el).color.match(/[0-9.]+/g).map(Number);
  return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;
}"""

# The slate scheme changes every colour; notebook code has its own palette (extra.css maps it onto
# Material's): axe runs on the home page, a Markdown page with code and every notebook in dark too.
DARK_PAGES = ["index.md", "trace-tricks.md", *[p for p in PAGES if p.endswith(".py")]]


@pytest.mark.parametrize("src", DARK_PAGES, ids=[page_url(p) or "index" for p in DARK_PAGES])
def test_dark_mode_is_readable(src, site, browser):
    """A reader whose system is dark gets Material's slate scheme, notebooks included. A fresh
    context: Material keeps the palette it picked in localStorage, so a visited one stays light."""
    base, _ = site
    context = _new_context(browser, color_scheme="dark")
    watched = Watched(context)
    try:
        page = watched.page
        watched.goto(base + page_url(src))
        assert page.evaluate("() => document.body.getAttribute('data-md-color-scheme')") == "slate"
        assert page.evaluate(_PROSE_LUMINANCE) > 0.6, "dark text on the dark background"
        _screenshot(page, src, prefix="dark__", full_page=False)
        axe = _axe_problems(page, scheme="dark")
        assert not axe, "\n".join(axe)
        assert not watched.errors and not watched.foreign, watched.errors + watched.foreign
    finally:
        context.close()


MARKDOWN_PAGES = [p for p in PAGES if p.endswith(".md")]


def test_the_print_edition_has_every_page_and_nothing_cut(site, watched):
    """The print edition (mkdocs-print-site-plugin): one page holding every page of the nav, each
    as the hooks made it (Checked boxes with their records, notebooks without inlined styles), and
    at A4 width in print media nothing in it is cut."""
    base, site_dir = site
    html = (site_dir / "print_page" / "index.html").read_text(encoding="utf-8")
    sections = re.findall(r'<section class="print-page" id="([^"]*)"', html)
    assert len(sections) == len(PAGES), (len(sections), len(PAGES))
    assert 'data-check-status="passed"' in html, "the Checked boxes lack their records (hooks/results.py)"
    assert "data:image/png;base64" not in html, "notebook plots inlined: hooks/notebook_weight.py did not run"
    page = watched.page
    page.set_default_navigation_timeout(180_000)  # every page's math at once: slow on a loaded machine
    page.set_default_timeout(180_000)
    watched.goto(base + "print_page/")
    cut = _print_problems(page)
    assert not cut, "\n".join(cut)
    assert not watched.errors and not watched.foreign, watched.errors + watched.foreign


@pytest.mark.parametrize("src", MARKDOWN_PAGES, ids=[page_url(p) or "index" for p in MARKDOWN_PAGES])
def test_every_checked_box_shows_that_its_checks_passed(src, site):
    """The strict build wrote each Checked box's record into it (hooks/results.py): every one passed."""
    html = (site[1] / page_url(src) / "index.html").read_text(encoding="utf-8")
    boxes = re.findall(r"<details\b[^>]*\bclass=\"success\"[^>]*>", html)
    assert all('data-check-status="passed"' in box for box in boxes), [b for b in boxes if "passed" not in b]


def test_results_graph_links_reach_their_results(site):
    """Each node of the dependency graph links to an element with its id on a built page."""
    _, site_dir = site
    html = (site_dir / "results" / "index.html").read_text(encoding="utf-8")
    svg = html[html.index('<div class="matgrad-graph">') :]
    links = re.findall(r'xlink:href="([^"]+)"', svg[: svg.index("</svg>")])
    assert links and (site_dir / "results" / "graph.svg").is_file()
    for link in links:
        path, _, anchor = link.partition("#")
        target = (site_dir / "results" / path / "index.html").resolve()
        assert target.is_file(), link
        assert not anchor or f'id="{anchor}"' in target.read_text(encoding="utf-8"), link


# Last in the module: the other tests run while the pages are being visited.
@pytest.mark.parametrize("src", PAGES, ids=[page_url(p) or "index" for p in PAGES])
def test_page(src, page_reports):
    problems = page_reports[src]
    assert not problems, f"{src}:\n  " + "\n  ".join(problems)
