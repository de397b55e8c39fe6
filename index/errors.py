"""Exceptions raised by the index package.

Every message says what the user can do next; the command line prints it as one line.

    SanadError
    ├── InputError            the text, question or file given cannot be used
    ├── ModelError            the embedding model cannot be found or built
    └── LibraryError          the library directory cannot be used as it is
        ├── ModelMismatchError    the library was embedded by another model
        └── CorruptLibraryError   a library file is missing, truncated or inconsistent
            └── DamagedDatabaseError  the SQLite database itself cannot be read
"""

from __future__ import annotations


class SanadError(Exception):
    """Base class: anything Sanad expects to go wrong and can explain."""


class InputError(SanadError):
    """The text, question or file given cannot be used."""


class ModelError(SanadError):
    """The embedding model cannot be found, built or loaded."""


class LibraryError(SanadError):
    """The library directory cannot be used as it is."""


class ModelMismatchError(LibraryError):
    """The library's vectors come from a different model than the one loaded."""


class CorruptLibraryError(LibraryError):
    """A library file is missing, truncated or disagrees with the others."""


class DamagedDatabaseError(CorruptLibraryError):
    """The library's SQLite database cannot be read; `sanad repair` saves what it still can."""
