"""A subset of the W3C Web Annotation Protocol, and the per-document exports.

``/annotations/`` is the container (``GET`` with ``?document=&unit=&tag=``,
``POST``); ``/annotations/<id>`` one note (``GET``, ``PUT``, ``DELETE``);
``/annotations/flags/<id>`` one transcription-error flag (``GET``,
``DELETE``). Authentication: the browser's session (with the CSRF token on
writes) or a personal token, ``Authorization: Bearer <token>``.

A note is an ``Annotation`` whose bodies are ``TextualBody``: ``commenting``
for the Markdown text, ``tagging`` for each tag; its target's ``source`` is
the document's URL and its selector a ``FragmentSelector`` naming the unit
key, ``refinedBy`` a ``TextQuoteSelector`` and a ``TextPositionSelector`` for
a span. A reply's target is the annotation it answers. Extra top-level
members: ``visibility`` (private, shared, public) and, for a span note whose
text changed under it, ``orphaned``. A flag is an annotation with motivation
``editing``; its target's source is the source's page, ``siglum`` names it.

Errors are JSON ``{"error": message}`` in the request's language (its language
cookie or ``Accept-Language``, as on every page); a 400 means nothing was written.
"""

from __future__ import annotations

import csv
import json
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse, JsonResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import get_object_or_404
from django.urls import Resolver404, resolve, reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe

from clauses.models import Document, Source, Unit, VariantSite
from clauses.views_export import attachment
from policyreader.inputs import UnreadableInput, loads_json

from .anchoring import _context_score, anchor_at, locate
from .models import Flag, Note, Visibility
from .services import (
    Duplicate,
    Invalid,
    Refused,
    create_flag,
    create_note,
    delete_note,
    update_note,
    user_for_token,
    withdraw_flag,
)
from .views import safe_cell

ANNO_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
CONTENT_TYPE = 'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"'
CONSTRAINED_BY = (
    '<http://www.w3.org/TR/annotation-protocol/>; rel="http://www.w3.org/ns/ldp#constrainedBy"'
)
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


class ApiError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


# --- Responses -------------------------------------------------------------------------


def ld_response(data, status: int = 200, **headers) -> HttpResponse:
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=1), status=status, content_type=CONTENT_TYPE
    )
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


def error_response(status: int, message: str) -> JsonResponse:
    response = JsonResponse(
        {"error": message}, status=status, json_dumps_params={"ensure_ascii": False}
    )
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="policyreader"'
    return response


# --- Authentication ------------------------------------------------------------------------


class _CsrfCheck(CsrfViewMiddleware):
    def _reject(self, request, reason):
        return reason


def _csrf_failure(request) -> str | None:
    check = _CsrfCheck(lambda r: None)
    check.process_request(request)
    return check.process_view(request, None, (), {})


def authenticate(request):
    """The user of an API request: by bearer token, else by session (CSRF on writes)."""
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _sp, raw = header.partition(" ")
        if scheme.lower() != "bearer" or not raw.strip():
            raise ApiError(401, _("Use the header Authorization: Bearer <token>."))
        user = user_for_token(raw)
        if user is None:
            raise ApiError(401, _("The token is not valid."))
        request.user = user
        return user
    user = request.user
    if user.is_authenticated and request.method not in SAFE_METHODS:
        reason = _csrf_failure(request)
        if reason:
            # Django's reason is English and for developers: say what to do instead.
            raise ApiError(
                403,
                _(
                    "The CSRF check failed: send the CSRF token (header X-CSRFToken) with "
                    "the session cookie, or use a bearer token."
                ),
            )
    if not user.is_authenticated and not settings.ANONYMOUS_READ:
        raise ApiError(401, _("Sign in or send a token."))
    return user


def _method_not_allowed(request, methods) -> JsonResponse:
    # The same sentence as the app's 405 page (policyreader.errors.method_not_allowed).
    message = _("This address does not accept a %(method)s request (it accepts: %(allowed)s).")
    response = error_response(
        405, message % {"method": request.method, "allowed": ", ".join(methods)}
    )
    response["Allow"] = ", ".join(methods)
    return response


