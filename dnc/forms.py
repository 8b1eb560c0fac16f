from django import forms

from dnc.models import MANUAL_REMOVAL_REASONS, RemovalReason, Source
from dnc.phone import InvalidPhoneNumber, to_e164


class PhoneNumberField(forms.CharField):
    """A phone number typed in any format, cleaned to E.164."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 64)
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        if value in self.empty_values:
            return value
        try:
            return to_e164(value)
        except InvalidPhoneNumber as exc:
            raise forms.ValidationError(str(exc), code="invalid_phone") from exc


class SearchForm(forms.Form):
    q = forms.CharField(
        required=False,
        max_length=64,
        label="Search",
        error_messages={
            "max_length": (
                "The search has %(show_value)d characters, more than the "
                "%(limit_value)d allowed. Search for the number alone."
            )
        },
    )
    source = forms.ChoiceField(
        required=False,
        choices=[("", "All sources"), *Source.choices],
        label="Source",
        error_messages={
            "invalid_choice": '"%(value)s" is not a source. Pick one from the list.'
        },
    )


class AddNumberForm(forms.Form):
    phone_number = PhoneNumberField(
        label="Phone number",
        error_messages={"required": "Enter the phone number to add."},
    )
    note = forms.CharField(
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Note (optional)",
    )


class RemovalForm(forms.Form):
    reason = forms.ChoiceField(
        choices=[("", "Pick a reason…"), *MANUAL_REMOVAL_REASONS],
        error_messages={
            "required": "Pick a reason for removing the number.",
            "invalid_choice": (
                '"%(value)s" is not a listed reason. Pick one from the list.'
            ),
        },
    )
    note = forms.CharField(
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Note",
    )

    def clean(self):
        cleaned = super().clean()
        # A note that failed its own checks (too long) is absent here, and
        # already has its error.
        note_given = "note" not in cleaned or cleaned["note"].strip()
        if cleaned.get("reason") == RemovalReason.OTHER and not note_given:
            self.add_error("note", 'The reason "Other" needs a note explaining it.')
        return cleaned
