"""The decider's two signing dialogs on a record with options (a change or decision request):
approve one option, or reject with a reason. Each has its own prefix; only the one posted is bound."""

from __future__ import annotations

from portal.signatures.forms import SigningForm

from ..forms import ApproveOptionForm, RejectForm

STEPS = ("approve", "reject")


def option_dialogs(
    request, record, *, actions: dict[str, tuple[str, str | None]], version: int | None = None
) -> dict:
    """{step: (form, signing)}; `actions`: {step: (signed action, meaning or None)}; `version`:
    the record's version the dialogs carry (a change request's)."""
    posted = request.POST.get("step") if request.method == "POST" else None
    dialogs = {}
    for step in STEPS:
        data = request.POST if posted == step else None
        action, meaning = actions[step]
        form = (
            ApproveOptionForm(data, prefix=step, record=record, version=version)
            if step == "approve"
            else RejectForm(data, prefix=step, version=version)
        )
        signing = SigningForm(
            data, action=action, record=record, request=request, prefix=f"sign-{step}", meaning=meaning
        )
        dialogs[step] = (form, signing)
    return dialogs