def api_view(methods):
    """Token or session authentication, CSRF on session writes, errors as JSON."""

    def decorator(view):
        @login_not_required  # the API answers 401 itself (ANONYMOUS_READ included)
        @csrf_exempt  # checked in authenticate() unless a bearer token is used
        def wrapper(request, *args, **kwargs):
            if request.method not in methods:
                return _method_not_allowed(request, methods)
            try:
                user = authenticate(request)
                if request.method not in SAFE_METHODS and not user.is_authenticated:
                    raise ApiError(401, _("Sign in or send a token."))
                return view(request, *args, **kwargs)
            except ApiError as exc:
                return error_response(exc.status, exc.message)
            except Duplicate as exc:  # the place is flagged already: link to the first flag
                first = request.build_absolute_uri(
                    reverse("annotations:api_flag", args=[exc.flag.pk])
                )
                response = JsonResponse(
                    {"error": str(exc), "first": first},
                    status=409,
                    json_dumps_params={"ensure_ascii": False},
                )
                response["Link"] = f'<{first}>; rel="related"'
                return response
            except Invalid as exc:
                return error_response(400, str(exc))
            except Refused as exc:
                return error_response(403, str(exc))

        wrapper.__name__ = view.__name__
        wrapper.__doc__ = view.__doc__
        return wrapper

    return decorator


# --- Serialization ------------------------------------------------------------------------


def _iso(dt) -> str | None:
    return dt.isoformat(timespec="seconds") if dt else None


def _creator(request, user) -> dict | None:
    if user is None:
        return None
    name = user.get_username()
    return {
        "id": request.build_absolute_uri(
            reverse("annotations:notes") + "?" + urlencode({"author": name})
        ),
        "type": "Person",
        "nickname": name,
    }


def note_id(request, note) -> str:
    return request.build_absolute_uri(reverse("annotations:api_annotation", args=[note.pk]))


def note_to_jsonld(request, note: Note, *, context: bool = True) -> dict:
    """One note as a Web Annotation (``note`` with author, unit, document and tags loaded)."""
    tags = [t.name for t in note.tags.all()]
    bodies = []
    if note.body:
        bodies.append(
            {
                "type": "TextualBody",
                "purpose": "commenting",
                "value": note.body,
                "format": "text/markdown",
            }
        )
    bodies += [{"type": "TextualBody", "purpose": "tagging", "value": t} for t in tags]
    document_url = request.build_absolute_uri(note.unit.document.get_absolute_url())
    if note.parent_id:
        motivation = "replying"
        target = request.build_absolute_uri(
            reverse("annotations:api_annotation", args=[note.parent_id])
        )
    else:
        motivation = "commenting" if note.body or not tags else "tagging"
        selector = {"type": "FragmentSelector", "value": note.unit.key}
        if note.is_span:
            selector["refinedBy"] = [
                {
                    "type": "TextQuoteSelector",
                    "exact": note.exact,
                    "prefix": note.prefix,
                    "suffix": note.suffix,
                },
                {"type": "TextPositionSelector", "start": note.start, "end": note.end},
            ]
        target = {"source": document_url, "selector": selector}
    data = {
        "@context": ANNO_CONTEXT,
        "id": note_id(request, note),
        "type": "Annotation",
        "motivation": motivation,
        "creator": _creator(request, note.author),
        "created": _iso(note.created),
        "modified": _iso(note.modified),
        "visibility": note.visibility,
        "body": bodies,
        "target": target,
    }
    if note.orphaned:
        data["orphaned"] = True
    if not context:
        del data["@context"]
    return data


