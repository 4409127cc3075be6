"""Notebook pages carry no third-party URL.

nbconvert's template adds to every notebook page a script that, if the notebook had a Mermaid
diagram, would import Mermaid from a CDN. No notebook here draws one, and the site loads nothing
from a third party, so the script is removed. (MathJax, the template's other CDN script, is
disabled in mkdocs.yml with custom_mathjax_url; KaTeX typesets notebook math.) What is left of
MathJax, the emptied loader (a ``data:`` script, which the pages' Content-Security-Policy would
refuse and report) and its configuration script, is removed too.
"""

import re

MERMAID_LOADER = re.compile(r"<script type=\"module\">(?:(?!</script>).)*?\.jp-Mermaid.*?</script>", re.S)
MATHJAX = re.compile(
    r'<script src="data:text/javascript,">\s*</script>|<script type="text/x-mathjax-config">.*?</script>', re.S
)


def on_page_content(html, page, config, files):
    if getattr(page, "nb_url", None):  # set by mkdocs-jupyter on notebook pages
        html = MERMAID_LOADER.sub("", html)
        html = MATHJAX.sub("", html)
    return html
