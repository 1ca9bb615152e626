from django.core.exceptions import PermissionDenied


class ServiceError(Exception):
    """A business rule refused the change; the message is safe to show the user."""


class ConcurrentEditError(ServiceError):
    """Someone else saved the record after this person loaded it."""

    def __init__(
        self,
        message: str = "Someone else changed this record while you were editing it. "
        "Your changes were not saved; review the latest version and try again.",
    ):
        super().__init__(message)


class ConfirmationRequired(ServiceError):
    """The change is allowed but has consequences the person must see and confirm first."""

    def __init__(self, consequences: list[str] | tuple[str, ...]):
        self.consequences = tuple(consequences)
        super().__init__(" ".join(self.consequences))


class NotAllowed(PermissionDenied):
    """The acting user may not do this. Django answers 403 (views need not catch it);
    outsiders never get this far: the visibility selectors 404 them first."""