def flag_to_jsonld(request, flag: Flag, *, context: bool = True) -> dict:
    source_url = request.build_absolute_uri(
        reverse("source", args=[flag.unit.document.slug, flag.source.siglum])
    )
    data = {
        "@context": ANNO_CONTEXT,
        "id": request.build_absolute_uri(reverse("annotations:api_flag", args=[flag.pk])),
        "type": "Annotation",
        "motivation": "editing",
        "siglum": flag.source.siglum,
        "state": flag.state,
        "creator": _creator(request, flag.author),
        "created": _iso(flag.created),
        "modified": _iso(flag.decided_at or flag.created),
        "visibility": flag.visibility,
        "body": [
            {"type": "TextualBody", "purpose": "editing", "value": flag.proposed},
            *(
                [
                    {
                        "type": "TextualBody",
                        "purpose": "commenting",
                        "value": flag.comment,
                        "format": "text/plain",
                    }
                ]
                if flag.comment
                else []
            ),
        ],
        "target": {
            "source": source_url,
            "selector": {
                "type": "FragmentSelector",
                "value": flag.unit.key,
                "refinedBy": {
                    "type": "TextQuoteSelector",
                    "exact": flag.reading,
                    "prefix": flag.before,
                    "suffix": flag.after,
                },
            },
        },
    }
    if flag.state != Flag.State.OPEN:
        data["decision"] = {
            "state": flag.state,
            "reason": flag.reason,
            "correction": flag.correction,
            "decidedBy": flag.decided_by.get_username() if flag.decided_by else None,
            "decided": _iso(flag.decided_at),
        }
    if not context:
        del data["@context"]
    return data


def _notes_for_api(user):
    return (
        Note.objects.visible_to(user)
        .select_related("author", "unit__document")
        .prefetch_related("tags")
        .order_by("pk")
    )


# --- Parsing ---------------------------------------------------------------------------------


def _as_list(value) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _shown(value, limit: int = 80) -> str:
    """A value the client sent, for a message: a string in quotes, anything else as
    JSON; cut to ``limit`` characters."""
    text = f"“{value}”" if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _split_url(url: str, message: str):
    """``urlsplit(url)``, or ApiError 400 with ``message`` (``%(url)s`` the URL) for a
    URL urlsplit refuses: an unclosed IPv6 bracket (``http://[::1/``), a bracketed
    host that is not an address."""
    try:
        return urlsplit(url)
    except ValueError:
        raise ApiError(400, message % {"url": _shown(url)}) from None


def _read_json(request):
    limit = settings.ANNOTATION_BODY_MAX_CHARS * 4 + 65536
    if len(request.body) > limit:
        raise ApiError(
            400, _("The request is too large (at most %(limit)s bytes).") % {"limit": limit}
        )
    try:  # depth-limited; no NUL or lone surrogate in any string
        data = loads_json(request.body)
    except UnreadableInput as exc:
        raise ApiError(400, str(exc)) from None  # in the user's language already
    if not isinstance(data, dict):
        raise ApiError(400, _("An annotation is a JSON object."))
    return data


def _resolve_source(request, url) -> tuple[str, str | None]:
    """The document slug (and source siglum) a target's ``source`` URL names."""
    if not isinstance(url, str) or not url:
        raise ApiError(400, _("The target needs a source: the document's URL."))
    parts = _split_url(url, _("The target's source is not a URL: %(url)s"))
    if parts.netloc and parts.netloc != request.get_host():
        raise ApiError(400, _("The target's source is not on this site."))
    try:
        match = resolve(parts.path)
    except Resolver404:
        match = None
    if match is not None and match.url_name in ("document", "source", "unit"):
        return match.kwargs["slug"], match.kwargs.get("siglum")
    raise ApiError(400, _("The target's source is not a document of this site."))


