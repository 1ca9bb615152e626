"""Portal staff for admin tests: staff always have a second factor (the MFA middleware requires it)."""

from allauth.mfa.models import Authenticator


def staff_user(django_user_model, email: str = "staff@portal.test"):
    staff = django_user_model.objects.create_superuser(email=email, password="x", full_name="Staff")
    Authenticator.objects.create(user=staff, type=Authenticator.Type.TOTP, data={"secret": "x"})
    return staff
