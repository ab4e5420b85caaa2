"""The import form: a file or pasted text, the document, the source's metadata."""

import base64
import binascii
import hashlib
import re

from django import forms
from django.conf import settings
from django.core.validators import RegexValidator, URLValidator
from django.utils.translation import gettext_lazy as _

from .models import (
    ComparisonCorrection,
    Document,
    DocumentRelation,
    ImportJob,
    SiteDecision,
    Source,
    VariantSite,
)

#: The only schemes a source's URL may have: it is shown as a link.
URL_SCHEMES = ["http", "https"]


class HttpURLField(forms.URLField):
    """A URL field that takes http(s) URLs only: its one validator replaces the
    URLField's own (both would say “Enter a valid URL.” for one bad URL)."""

    default_validators = [URLValidator(schemes=URL_SCHEMES)]


class SourceMetaForm(forms.Form):
    """A copy's metadata, checked alike by the import form and ``import_source``."""

    siglum = forms.CharField(
        label=_("Siglum"),
        max_length=4,
        required=False,
        validators=[
            RegexValidator(
                r"^[A-Za-z0-9]{1,4}$",
                _("Use a letter, or up to four letters and digits."),
            )
        ],
        help_text=_("A letter, or up to four letters and digits; chosen for you when empty."),
    )
    document_title = forms.CharField(
        label=_("Title of the document"),
        max_length=300,
        required=False,
        help_text=_("Used for a new document when the file gives no title."),
    )
    title = forms.CharField(label=_("Title of this copy"), max_length=300, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=Source.Kind.choices, initial="other")
    publication = forms.CharField(label=_("Publication"), max_length=200, required=False)
    published = forms.DateField(
        label=_("Date published"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    url = HttpURLField(label=_("URL"), required=False, assume_scheme="https", max_length=500)


class ImportForm(SourceMetaForm):
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
    relation = forms.ChoiceField(
        label=_("This text is"),
        choices=[
            ("copy", _("a copy of the document")),
            ("later", _("a later version of the chosen document (a new document)")),
            ("earlier", _("an earlier version of the chosen document (a new document)")),
        ],
        initial="copy",
        required=False,
        help_text=_(
            "Another wording of a text (an amended law, a revised plan) is a document of its "
            "own, related to the one chosen above; it does not vote on the document's text."
        ),
    )
    accept_cuts = forms.BooleanField(
        label=_("Accept the cuts and import anyway"),
        required=False,
        help_text=_("Needed when less than 90 percent of the file's Han characters would be kept."),
    )
    derived_from = forms.ModelChoiceField(
        label=_("Derived from"),
        queryset=Source.objects.select_related("document").order_by("document__title", "siglum"),
        required=False,
        empty_label=_("— an independent copy —"),
        help_text=_(
            "The copy of the same document this one was made from (a repost of a repost): "
            "it is shown and collated, but does not vote."
        ),
    )
    # The copy the preview proposed, when the editor accepts the proposal.
    derived_proposal = forms.ModelChoiceField(
        queryset=Source.objects.all(), required=False, widget=forms.HiddenInput
    )
    # The checksum of a file already uploaded, kept in the session while the
    # editor decides about its cuts (a file input cannot be filled again).
    pending = forms.CharField(required=False, widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args, pending: dict | None = None, require_data: bool = True, **kwargs):
        """``pending``: the upload the session holds (checksum, filename, base64
        data); ``require_data`` False: no file and no text is no error (the form
        shown again after a background job, whose file may be gone)."""
        super().__init__(*args, **kwargs)
        self.pending_upload = pending or {}
        self.require_data = require_data
        self.fields["derived_from"].label_from_instance = lambda s: (
            f"{s.document.title} · {s.siglum} {s.title}"
        )

    def _pending_data(self, checksum: str) -> bytes | None:
        """The held upload's bytes when ``checksum`` names it, else None: from
        the preview job that keeps it, or from the session (base64)."""
        held = self.pending_upload
        if not checksum or held.get("checksum") != checksum:
            return None
        if held.get("job"):
            data = ImportJob.objects.file_of(int(held["job"]))
            return data if data and hashlib.sha256(data).hexdigest() == checksum else None
        try:
            return base64.b64decode(held.get("data", ""), validate=True)
        except (binascii.Error, ValueError):
            return None

    def clean(self):
        cleaned = super().clean()
        cleaned["relation"] = cleaned.get("relation") or "copy"
        if cleaned["relation"] != "copy" and not cleaned.get("document"):
            self.add_error("document", _("Choose the document this text is a version of."))
        upload = cleaned.get("file")
        text = cleaned.get("text") or ""
        held = None if upload or text.strip() else self._pending_data(cleaned.get("pending", ""))
        if held is not None:
            cleaned["data"] = held
            cleaned["filename"] = self.pending_upload.get("filename", "")
            return cleaned
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
            if len(cleaned["data"]) > settings.MAX_SOURCE_BYTES:
                raise forms.ValidationError(
                    _("The text is %(size).1f MB; the limit is %(limit).1f MB.")
                    % {
                        "size": len(cleaned["data"]) / 1048576,
                        "limit": settings.MAX_SOURCE_BYTES / 1048576,
                    }
                )
            cleaned["filename"] = ""
        elif cleaned.get("pending") and self.require_data:
            # The file this form was shown with is held no more: a preview in
            # another tab replaced it, or it was saved, cancelled or forgotten.
            raise forms.ValidationError(
                _(
                    "The file of this preview is no longer held (a newer preview, in another "
                    "tab perhaps, replaced it, or it was saved or cancelled): choose it again."
                )
            )
        elif self.require_data:
            raise forms.ValidationError(_("Choose a file or paste the text of the copy."))
        return cleaned


class DecisionForm(forms.Form):
    """An editor's decision at one variant site (see clauses.collation.decide).

    ``choose`` of the reading that is already canonical is recorded as
    ``keep``: it is the same decision.
    """

    action = forms.ChoiceField(label=_("Decision"), choices=SiteDecision.Action.choices)
    text = forms.CharField(label=_("Text"), required=False, strip=False, max_length=2000)
    reason = forms.CharField(
        label=_("Reason"), required=False, max_length=2000, widget=forms.TextInput()
    )

    def __init__(self, *args, site: VariantSite, **kwargs):
        super().__init__(*args, **kwargs)
        self.site = site

    def clean(self):
        cleaned = super().clean()
        action = cleaned.get("action")
        text = cleaned.get("text") or ""
        reason = cleaned.get("reason") or ""
        if action == SiteDecision.Action.KEEP:
            text = self.site.canonical_reading
        elif action == SiteDecision.Action.CHOOSE:
            if text not in self.site.readings.values():
                self.add_error("text", _("Choose one of the readings at this site."))
            elif text == self.site.canonical_reading:
                action = SiteDecision.Action.KEEP
            elif self.site.type == VariantSite.Type.LACUNA:
                self.add_error(
                    "text",
                    _(
                        "At a lacuna a copy begins or ends: what it lacks is no reading "
                        "to choose. Keep the canonical reading, or emend."
                    ),
                )
        elif action == SiteDecision.Action.EMEND:
            text = text.strip()
            if "\n" in text or "\r" in text:
                self.add_error("text", _("An emendation is one line of text."))
            if not reason:
                self.add_error("reason", _("Give a reason for the emendation."))
        cleaned.update(action=action, text=text, reason=reason)
        return cleaned


PRIORITY_SEPARATORS = re.compile(r"[\s,，、;；>＞]+")


class PriorityForm(forms.Form):
    """The document's sources in tie-breaking order: every siglum exactly once."""

    order = forms.CharField(
        label=_("Sources, the most trusted first"),
        max_length=200,
        help_text=_("Every siglum once, e.g. “A C B D”."),
    )

    def __init__(self, *args, sigla: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.sigla = list(sigla)
        self.fields["order"].initial = " ".join(self.sigla)

    def clean_order(self) -> list[str]:
        by_upper = {s.upper(): s for s in self.sigla}
        tokens = [t for t in PRIORITY_SEPARATORS.split(self.cleaned_data["order"]) if t]
        order = [t if t in self.sigla else by_upper.get(t.upper(), t) for t in tokens]
        unknown = [t for t in order if t not in self.sigla]
        if unknown:
            raise forms.ValidationError(
                _("Not a siglum of this document: %(sigla)s.") % {"sigla": " ".join(unknown)}
            )
        repeated = sorted({t for t in order if order.count(t) > 1})
        if repeated:
            raise forms.ValidationError(
                _("Give each siglum once: %(sigla)s appears more than once.")
                % {"sigla": " ".join(repeated)}
            )
        missing = [s for s in self.sigla if s not in order]
        if missing:
            raise forms.ValidationError(
                _("Every source needs a place: %(sigla)s is missing.")
                % {"sigla": " ".join(missing)}
            )
        return order


class DerivedFromForm(forms.Form):
    """An editor says which copy of the same document a source was made from."""

    derived_from = forms.ModelChoiceField(
        label=_("Derived from"),
        queryset=Source.objects.none(),
        required=False,
        empty_label=_("— an independent copy —"),
    )

    def __init__(self, *args, source: Source, **kwargs):
        super().__init__(*args, **kwargs)
        self.source = source
        field = self.fields["derived_from"]
        field.queryset = Source.objects.filter(document_id=source.document_id).exclude(pk=source.pk)
        field.label_from_instance = lambda s: f"{s.siglum} {s.title}"
        field.initial = source.derived_from_id


def _document_choice(label) -> forms.ModelChoiceField:
    field = forms.ModelChoiceField(
        label=label,
        queryset=Document.objects.order_by("-date", "title").only("slug", "title", "date"),
        to_field_name="slug",
        empty_label=_("— choose a document —"),
        error_messages={"invalid_choice": _("No such document.")},
    )
    field.label_from_instance = lambda d: f"{d.title} ({d.date:%Y-%m-%d})" if d.date else d.title
    return field


class RelationForm(forms.Form):
    """An editor says this document is a later version of, supersedes or builds on another."""

    kind = forms.ChoiceField(label=_("This document"), choices=DocumentRelation.Kind.choices)
    other = _document_choice(_("Other document"))

    def __init__(self, *args, document: Document, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["other"].queryset = self.fields["other"].queryset.exclude(pk=document.pk)


class ComparePickForm(forms.Form):
    """Two documents to compare: the earlier (old) and the later (new)."""

    old = _document_choice(_("Earlier document"))
    new = _document_choice(_("Later document"))


class CorrectionForm(forms.Form):
    """An editor pairs units of two versions, or says they have no counterpart."""

    kind = forms.ChoiceField(choices=ComparisonCorrection.Kind.choices)
    old = forms.MultipleChoiceField(label=_("Units of the earlier document"), required=False)
    new = forms.MultipleChoiceField(label=_("Units of the later document"), required=False)

    def __init__(self, *args, old_units=(), new_units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["old"].choices = [(u.key, _unit_choice(u)) for u in old_units]
        self.fields["new"].choices = [(u.key, _unit_choice(u)) for u in new_units]


def _unit_choice(unit) -> str:
    """A unit as a choice: its locator or label, then the start of its text."""
    name = getattr(unit, "locator", "") or unit.label
    text = unit.canonical[:24] + ("…" if len(unit.canonical) > 24 else "")
    return f"{name} {text}".strip()
