from django import forms

from notices.models import Preferences


class PreferencesForm(forms.ModelForm):
    class Meta:
        model = Preferences
        fields = ["by_push", "by_email"]


class SubscriptionForm(forms.Form):
    """The parts of a browser's PushSubscription.toJSON(); PushSubscription.clean() checks what they say."""

    endpoint = forms.CharField(max_length=1000)
    p256dh = forms.CharField(max_length=200)
    auth = forms.CharField(max_length=100)
