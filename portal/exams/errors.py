"""The one error of the exams domain: bad input to schedule, take or save an exam."""


class ExamError(ValueError):
    """Cannot be done as asked; `field` names the input (e.g. "draw", "answers.12"),
    `status` is the HTTP status a page or the API answers with; `details` maps every
    field at fault to its message (several when answers are refused together)."""

    def __init__(self, field: str, message, status: int = 400):
        super().__init__(str(message))
        self.field = field
        self.message = message
        self.status = status
        self.details = {field: message}
