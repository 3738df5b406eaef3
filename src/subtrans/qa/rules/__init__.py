"""The built-in QA rules; importing this package registers them."""

from . import bilingual, layout, parity, reading, speed, text, timing  # noqa: F401
