from django import forms

from .models import User


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["full_name", "job_title", "time_zone"]
        help_texts = {"time_zone": "Every date and time in the portal is shown in this zone."}
