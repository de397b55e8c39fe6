"""`sanad`: the index commands plus the bot's, in one console script."""

from __future__ import annotations

import sys
from collections.abc import Sequence

from index.cli import build_parser, run


def main(argv: Sequence[str] | None = None) -> int:
    parser, _command = build_parser()
    return run(parser, argv)


if __name__ == "__main__":
    sys.exit(main())
