"""Render an executed report notebook as self-contained HTML for leadership.

nbconvert's JupyterLab template, minus every script it would fetch from a CDN
(require.js, MathJax, Mermaid, widgets), with no code and no prompts, plus a title
block, a table of contents built from the notebook's headings and a source note.
Outputs that carry scripts are shown as their plain-text form instead, so a
customer name such as ``<script>alert(1)</script>`` can only ever appear as text.
"""

from __future__ import annotations

import copy
import html
import re
from html.parser import HTMLParser
from pathlib import Path

__all__ = ["render_html", "table_of_contents", "strip_active_outputs"]

_TEMPLATES = Path(__file__).parent / "templates"
_TOC_MARKER = "<!--arkit-toc-->"
_SCRIPT = re.compile(r"<\s*script|\bon[a-z]+\s*=|javascript:", re.IGNORECASE)
# Output types that exist to run code in the reader's browser.
_ACTIVE_MIMES = (
    "application/javascript",
    "text/javascript",
    "application/vnd.jupyter.widget-view+json",
    "application/vnd.jupyter.widget-state+json",
)

_LABELS = {
    "en": {
        "as_of": "As of {as_of}",
        "contents": "Contents",
        "source": "Source",
        "audience": " · audience: {audience}",
    },
    "zh": {
        "as_of": "截至 {as_of}",
        "contents": "目录",
        "source": "数据来源",
        "audience": " · 受众：{audience}",
    },
}


def strip_active_outputs(nb):
    """Return a copy of ``nb`` whose outputs cannot run scripts in the reader's browser.

    JavaScript and widget outputs are dropped; an HTML output containing a script
    tag, an event-handler attribute or a ``javascript:`` URL falls back to its
    ``text/plain`` form (which nbconvert escapes).
    """
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            data = output.get("data")
            if not data:
                continue
            for mime in _ACTIVE_MIMES:
                data.pop(mime, None)
            if "text/html" in data and _SCRIPT.search(str(data["text/html"])):
                del data["text/html"]
                data["text/plain"] = "[HTML output withheld: it contained a script]"
    nb.metadata.pop("widgets", None)
    return nb


class _Headings(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[int, str, str]] = []
        self._current: list | None = None
        self._in_anchor = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag in ("h2", "h3") and attributes.get("id"):
            self._current = [int(tag[1]), attributes["id"], ""]
        elif tag == "a" and "anchor-link" in (attributes.get("class") or ""):
            self._in_anchor = True

    def handle_endtag(self, tag):
        if tag == "a":
            self._in_anchor = False
        elif tag in ("h2", "h3") and self._current is not None:
            level, ident, text = self._current
            self.found.append((level, ident, text.strip()))
            self._current = None

    def handle_data(self, data):
        if self._current is not None and not self._in_anchor:
            self._current[2] += data


def table_of_contents(body: str, heading: str = "Contents") -> str:
    """Build a ``<nav>`` listing the ``h2``/``h3`` headings (with ids) of ``body``.

    >>> print(table_of_contents('<h2 id="a-b">A &amp; B<a class="anchor-link">¶</a></h2>'))
    <nav class="arkit-toc"><strong>Contents</strong><ul><li class="arkit-toc-2"><a href="#a-b">A &amp; B</a></li></ul></nav>
    """
    parser = _Headings()
    parser.feed(body)
    if not parser.found:
        return ""
    items = "".join(
        f'<li class="arkit-toc-{level}"><a href="#{html.escape(ident)}">{html.escape(text)}</a></li>'
        for level, ident, text in parser.found
    )
    return f'<nav class="arkit-toc"><strong>{html.escape(heading)}</strong><ul>{items}</ul></nav>'


def render_html(
    nb,
    *,
    title: str,
    as_of: str,
    source_note: list[tuple[str, str]],
    question: str = "",
    audience: str = "all",
    language: str = "en",
) -> str:
    """Render an executed notebook to one self-contained HTML page.

    Parameters
    ----------
    nb : nbformat.NotebookNode
        The executed notebook.
    title, as_of, question : str
        Shown in the header ("As of 2026-11-30").
    source_note : list of (label, value)
        Rows of the source note at the bottom (data source, parameters, ...).
    audience : str
        Shown in the subtitle unless ``"all"``.
    language : str
        ``"en"`` or ``"zh"`` for the page's own labels.

    Returns
    -------
    str
    """
    from nbconvert import HTMLExporter

    labels = _LABELS.get(language, _LABELS["en"])
    subtitle = labels["as_of"].format(as_of=as_of)
    if audience != "all":
        subtitle += labels["audience"].format(audience=audience)
    nb = strip_active_outputs(nb)
    nb.metadata["title"] = title
    exporter = HTMLExporter(
        template_name="arkit",
        extra_template_basedirs=[str(_TEMPLATES)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        embed_images=True,
        language_code="zh" if language == "zh" else "en",
    )
    resources = {
        "arkit": {
            "title": title,
            "subtitle": subtitle,
            "question": question,
            "source_heading": labels["source"],
            "source_note": source_note,
        },
    }
    body, _ = exporter.from_notebook_node(nb, resources=resources)
    return body.replace(_TOC_MARKER, table_of_contents(body, labels["contents"]), 1)
