"""The package version, in a module of its own so that any module can read it without importing the package."""

__version__ = "0.1.0"

#: Where the documentation lives (SARIF's informationUri and each rule's helpUri point into it).
DOCS_URL = "https://github.com/subtrans-ruzh/subtrans-ruzh/blob/main/docs"
