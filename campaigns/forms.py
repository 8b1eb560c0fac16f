from django import forms

from campaigns.models import Call, Campaign
from dnc.forms import PhoneNumberField


class CampaignForm(forms.ModelForm):
    class Meta:
        model = Campaign
        fields = ["name", "status"]
        error_messages = {"name": {"required": "Give the campaign a name."}}


class CampaignStatusForm(forms.Form):
    status = forms.ChoiceField(choices=Campaign.Status.choices)


class ContactUploadForm(forms.Form):
    file = forms.FileField(
        label="Contacts (CSV)",
        error_messages={"required": "Choose a CSV file of contacts to upload."},
    )


class DialForm(forms.Form):
    campaign = forms.ModelChoiceField(
        queryset=Campaign.objects.filter(status=Campaign.Status.ACTIVE),
        empty_label="Pick a campaign…",
        error_messages={
            "required": "Pick a campaign to dial.",
            "invalid_choice": "That campaign is not active any more. Pick another.",
        },
    )


class ManualCallForm(forms.Form):
    phone_number = PhoneNumberField(
        label="Phone number",
        error_messages={"required": "Enter the number to call."},
    )


class CallStatusForm(forms.Form):
    status = forms.ChoiceField(
        label="Call status",
        choices=[("", "Pick the call status…"), *Call.Status.choices],
        error_messages={"required": "Pick the call status."},
    )
