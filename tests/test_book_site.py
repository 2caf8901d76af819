"""The built site, read as files: every page of the toc exists, MathJax ships with it, and no page
or stylesheet loads anything from the network (links to papers may point outside; assets may not)."""
from __future__ import annotations

import re

from conftest import toc_pages

# <script src=...>, <link href=...> (stylesheets, preloads, icons), <img src=...>, <iframe src=...>
ASSET = re.compile(r"<(script|link|img|iframe|source)\b[^>]*?\b(src|href)=\"([^\"]+)\"", re.I)
REMOTE = re.compile(r"^(https?:)?//", re.I)
CSS_URL = re.compile(r"url\(\s*['\"]?((https?:)?//[^'\")]+)", re.I)


def test_every_toc_page_is_built(built_site):
    missing = [p for p in toc_pages() if not (built_site / f"{p}.html").is_file()]
    assert not missing, f"pages of the toc missing from the site: {missing}"


def test_mathjax_ships_with_the_site(built_site):
    assert (built_site / "_static" / "mathjax" / "tex-chtml.js").is_file()
    intro = (built_site / "book" / "intro.html").read_text(encoding="utf-8")
    assert re.search(r'<script[^>]*\bsrc="\.\./_static/mathjax/tex-chtml\.js"', intro), "MathJax not local"


def test_no_remote_assets_in_html(built_site):
    remote = {}
    for page in built_site.rglob("*.html"):
        found = [m.group(3) for m in ASSET.finditer(page.read_text(encoding="utf-8"))
                 if REMOTE.match(m.group(3)) and not m.group(0).lower().startswith("<link rel=\"canonical\"")]
        if found:
            remote[str(page.relative_to(built_site))] = found
    assert not remote, f"pages load assets from the network: {remote}"


def test_no_remote_urls_in_stylesheets(built_site):
    remote = {str(css.relative_to(built_site)): CSS_URL.findall(css.read_text(encoding="utf-8", errors="replace"))
              for css in built_site.rglob("*.css")}
    assert not {k: v for k, v in remote.items() if v}, remote
