from portal.core.forms import PortalModelForm

from .models import User


class ProfileForm(PortalModelForm):
    class Meta:
        model = User
        fields = ["full_name", "job_title", "time_zone"]
        help_texts = {"time_zone": "Every date and time in the portal is shown in this zone."}
