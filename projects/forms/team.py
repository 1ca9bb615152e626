"""Forms for the project team."""

from django import forms

from portal.accounts.models import User
from portal.core.forms import PortalForm

from ..models import (
    CDMO_ROLES,
    SPONSOR_ROLES,
    Side,
    TeamRole,
)


class TeamMemberAddForm(PortalForm):
    user = forms.ModelChoiceField(queryset=User.objects.none(), label="Person")
    role = forms.ChoiceField(choices=())
    is_point_of_contact = forms.BooleanField(required=False, label="Single point of contact for this side")

    def __init__(self, *args, side: str, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.side = side
        self.fields["user"].queryset = candidates
        self.fields["role"].choices = roles_for_side(side)


class TeamMemberChangeForm(PortalForm):
    role = forms.ChoiceField(choices=TeamRole.choices)
    is_point_of_contact = forms.BooleanField(required=False, label="Single point of contact")

    def __init__(self, *args, side: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = roles_for_side(side)


def roles_for_side(side: str) -> list[tuple[str, str]]:
    roles = SPONSOR_ROLES if side == Side.SPONSOR else CDMO_ROLES
    return [(value, label) for value, label in TeamRole.choices if value in roles]
