"""Messages for a person, translatable without Django.

The text pipeline stays framework-free, yet everything it says to a user must
appear in the user's language. So an error carries an English *template* with
``%(name)s`` placeholders and its parameters apart; templates are marked with
``gettext_noop`` so that ``manage.py makemessages`` (which looks for that
name) collects them into the project's catalogue. The Django layer shows
``exc.translated(gettext)``; ``str(exc)`` is the English message.

A parameter that is itself a phrase (``"a PNG image"``) is marked too, and is
translated along with the template.
"""

from __future__ import annotations

from collections.abc import Callable


class Phrase(str):
    """An English phrase that is translated when it is shown."""


def gettext_noop(message: str) -> Phrase:
    """Mark ``message`` for translation; it is translated where it is shown."""
    return Phrase(message)


class TextError(ValueError):
    """An error with a message for a person: a template and its parameters.

    ``template``: English, with ``%(name)s`` placeholders; ``params``: their
    values (a ``Phrase`` value is translated with the template).
    """

    def __init__(self, template: str, **params: object):
        self.template = template
        self.params = params
        super().__init__(template % params if params else template)

    def translated(self, gettext: Callable[[str], str]) -> str:
        """The message in the language ``gettext`` translates into."""
        text = gettext(self.template)
        if not self.params:
            return text
        params = {k: gettext(v) if isinstance(v, Phrase) else v for k, v in self.params.items()}
        return text % params
