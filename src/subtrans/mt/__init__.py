"""Machine translation: model catalog, backends, sentence units, layout, cache.

Nothing in this package imports torch or transformers at import time; a
backend imports them when it loads a model.
"""
