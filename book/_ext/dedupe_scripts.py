"""Sphinx extension: drop repeated inline scripts from every page.

Sphinx 7.4 registers a script added with ``app.add_js_file(None, body=...)`` once under the name
``None`` and once under ``""`` when an extension adds it after the builder started, so pages carry
sphinx-thebe's ``const THEBE_JS_URL = ...`` twice and the browser reports "Identifier
'THEBE_JS_URL' has already been declared". Keep the first copy of each script.
"""


def _dedupe(app, pagename, templatename, context, doctree):
    seen, unique = set(), []
    for script in context.get("script_files", []):
        key = (script.filename or "", tuple(sorted(script.attributes.items())))
        if key not in seen:
            seen.add(key)
            unique.append(script)
    context["script_files"] = unique


def setup(app):
    app.connect("html-page-context", _dedupe)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
