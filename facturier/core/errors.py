class FacturierError(Exception):
    """A business error with a message fit to show to a seller or operator."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message
