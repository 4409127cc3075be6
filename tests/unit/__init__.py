"""Unit tests of the matgrad package, one file per module."""
