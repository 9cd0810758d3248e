"""Xiezhi (獬豸): township–county comprehensive administrative enforcement coordination and supervision."""

__version__ = "0.1.0"
