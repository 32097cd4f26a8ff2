"""The one error of the broadcasts domain, in its own module so every part can raise it."""


class BroadcastError(ValueError):
    """A broadcast cannot be saved or acknowledged as given; `field` names the input."""

    def __init__(self, field: str, message):
        super().__init__(str(message))
        self.field = field
        self.message = message
