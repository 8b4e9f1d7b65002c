"""The one exception the parsers raise for a file they refuse (``read_paths`` reports it)."""


class NoticeError(ValueError):
    """A notice that is hostile, malformed or incomplete. The message says why, in plain words."""
