"""The print edition (mkdocs-print-site-plugin, /print_page/) gets each page as the hooks leave it.

The plugin keeps a page's HTML in its own ``on_page_content``, which runs before the hooks'
(hooks/notebook_offline.py, notebook_weight.py and results.py change the HTML there): without this
hook the print edition would show notebooks with their inlined stylesheet and base64 plots, and
Checked boxes without their records. Running last, it hands the plugin the final HTML.

The plugin also warns, in strict mode fatally, that it is not the last plugin: it counts the hooks
only when ``hooks:`` is a mapping, and MkDocs takes a list, so a list of hooks always looks like
plugins after it. That one warning is dropped here (this hook is what makes the order right).
"""

import logging

from mkdocs.plugins import event_priority

_LAST_PLUGIN_WARNING = "'print-site' should be defined as the *last* plugin"


class _DropLastPluginWarning(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return _LAST_PLUGIN_WARNING not in record.getMessage()


_FILTER = _DropLastPluginWarning()


@event_priority(100)  # before the plugin's on_config, which warns
def on_config(config):
    logging.getLogger("mkdocs.plugins").addFilter(_FILTER)
    return config


@event_priority(-100)  # after every other on_page_content
def on_page_content(html, page, config, files):
    plugin = config.plugins.get("print-site")
    if plugin is not None and page is not getattr(plugin, "print_page", None):
        page.html = html
    return html
