"""Forms of the study-set pages. They check input and turn it into arguments for
:mod:`studies.services`; they write nothing themselves."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from annotations.models import Visibility

from .models import StudySet
from .services import (
    BLANK_MAX,
    BLANKS_MAX,
    LONG_MAX,
    QUESTION_MAX,
    QUESTIONS_MAX,
    Invalid,
    check_phrases,
    lines,
)


class StudySetForm(forms.ModelForm):
    """The header of a set: title, audience, date and place, introduction, visibility."""

    class Meta:
        model = StudySet
        fields = ["title", "audience", "date", "place", "intro", "visibility"]
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "intro": forms.Textarea(attrs={"rows": 4}),
        }
        labels = {"visibility": _("Who may read it")}
        help_texts = {
            "visibility": _(
                "Private: only you and the colleagues you name. Shared: every signed-in "
                "colleague. Public: anyone with the link."
            )
        }

    def __init__(self, *args, owner_may_publish=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["intro"].max_length = LONG_MAX
        self.fields["intro"].widget.attrs["maxlength"] = str(LONG_MAX)
        self.fields["visibility"].choices = Visibility.choices
        if not owner_may_publish:  # a colleague who edits does not choose the audience
            self.fields["visibility"].disabled = True


def _phrase_lines(form, name, label, maximum, count) -> list[str]:
    try:
        return check_phrases(lines(form.cleaned_data.get(name) or ""), label, maximum, count)
    except Invalid as exc:
        raise forms.ValidationError(str(exc)) from None


class ItemForm(forms.Form):
    """An item's talking points, questions and blanks (one a line), span and display choices."""

    points = forms.CharField(
        label=_("Talking points"),
        required=False,
        strip=False,
        max_length=LONG_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    questions = forms.CharField(
        label=_("Discussion questions"),
        required=False,
        help_text=_("One question a line."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    blanks = forms.CharField(
        label=_("Blanks for the quiz"),
        required=False,
        help_text=_("One phrase of the text a line; each must occur in the text."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    start = forms.IntegerField(label=_("From character"), required=False, min_value=0)
    end = forms.IntegerField(label=_("To character"), required=False, min_value=0)
    show_differences = forms.BooleanField(
        label=_("Show the differences between copies"), required=False
    )
    show_changes = forms.BooleanField(
        label=_("Show the change from the previous version"), required=False
    )

    def __init__(self, *args, item=None, **kwargs):
        if item is not None:
            kwargs.setdefault("prefix", f"item{item.pk}")
            kwargs.setdefault(
                "initial",
                {
                    "points": item.points,
                    "questions": "\n".join(item.questions),
                    "blanks": "\n".join(item.blanks),
                    "start": item.start,
                    "end": item.end,
                    "show_differences": item.show_differences,
                    "show_changes": item.show_changes,
                },
            )
        super().__init__(*args, **kwargs)

    def clean_questions(self):
        return _phrase_lines(
            self, "questions", _("discussion questions"), QUESTION_MAX, QUESTIONS_MAX
        )

    def clean_blanks(self):
        return _phrase_lines(self, "blanks", _("blanks"), BLANK_MAX, BLANKS_MAX)


class AddForm(forms.Form):
    """Add a unit (or a span of it) to one of my sets, or to a new one."""

    document = forms.SlugField(widget=forms.HiddenInput)
    unit = forms.CharField(max_length=40, widget=forms.HiddenInput)
    start = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)
    end = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)
    set = forms.CharField(label=_("Study set"), max_length=20)

    def clean_set(self):
        value = self.cleaned_data["set"]
        if value == "new":
            return value
        if not value.isdigit():
            raise forms.ValidationError(_("Choose one of your study sets, or a new one."))
        return int(value)


class EditorForm(forms.Form):
    username = forms.CharField(label=_("Colleague's user name"), max_length=150)


class ReorderForm(forms.Form):
    """The new order, as item ids joined by commas (what the drag-and-drop script sends)."""

    order = forms.RegexField(regex=r"^\d+(,\d+)*$", max_length=5000)

    def clean_order(self):
        return [int(x) for x in self.cleaned_data["order"].split(",")]
