"""Glossaries (termbases): reading them, finding their terms, and checking translations for them.

- :func:`load_glossary` / :func:`load_glossaries` read TSV, CSV and TBX files
  (:mod:`.files`) into a :class:`Glossary` of :class:`Term` values; several
  files merge, a later one winning, conflicts reported as warnings;
- :func:`find_terms` finds terms in a source text (Russian by lemma with
  pymorphy3, Chinese by longest match with Traditional normalised);
- :func:`target_forms` lists the forms a decoder may use for a term (every
  Russian case and number, adjectives agreeing);
- :func:`target_present` and :func:`forbidden_present` check a translation;
- :func:`register_jieba_terms` keeps the terms whole in jieba's segmentation.

Importing this package is light: pymorphy3, OpenCC, jieba and defusedxml
are imported on first use.
"""

from .files import load_glossaries, load_glossary
from .match import TermMatch, find_terms, forbidden_present, register_jieba_terms, target_forms, target_present
from .terms import Glossary, Term

__all__ = [
    "Term", "Glossary", "TermMatch", "load_glossary", "load_glossaries", "find_terms", "target_forms",
    "target_present", "forbidden_present", "register_jieba_terms",
]