def _selectors(target: dict) -> tuple[str, dict | None, dict | None]:
    """The unit key, the TextQuoteSelector and the TextPositionSelector of a target."""
    fragment = None
    for sel in _as_list(target.get("selector")):
        if isinstance(sel, dict) and sel.get("type") == "FragmentSelector":
            fragment = sel
    if fragment is None or not isinstance(fragment.get("value"), str) or not fragment["value"]:
        raise ApiError(400, _("The target needs a FragmentSelector whose value is the unit key."))
    quote = position = None
    for sel in _as_list(fragment.get("refinedBy")):
        if not isinstance(sel, dict):
            raise ApiError(400, _("refinedBy holds selectors (objects)."))
        if sel.get("type") == "TextQuoteSelector":
            quote = sel
        elif sel.get("type") == "TextPositionSelector":
            position = sel
        else:
            raise ApiError(
                400,
                _("Unsupported selector in refinedBy: %(type)s.")
                % {"type": _shown(sel.get("type"))},
            )
    if quote is not None:
        for k in ("exact", "prefix", "suffix"):
            if not isinstance(quote.get(k, ""), str):
                raise ApiError(
                    400, _("TextQuoteSelector.%(member)s must be a string.") % {"member": k}
                )
    if position is not None:
        s, e = position.get("start"), position.get("end")
        if (
            not (isinstance(s, int) and isinstance(e, int))
            or isinstance(s, bool)
            or not 0 <= s <= e
        ):
            raise ApiError(400, _("TextPositionSelector needs integers 0 <= start <= end."))
    return fragment["value"], quote, position


def _unit(slug: str, key: str) -> Unit:
    unit = Unit.objects.select_related("document").filter(document__slug=slug, key=key).first()
    if unit is None and key.startswith("u-"):
        unit = (
            Unit.objects.select_related("document").filter(document__slug=slug, key=key[2:]).first()
        )
    if unit is None:
        raise ApiError(
            400,
            _("Unknown unit %(unit)s in document %(document)s.")
            % {"unit": _shown(key), "document": _shown(slug)},
        )
    return unit


def _bodies(data) -> dict:
    """``{"text": ..., "tags": [...], "editing": ..., "comments": n}`` from the bodies."""
    out = {"text": None, "tags": [], "editing": None}
    items = _as_list(data.get("body"))
    if "bodyValue" in data:
        items.append({"type": "TextualBody", "value": data["bodyValue"]})
    for body in items:
        if not isinstance(body, dict) or body.get("type", "TextualBody") != "TextualBody":
            raise ApiError(400, _("Only TextualBody bodies are supported."))
        value = body.get("value")
        if not isinstance(value, str):
            raise ApiError(400, _("A TextualBody needs a string value."))
        purpose = body.get("purpose", "commenting")
        if purpose in ("commenting", "describing", "replying"):
            if out["text"] is not None:
                raise ApiError(400, _("Only one commenting body per annotation."))
            out["text"] = value
        elif purpose == "tagging":
            out["tags"].append(value)
        elif purpose == "editing":
            out["editing"] = value
        else:
            raise ApiError(
                400, _("Unsupported body purpose %(purpose)s.") % {"purpose": _shown(purpose)}
            )
    return out


def _motivation(data) -> str:
    motivation = data.get("motivation", "commenting")
    if isinstance(motivation, list):
        motivation = motivation[0] if motivation else "commenting"
    if motivation not in ("commenting", "tagging", "replying", "editing", "describing"):
        raise ApiError(
            400, _("Unsupported motivation %(motivation)s.") % {"motivation": _shown(motivation)}
        )
    return motivation


def _visibility(data, default):
    value = data.get("visibility", default)
    if value not in Visibility.values:
        raise ApiError(
            400,
            _("Unknown visibility %(value)s: use private, shared or public.")
            % {"value": _shown(value)},
        )
    return value


def _parent_from(request, target) -> Note:
    not_an_annotation = _("A reply's target is the IRI of the annotation it answers.")
    if not isinstance(target, str):
        raise ApiError(400, not_an_annotation)
    parts = _split_url(target, _("A reply's target is not a URL: %(url)s"))
    try:
        match = resolve(parts.path)
    except Resolver404:
        match = None
    if match is None or match.url_name != "api_annotation":
        raise ApiError(400, not_an_annotation)
    parent = Note.objects.visible_to(request.user).filter(pk=match.kwargs["pk"]).first()
    if parent is None:
        raise ApiError(400, _("The annotation replied to does not exist."))
    return parent


