"""Machine translation engines: the model catalog, backends, term constraints, the translation memory's storage.

The pipeline that uses them, stage by stage, is :mod:`subtrans.pipeline`.

Nothing in this package imports torch or transformers at import time; a
backend imports them when it loads a model.
"""
