"""The loader's one error type: bad input or an unreadable model, with a message that names the
file, column or field."""


class ModelOpsPyfuncError(ValueError):
    pass
