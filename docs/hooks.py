"""MkDocs hooks: the config reference page is generated from the workflow's schema, and the
docstrings' Sphinx roles (:func:`name`) read as plain code."""

import re

from biodl.config import schema_reference

PLACEHOLDER = "<!-- config reference -->"
SPHINX_ROLE = re.compile(r":(?:func|class|meth|attr|data|mod|exc|obj):(?=<code)")


def on_page_markdown(markdown, page, config, files):
    if PLACEHOLDER in markdown:
        return markdown.replace(PLACEHOLDER, schema_reference())
    return markdown


def on_page_content(html, page, config, files):
    return SPHINX_ROLE.sub("", html)
