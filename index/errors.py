"""Exceptions raised by the index package.

Every message says what the user can do next; the command line prints it as one line, and the bot
maps each class to a short message in the user's language.

    SanadError
    ├── InputError                 the text, question or file given cannot be used
    │   ├── NoArticleError             a page or file holds no article text to quote
    │   ├── BrokenFileError            a file is empty, damaged or not text
    │   │   └── EncryptedFileError         a PDF is password-protected
    │   ├── TooLargeError              a page or file is over the size limit
    │   ├── TooShortError              a file or text is too short to be an article
    │   ├── UnsupportedTypeError       a page or file of a kind that cannot be read
    │   ├── UnsupportedLinkError       not an http(s) link
    │   ├── BlockedAddressError        a link to a private, local or cloud-metadata address
    │   └── DeadLinkError              no answer, an error status, a network failure
    │       ├── SlowPageError              the page did not arrive in time
    │       └── RedirectLoopError          too many redirects, or a loop
    ├── ModelError                 the embedding model cannot be found or built
    └── LibraryError               the library directory cannot be used as it is
        ├── ModelMismatchError         the library was embedded by another model
        ├── CorruptLibraryError        a library file is missing, truncated or inconsistent
        │   └── DamagedDatabaseError      the SQLite database itself cannot be read
        └── ChatLibraryError           a chat's own library cannot be used (the others can)
"""

from __future__ import annotations


class SanadError(Exception):
    """Base class: anything Sanad expects to go wrong and can explain."""


class InputError(SanadError):
    """The text, question or file given cannot be used."""


class NoArticleError(InputError):
    """A page or file was read, but holds no article text (sentences) to quote."""


class BrokenFileError(InputError):
    """A file is empty, damaged, or not in the format its name says."""


class EncryptedFileError(BrokenFileError):
    """A PDF that needs a password to be read."""


class NoOcrError(InputError):
    """A photo or a scan, and no OCR on this server to read it."""


class ScanTooLargeError(InputError):
    """A photo or scan too big to read by OCR: too many pixels or pages, or too slow to read."""


class TooLargeError(InputError):
    """A page or file is over the size limit (`limit`, in bytes)."""

    def __init__(self, message: str, *, limit: int) -> None:
        super().__init__(message)
        self.limit = limit


class TooShortError(InputError):
    """A file or text holds fewer visible characters (`characters`) than an article needs (`minimum`)."""

    def __init__(self, message: str, *, characters: int, minimum: int) -> None:
        super().__init__(message)
        self.characters = characters
        self.minimum = minimum


class UnsupportedTypeError(InputError):
    """A page or file of a kind that cannot be read (`kind`: its content type or file suffix; empty for
    a file with neither, which the bot's reply names in the reader's language)."""

    # How the English messages and logs name a file with no suffix and no media type.
    UNKNOWN_KIND = "a file without an extension"

    def __init__(self, message: str, *, kind: str) -> None:
        super().__init__(message)
        self.kind = kind


class UnsupportedLinkError(InputError):
    """Not a link that can be fetched: another scheme than http(s), or no host."""


class BlockedAddressError(InputError):
    """A link whose host is a loopback, private, link-local, reserved or cloud-metadata address."""


class DeadLinkError(InputError):
    """The link did not give a page: no such host (`host`), no connection, or an error status
    (`status`), so that a message can say which."""

    def __init__(self, message: str, *, status: int | None = None, host: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.host = host


class SlowPageError(DeadLinkError):
    """The page did not arrive within the time limit."""


class RedirectLoopError(DeadLinkError):
    """The link redirects too many times, or back to itself."""


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


class ChatLibraryError(LibraryError):
    """A chat's own library cannot be used; the shared library and the other chats' are unaffected.

    The message names the exact command that mends it, `sanad repair --chat ID` (or `sanad rebuild
    --chat ID` for vectors of another model), whatever the cause said.
    """

    def __init__(self, chat_id: int, cause: Exception) -> None:
        self.chat_id = chat_id
        verb = "rebuild" if isinstance(cause, ModelMismatchError) else "repair"
        self.command = f"sanad {verb} --chat {chat_id}"
        detail = str(cause)
        if "Run sanad repair" in detail:
            detail = detail.replace("Run sanad repair", f"Run {self.command}")
        else:
            detail = f"{detail.rstrip('.')}. Run {self.command}."
        super().__init__(f"Chat {chat_id}'s own library cannot be used. {detail}")
