"""MkDocs hook: the config reference page is generated from the workflow's schema."""

from biodl.config import schema_reference

PLACEHOLDER = "<!-- config reference -->"


def on_page_markdown(markdown, page, config, files):
    if PLACEHOLDER in markdown:
        return markdown.replace(PLACEHOLDER, schema_reference())
    return markdown