def _note_arguments(request, data) -> dict:
    """Validated arguments for create_note/update_note; raises ApiError (400) on bad input."""
    motivation = _motivation(data)
    bodies = _bodies(data)
    text = bodies["text"] or ""
    if len(text) > settings.ANNOTATION_BODY_MAX_CHARS:
        raise ApiError(
            400,
            _("The body is too long: %(n)s characters, at most %(max)s.")
            % {"n": len(text), "max": settings.ANNOTATION_BODY_MAX_CHARS},
        )
    targets = _as_list(data.get("target"))
    if len(targets) != 1:
        raise ApiError(400, _("An annotation needs exactly one target."))
    target = targets[0]
    if motivation == "replying" or isinstance(target, str):
        parent = _parent_from(request, target)
        return {
            "parent": parent,
            "unit": parent.unit,
            "body": text,
            "tags": bodies["tags"],
            "anchor": None,
            "visibility": _visibility(data, parent.visibility),
        }
    if not isinstance(target, dict):
        raise ApiError(400, _("The target must be an object with a source and a selector."))
    slug, _siglum = _resolve_source(request, target.get("source"))
    key, quote, position = _selectors(target)
    unit = _unit(slug, key)
    anchor = None
    if quote is not None or position is not None:
        text_ = unit.canonical
        if quote is not None:
            exact = quote.get("exact", "")
            if not exact:
                raise ApiError(400, _("TextQuoteSelector.exact cannot be empty."))
            anchor = locate(
                text_,
                exact,
                quote.get("prefix", ""),
                quote.get("suffix", ""),
                position.get("start") if position else None,
                position.get("end") if position else None,
            )
            if anchor is None:
                raise ApiError(
                    400,
                    _("The quote “%(quote)s” is not in unit %(unit)s.")
                    % {"quote": exact, "unit": unit.key},
                )
        else:
            if not position["start"] < position["end"] <= len(text_):
                raise ApiError(
                    400, _("The position is outside unit %(unit)s.") % {"unit": unit.key}
                )
            anchor = anchor_at(text_, position["start"], position["end"])
    return {
        "parent": None,
        "unit": unit,
        "body": text,
        "tags": bodies["tags"],
        "anchor": anchor,
        "visibility": _visibility(data, Visibility.PRIVATE),
    }


def _flag_arguments(request, data) -> dict:
    bodies = _bodies(data)
    if bodies["editing"] is None:
        raise ApiError(400, _("A flag needs a body with purpose editing: the correct reading."))
    target = data.get("target")
    if not isinstance(target, dict):
        raise ApiError(400, _("The target must be an object with a source and a selector."))
    slug, siglum = _resolve_source(request, target.get("source"))
    siglum = data.get("siglum") or siglum
    if not isinstance(siglum, str) or not siglum:
        raise ApiError(400, _("A flag names the source: siglum, or the source's URL as target."))
    source = (
        Source.objects.defer("original", "text").filter(document__slug=slug, siglum=siglum).first()
    )
    if source is None:
        raise ApiError(
            400,
            _("Unknown source %(siglum)s in document %(document)s.")
            % {"siglum": siglum, "document": slug},
        )
    key, quote, position = _selectors(target)
    unit = _unit(slug, key)
    sites = [s for s in VariantSite.objects.filter(unit=unit) if siglum in s.readings]
    if quote is not None:
        sites = [s for s in sites if s.readings[siglum] == quote.get("exact", "")]
    if position is not None:
        sites = [s for s in sites if s.start == position["start"]] or sites
    if not sites:
        raise ApiError(
            400,
            _("No variant site in unit %(unit)s where %(siglum)s reads that.")
            % {"unit": key, "siglum": siglum},
        )
    prefix = (quote or {}).get("prefix", "")
    suffix = (quote or {}).get("suffix", "")
    site = max(sites, key=lambda s: _context_score(unit.canonical, s.start, s.end, prefix, suffix))
    site.unit = unit
    return {
        "site": site,
        "source": source,
        "proposed": bodies["editing"],
        "comment": bodies["text"] or "",
    }


# --- Views ---------------------------------------------------------------------------------------


def _page_size() -> int:
    return settings.ANNOTATION_PAGE_SIZE


