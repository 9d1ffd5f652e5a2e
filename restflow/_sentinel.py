"""The marker both dispatch twins return for "no ActionConfig value for this action"."""


class _NotConfigured:
    """Singleton: an ActionConfig field that is missing or None."""

    __slots__ = ()

    def __repr__(self):
        return "NOT_CONFIGURED"

    def __bool__(self):
        return False

    def __reduce__(self):
        return "NOT_CONFIGURED"


NOT_CONFIGURED = _NotConfigured()
