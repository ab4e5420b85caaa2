"""Forms of the notes panel, the flag form, the flags queue, tags and tokens.

Forms validate and turn input into arguments for :mod:`annotations.services`;
they write nothing themselves.
"""

from __future__ import annotations

from django import forms
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

from .anchoring import locate
from .models import Visibility
from .services import Invalid, allowed_visibilities, body_limit, parse_tags, reply_visibilities


def _tag_field():
    return forms.CharField(
        label=_("Tags"),
        required=False,
        help_text=_("Separate tags with commas."),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "list": "tag-options", "class": "tag-input"}
        ),
    )


class _BodyMixin:
    def _setup_body(self):
        self.fields["body"].validators.append(MaxLengthValidator(body_limit()))
        self.fields["body"].widget.attrs["maxlength"] = str(body_limit())

    def clean_tags(self):
        try:
            return parse_tags(self.cleaned_data.get("tags") or "")
        except Invalid as exc:
            raise forms.ValidationError(str(exc)) from None


class NoteForm(_BodyMixin, forms.Form):
    """A new note on a unit; the hidden fields carry a selected span (W3C selectors)."""

    body = forms.CharField(
        label=_("Note"),
        required=False,
        strip=False,
        help_text=_("Markdown: **bold**, *italic*, [link](https://…), lists."),
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    visibility = forms.ChoiceField(label=_("Who may read it"), choices=Visibility.choices)
    tags = _tag_field()
    exact = forms.CharField(required=False, strip=False, widget=forms.HiddenInput)
    prefix = forms.CharField(required=False, strip=False, widget=forms.HiddenInput)
    suffix = forms.CharField(required=False, strip=False, widget=forms.HiddenInput)
    start = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)
    end = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)

    def __init__(self, *args, user, unit, **kwargs):
        kwargs.setdefault("auto_id", f"id_new_{unit.key}_%s")
        super().__init__(*args, **kwargs)
        self.unit = unit
        allowed = allowed_visibilities(user)
        self.fields["visibility"].choices = [c for c in Visibility.choices if c[0] in allowed]
        self.fields["visibility"].initial = Visibility.PRIVATE
        self._setup_body()

    def clean(self):
        data = super().clean()
        exact, start, end = data.get("exact") or "", data.get("start"), data.get("end")
        data["anchor"] = None
        if exact or start is not None or end is not None:
            anchor = locate(
                self.unit.canonical,
                exact,
                data.get("prefix") or "",
                data.get("suffix") or "",
                start,
                end,
            )
            if anchor is None:
                raise forms.ValidationError(
                    _("The selected text is not in this unit's text (any more): reload the page.")
                )
            data["anchor"] = anchor
        if not (data.get("body") or "").strip() and not data.get("tags"):
            self.add_error("body", _("Write a note or give a tag."))
        return data


class NoteEditForm(_BodyMixin, forms.Form):
    body = forms.CharField(
        label=_("Note"), required=False, strip=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    visibility = forms.ChoiceField(label=_("Who may read it"), choices=Visibility.choices)
    tags = _tag_field()

    def __init__(self, data=None, *args, user, note, **kwargs):
        kwargs.setdefault("auto_id", f"id_note{note.pk}_%s")
        if "initial" not in kwargs:
            kwargs["initial"] = {
                "body": note.body,
                "visibility": note.visibility,
                "tags": ", ".join(t.name for t in note.tags.all()),
            }
        super().__init__(data, *args, **kwargs)
        allowed = set(allowed_visibilities(user)) | {note.visibility}
        if note.parent_id:  # a reply: shared or public, never wider than its parent
            allowed = set(reply_visibilities(user, note.parent)) | {note.visibility}
        self.fields["visibility"].choices = [c for c in Visibility.choices if c[0] in allowed]
        self._setup_body()


class ReattachForm(forms.Form):
    """The span an orphaned note is re-attached to: a text, and which occurrence of it."""

    exact = forms.CharField(
        label=_("Attach to the text"),
        max_length=2000,
        strip=False,
        help_text=_("A passage of the unit's current text."),
    )
    start = forms.IntegerField(label=_("Occurrence"), required=False, min_value=0)

    def __init__(self, *args, note, **kwargs):
        kwargs.setdefault("auto_id", f"id_reattach{note.pk}_%s")
        kwargs.setdefault("initial", {"exact": note.exact})
        super().__init__(*args, **kwargs)


class ReplyForm(_BodyMixin, forms.Form):
    body = forms.CharField(label=_("Reply"), strip=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, parent, **kwargs):
        kwargs.setdefault("auto_id", f"id_reply{parent.pk}_%s")
        super().__init__(*args, **kwargs)
        self._setup_body()


class FlagForm(forms.Form):
    proposed = forms.CharField(
        label=_("The correct reading"),
        max_length=500,
        required=False,
        strip=False,
        help_text=_("What this place should read; empty when the printed text should go."),
    )
    comment = forms.CharField(
        label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["comment"].validators.append(MaxLengthValidator(body_limit()))


class FlagDecisionForm(forms.Form):
    ACTIONS = [("confirm", _("Confirm")), ("reject", _("Reject"))]

    action = forms.ChoiceField(label=_("Decision"), choices=ACTIONS, widget=forms.RadioSelect)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))
    correction = forms.CharField(
        label=_("The correct reading"), max_length=500, required=False, strip=False
    )

    def __init__(self, *args, flag, **kwargs):
        kwargs.setdefault("auto_id", f"id_flag{flag.pk}_%s")
        kwargs.setdefault("initial", {"correction": flag.proposed, "action": "confirm"})
        super().__init__(*args, **kwargs)


class TagRenameForm(forms.Form):
    name = forms.CharField(label=_("New name"), max_length=80)


class TagMergeForm(forms.Form):
    into = forms.CharField(
        label=_("Merge into the tag"),
        max_length=80,
        widget=forms.TextInput(attrs={"autocomplete": "off", "list": "tag-options"}),
    )


class TokenForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=60, required=False)