@api_view(["GET", "HEAD", "POST"])
def container(request):
    """The annotation container: an AnnotationCollection (GET) or a new annotation (POST)."""
    if request.method == "POST":
        return _create(request)
    user = request.user
    notes = _notes_for_api(user)
    flags = Flag.objects.visible_to(user).with_related().order_by("pk")
    params = {}
    slug = request.GET.get("document")
    key = request.GET.get("unit")
    tag = request.GET.get("tag")
    if key and not slug:
        raise ApiError(400, _("Filter by unit together with its document."))
    if slug:
        if not Document.objects.filter(slug=slug).exists():
            raise ApiError(404, _("No document %(slug)s.") % {"slug": _shown(slug)})
        notes = notes.filter(unit__document__slug=slug)
        flags = flags.filter(unit__document__slug=slug)
        params["document"] = slug
    if key:
        notes = notes.filter(unit__key=key)
        flags = flags.filter(unit__key=key)
        params["unit"] = key
    if tag:
        notes = notes.filter(tags__name__iexact=tag)
        flags = flags.none()
        params["tag"] = tag
    base = request.build_absolute_uri(reverse("annotations:api_container"))
    container_id = base + ("?" + urlencode(params) if params else "")
    n_notes, n_flags = notes.count(), flags.count()
    total = n_notes + n_flags
    size = _page_size()
    last = max(0, (total - 1) // size)

    def page_id(n):
        return base + "?" + urlencode({**params, "page": n})

    def page(n):
        start, stop = n * size, (n + 1) * size
        items = [note_to_jsonld(request, x, context=False) for x in notes[start:stop]]
        if stop > n_notes:
            items += [
                flag_to_jsonld(request, f, context=False)
                for f in flags[max(0, start - n_notes) : stop - n_notes]
            ]
        data = {"id": page_id(n), "type": "AnnotationPage", "startIndex": start, "items": items}
        if n < last:
            data["next"] = page_id(n + 1)
        if n > 0:
            data["prev"] = page_id(n - 1)
        return data

    link = '<http://www.w3.org/ns/ldp#BasicContainer>; rel="type", ' + CONSTRAINED_BY
    if "page" in request.GET:
        try:
            n = int(request.GET["page"])
        except ValueError:
            raise ApiError(400, _("page must be a number.")) from None
        if not 0 <= n <= last:
            raise ApiError(404, _("No such page."))
        data = {"@context": ANNO_CONTEXT, "partOf": {"id": container_id, "total": total}, **page(n)}
        return ld_response(data, Link=link, Vary="Authorization, Cookie")
    data = {
        "@context": ANNO_CONTEXT,
        "id": container_id,
        "type": ["BasicContainer", "AnnotationCollection"],
        "label": "policyreader annotations",
        "total": total,
        "first": page(0),
        "last": page_id(last),
    }
    return ld_response(data, Link=link, Allow="GET, HEAD, POST", Vary="Authorization, Cookie")


def _create(request):
    data = _read_json(request)
    if _motivation(data) == "editing":
        args = _flag_arguments(request, data)
        flag = create_flag(
            request.user,
            args["site"],
            args["source"],
            proposed=args["proposed"],
            comment=args["comment"],
        )
        flag = Flag.objects.with_related().get(pk=flag.pk)
        body = flag_to_jsonld(request, flag)
        return ld_response(body, status=201, Location=body["id"])
    args = _note_arguments(request, data)
    note = create_note(
        request.user,
        args["unit"],
        body=args["body"],
        visibility=args["visibility"],
        tags=args["tags"],
        anchor=args["anchor"],
        parent=args["parent"],
    )
    note = _notes_for_api(request.user).get(pk=note.pk)
    body = note_to_jsonld(request, note)
    return ld_response(body, status=201, Location=body["id"])


def _etag(note) -> str:
    return f'W/"{note.pk}-{note.modified.timestamp():.6f}"'


@api_view(["GET", "HEAD", "PUT", "DELETE"])
def annotation(request, pk):
    """One note: read it, replace it (its author), delete it (its author)."""
    note = _notes_for_api(request.user).filter(pk=pk).first()
    if note is None:
        raise ApiError(404, _("No such annotation."))
    if request.method in ("GET", "HEAD"):
        return ld_response(
            note_to_jsonld(request, note),
            ETag=_etag(note),
            Allow="GET, HEAD, PUT, DELETE",
            Link='<http://www.w3.org/ns/ldp#Resource>; rel="type"',
            Vary="Authorization, Cookie",
        )
    if note.author_id != request.user.pk:
        raise ApiError(403, _("Only the author changes or deletes an annotation."))
    if request.method == "DELETE":
        delete_note(note, request.user)
        return HttpResponse(status=204)
    data = _read_json(request)
    if _motivation(data) == "editing":
        raise ApiError(400, _("A note cannot become a flag."))
    args = _note_arguments(request, data)
    if (args["parent"] and args["parent"].pk) != note.parent_id:
        raise ApiError(400, _("The target cannot change between a note and a reply."))
    visibility = data.get("visibility", note.visibility)
    update_note(
        note,
        request.user,
        body=args["body"],
        visibility=visibility,
        tags=args["tags"],
        anchor=args["anchor"] if not note.parent_id else None,
        unit=args["unit"],
    )
    note = _notes_for_api(request.user).get(pk=pk)
    return ld_response(note_to_jsonld(request, note), ETag=_etag(note))


@api_view(["GET", "HEAD", "DELETE"])
def flag_annotation(request, pk):
    """One flag: read it; its author withdraws it while it is open."""
    flag = Flag.objects.visible_to(request.user).with_related().filter(pk=pk).first()
    if flag is None:
        raise ApiError(404, _("No such annotation."))
    if request.method == "DELETE":
        if not request.user.is_authenticated:
            raise ApiError(401, _("Sign in or send a token."))
        withdraw_flag(flag, request.user)
        return HttpResponse(status=204)
    return ld_response(flag_to_jsonld(request, flag), Vary="Authorization, Cookie")


# --- Exports ---------------------------------------------------------------------------------


@require_safe
def export_jsonld(request, slug):
    """Every note of the document the requesting user may see, as one AnnotationCollection."""
    document = get_object_or_404(Document, slug=slug)
    notes = _notes_for_api(request.user).filter(unit__document=document)
    items = [note_to_jsonld(request, n, context=False) for n in notes]
    data = {
        "@context": ANNO_CONTEXT,
        "id": request.build_absolute_uri(request.path),
        "type": "AnnotationCollection",
        "label": document.title,
        "total": len(items),
        "first": {"type": "AnnotationPage", "startIndex": 0, "items": items},
    }
    response = ld_response(data)
    attachment(response, document, ".annotations.jsonld")
    return response


CSV_COLUMNS = [
    "id",
    "reply_to",
    "unit",
    "author",
    "visibility",
    "created",
    "modified",
    "tags",
    "exact",
    "prefix",
    "suffix",
    "start",
    "end",
    "orphaned",
    "body",
]


@require_safe
def export_csv(request, slug):
    """The same notes as a CSV table (UTF-8 with BOM)."""
    document = get_object_or_404(Document, slug=slug)
    notes = _notes_for_api(request.user).filter(unit__document=document)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    attachment(response, document, ".annotations.csv")
    response.write("\ufeff")  # Excel and WPS read UTF-8 only with a byte order mark
    writer = csv.writer(response)
    writer.writerow(CSV_COLUMNS)
    for n in notes:
        writer.writerow(
            [
                safe_cell(v)
                for v in (
                    n.pk,
                    n.parent_id or "",
                    n.unit.key,
                    n.author.get_username(),
                    n.visibility,
                    _iso(n.created),
                    _iso(n.modified),
                    ", ".join(t.name for t in n.tags.all()),
                    n.exact,
                    n.prefix,
                    n.suffix,
                    "" if n.start is None else n.start,
                    "" if n.end is None else n.end,
                    "yes" if n.orphaned else "",
                    n.body,
                )
            ]
        )
    return response
