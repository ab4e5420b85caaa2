"""The import form: a file or pasted text, the document, the source's metadata."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .models import Document, Source


class ImportForm(forms.Form):
    file = forms.FileField(label=_("File"), required=False)
    text = forms.CharField(
        label=_("…or paste the text"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    document = forms.ModelChoiceField(
        label=_("Document"),
        queryset=Document.objects.order_by("-date", "title"),
        required=False,
        empty_label=_("— let the app propose (or create a new document) —"),
    )
    siglum = forms.CharField(
        label=_("Siglum"),
        max_length=4,
        required=False,
        help_text=_("A letter, or up to four letters and digits; chosen for you when empty."),
    )
    title = forms.CharField(label=_("Title of this copy"), max_length=300, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=Source.Kind.choices, initial="other")
    publication = forms.CharField(label=_("Publication"), max_length=200, required=False)
    published = forms.DateField(
        label=_("Date published"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    url = forms.URLField(label=_("URL"), required=False, assume_scheme="https")

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("file")
        text = cleaned.get("text") or ""
        if upload and text.strip():
            raise forms.ValidationError(_("Upload a file or paste text, not both."))
        if upload:
            if upload.size > settings.MAX_SOURCE_BYTES:
                raise forms.ValidationError(
                    _("The file is %(size).1f MB; the limit is %(limit).1f MB.")
                    % {"size": upload.size / 1048576, "limit": settings.MAX_SOURCE_BYTES / 1048576}
                )
            cleaned["data"] = upload.read()
            cleaned["filename"] = upload.name
        elif text.strip():
            cleaned["data"] = text.encode("utf-8")
            cleaned["filename"] = ""
        else:
            raise forms.ValidationError(_("Choose a file or paste the text of the copy."))
        return cleaned
