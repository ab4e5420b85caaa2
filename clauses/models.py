"""Documents, their copies (sources), canonical units and each copy's readings."""

from __future__ import annotations

from urllib.parse import urlencode

import psycopg
from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Count, F, Func, Lookup, StringAgg, TextField, Value
from django.db.models.fields.json import KT
from django.db.models.functions import MD5, Concat, JSONObject
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .text.search import gram_query


class GramsMatch(Lookup):
    """``grams @@ '<query>'::tsquery``: the GIN-indexed prefilter of a phrase search.

    The query is ``clauses.text.search.gram_query``'s tsquery *input*, cast
    as is: no text-search parser or dictionary touches the grams.
    """

    lookup_name = "grams_match"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} @@ ({rhs})::tsquery", (*lhs_params, *rhs_params)


def containing_phrase(queryset, phrase: str):
    """Rows of a searchable model (``folded`` and ``grams`` fields) whose folded
    text contains the folded, non-empty ``phrase`` as a substring: the GIN
    index finds the rows with all its bigrams, ``folded LIKE`` keeps the ones
    where they stand together, in order (``clauses.text.search``). A phrase of
    one or two characters is one n-gram, which the index matches exactly: no
    second test."""
    match = queryset.filter(GramsMatch(F("grams"), Value(gram_query(phrase))))
    return match if len(phrase) <= 2 else match.filter(folded__contains=phrase)


def search_manager(queryset_class):
    """A manager for a :class:`Searchable` model whose query sets leave its search
    fields unread (``defer``): pages that show units, readings or notes never
    need them, and the n-grams weigh more than the text. ``only()`` or
    ``values()`` choose otherwise; search filters on them in SQL."""

    class SearchableManager(models.Manager.from_queryset(queryset_class)):
        def get_queryset(self):
            return super().get_queryset().defer("folded", "grams")

    return SearchableManager()


class Searchable(models.Model):
    """The search fields of a text: its fold and the fold's character unigrams and
    bigrams (``clauses.text.search.index_fields``), written by every write
    path of the text, never by ``save()``."""

    folded = models.TextField(blank=True, default="", editable=False)
    grams = SearchVectorField(null=True, blank=True, editable=False)

    class Meta:
        abstract = True


class DocumentQuerySet(models.QuerySet):
    def with_counts(self):
        return self.annotate(
            source_count=Count("sources", distinct=True), unit_count=Count("units", distinct=True)
        )


class Document(models.Model):
    slug = models.SlugField(unique=True)
    title = models.CharField(_("title"), max_length=300)
    issuers = models.CharField(_("issuing bodies"), max_length=200, blank=True)
    date = models.DateField(_("date"), null=True, blank=True)
    number = models.CharField(_("document number"), max_length=60, blank=True)
    # Typed fields found in the first copy (clauses.text.layout.METADATA_FIELDS):
    # number, issuers, addressees, date (ISO), history, attachments, cc, …
    metadata = models.JSONField(_("metadata"), default=dict, blank=True)
    # Keys its units gave up for a fuller address a later copy showed
    # ({"p2": unit id}, clauses.ingest._place_units): never given to another
    # unit, and their URLs lead to the unit that had them.
    former_keys = models.JSONField(default=dict, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    objects = DocumentQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "title"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("document", args=[self.slug])


class SourceQuerySet(models.QuerySet):
    def for_reader(self, with_text: bool = False):
        """Sources without their bytes (and without their text unless asked)."""
        return self.defer("original") if with_text else self.defer("original", "text")


class Source(models.Model):
    class Kind(models.TextChoices):
        NEWSPAPER = "newspaper", _("newspaper")
        WEB = "web", _("web page")
        OFFICIAL = "official", _("official")
        OTHER = "other", _("other")

    class Script(models.TextChoices):
        SIMPLIFIED = "simplified", _("simplified")
        TRADITIONAL = "traditional", _("traditional")

    class Format(models.TextChoices):
        TEXT = "text", _("plain text")
        HTML = "html", _("HTML")
        DOCX = "docx", _("Word (DOCX)")
        PDF = "pdf", _("PDF")

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="sources")
    siglum = models.CharField(_("siglum"), max_length=4)
    title = models.CharField(_("title"), max_length=300)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    publication = models.CharField(_("publication"), max_length=200, blank=True)
    published = models.DateField(_("date published"), null=True, blank=True)
    url = models.URLField(_("URL"), blank=True, max_length=500)
    script = models.CharField(_("script"), max_length=20, choices=Script.choices)
    filename = models.CharField(_("file name"), max_length=255, blank=True)
    original = models.BinaryField(_("original bytes"))
    encoding = models.CharField(_("encoding"), max_length=20)
    format = models.CharField(
        _("format"), max_length=10, choices=Format.choices, default=Format.TEXT
    )
    checksum = models.CharField(_("SHA-256"), max_length=64)
    # The decoded original, exactly: readings point into it by offset.
    text = models.TextField()
    report = models.JSONField(_("import report"), default=list)
    # Every region of ``text``: {"kind", "name", "start", "end"} (see
    # clauses.text.layout.REGION_KINDS), and where its Han characters went.
    regions = models.JSONField(_("regions"), default=list, blank=True)
    accounting = models.JSONField(_("accounting"), default=dict, blank=True)
    # Editors' tie-breaking order for the consensus: lower wins.
    priority = models.PositiveIntegerField(default=100)
    # A copy made from another copy (a repost of a repost): shown and collated,
    # but it does not vote in the consensus.
    derived_from = models.ForeignKey(
        "self",
        verbose_name=_("derived from"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="derivatives",
    )
    imported_at = models.DateTimeField(auto_now_add=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )

    objects = SourceQuerySet.as_manager()

    class Meta:
        ordering = ["priority", "siglum"]
        constraints = [
            models.UniqueConstraint(fields=["document", "siglum"], name="unique_siglum"),
            models.UniqueConstraint(fields=["document", "checksum"], name="unique_file"),
        ]

    def __str__(self) -> str:
        return f"{self.siglum}: {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("source", args=[self.document.slug, self.siglum])


class UnitQuerySet(models.QuerySet):
    def in_order(self):
        return self.order_by("order")

    def for_reader(self, document):
        """A document's units in order, with what the reader shows of them."""
        return (
            self.filter(document=document)
            .in_order()
            .only("key", "kind", "label", "level", "order", "canonical", "locator")
        )

    def containing(self, phrase: str):
        """Units whose canonical text contains the folded ``phrase`` (see
        :func:`containing_phrase`)."""
        return containing_phrase(self, phrase)

    def texts_digests(self):
        """(document id, digest) per document: the MD5 (hex) of its units' keys,
        labels and canonical texts in order, computed by PostgreSQL (one query,
        no text sent): it changes when any of them does."""
        sep = Value("\x1f")
        return (
            self.order_by()
            .values("document_id")
            .annotate(
                digest=MD5(
                    StringAgg(
                        Concat("key", sep, "label", sep, "canonical", output_field=TextField()),
                        delimiter=Value("\x1e"),
                        order_by="order",
                    )
                )
            )
            .values_list("document_id", "digest")
        )


class Unit(Searchable):
    class Kind(models.TextChoices):
        HEADING = "heading", _("heading")
        PARAGRAPH = "paragraph", _("paragraph")
        CLAUSE = "clause", _("clause")
        ITEM = "item", _("item")
        ARTICLE = "article", _("article")
        ROW = "row", _("table row")

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="units")
    key = models.CharField(max_length=40)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    label = models.CharField(max_length=20, blank=True)  # as printed, normalized: （十三）
    ordinal = models.PositiveIntegerField(null=True, blank=True)  # the label's number
    level = models.PositiveSmallIntegerField(default=3)  # 1 section, 2 sub-heading, 3 text
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children"
    )
    order = models.PositiveIntegerField()
    canonical = models.TextField(blank=True)
    # Where the unit stands, in the document's own labels: 二、（一）, 第二十三条,
    # 序言第2段 (clauses.text.locator). What citations and pages name the unit
    # by; the key stays in URLs. Unique within the document; refreshed by
    # clauses.citation.refresh_locators whenever an import changes the tree.
    locator = models.CharField(_("locator"), max_length=200, blank=True)

    objects = search_manager(UnitQuerySet)

    class Meta:
        ordering = ["document", "order"]
        constraints = [models.UniqueConstraint(fields=["document", "key"], name="unique_unit_key")]
        indexes = [
            models.Index(fields=["document", "order"]),
            GinIndex(fields=["grams"], name="unit_grams_gin"),
        ]

    def __str__(self) -> str:
        return f"{self.label}{self.canonical[:20]}"

    def get_absolute_url(self) -> str:
        return reverse("unit", args=[self.document.slug, self.key])

    @property
    def anchor(self) -> str:
        return f"u-{self.key}"

    @property
    def document_page_url(self) -> str:
        """The document page that shows this unit (``?unit=<key>``: the page of
        the long text it is on), without a fragment: add ``#`` and
        :attr:`anchor` (or a 款's anchor) to scroll to it."""
        return f"{reverse('document', args=[self.document.slug])}?{urlencode({'unit': self.key})}"


class ReadingQuerySet(models.QuerySet):
    def coverage(self, source_ids):
        """(unit id, source id) of every reading of these sources."""
        return self.filter(source_id__in=source_ids).values_list("unit_id", "source_id")

    def spans(self, source_ids):
        """(unit id, source id, label as printed, start, end) of every reading of
        these sources: where each lies in its source's text."""
        return self.filter(source_id__in=source_ids).values_list(
            "unit_id", "source_id", "label_raw", "raw_start", "raw_end"
        )

    def containing(self, phrase: str):
        """Readings whose text contains the folded ``phrase`` (see
        :func:`containing_phrase`)."""
        return containing_phrase(self, phrase)


class Reading(Searchable):
    # No index of their own: ``one_reading_per_source`` (unit, source) leads
    # with the unit, ``reading_source_position`` with the source, and every
    # index is one more write for each of a copy's readings.
    unit = models.ForeignKey(
        Unit, on_delete=models.CASCADE, related_name="readings", db_index=False
    )
    source = models.ForeignKey(
        Source, on_delete=models.CASCADE, related_name="readings", db_index=False
    )
    text = models.TextField(blank=True)  # normalized, without the label
    label_raw = models.TextField(blank=True)  # the label exactly as printed, glosses and all
    raw_start = models.PositiveIntegerField()  # span of Source.text, without the label
    raw_end = models.PositiveIntegerField()
    position = models.PositiveIntegerField()  # order of the unit in this source

    objects = search_manager(ReadingQuerySet)

    class Meta:
        ordering = ["source", "position"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "source"], name="one_reading_per_source")
        ]
        indexes = [
            GinIndex(fields=["grams"], name="reading_grams_gin"),
            # A copy's first and last unit (clauses.collation.edges_of), read
            # at both ends of the index, not over every reading.
            models.Index(fields=["source", "position"], name="reading_source_position"),
        ]

    def __str__(self) -> str:
        return f"{self.source.siglum} {self.unit.key}"

    @property
    def raw(self) -> str:
        return self.source.text[self.raw_start : self.raw_end]


class SiteDecision(models.Model):
    """An editor's decision at a variant site: keep, choose another reading, or emend.

    It is stored as the engine's ``Override`` (what the sources read at the
    site, and a little context), not as offsets, so it finds its site again
    after re-collation and new imports; when it cannot, it stays, marked
    unapplied, for an editor to see.
    """

    class Action(models.TextChoices):
        KEEP = "keep", _("keep the canonical reading")
        CHOOSE = "choose", _("choose another reading")
        EMEND = "emend", _("emend")

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="decisions")
    action = models.CharField(max_length=10, choices=Action.choices)
    text = models.TextField(blank=True)  # the canonical reading decided on
    reason = models.TextField(blank=True)
    override = models.JSONField()  # clauses.text.collate.Override.as_dict()
    applied = models.BooleanField(default=True)
    active = models.BooleanField(default=True)  # False once a later decision replaces it
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    decided_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["unit", "decided_at", "pk"]

    def __str__(self) -> str:
        return f"{self.unit.key}: {self.action} {self.text!r}"


class VariantSiteQuerySet(models.QuerySet):
    def add_lemma_reading(self, siglum: str) -> int:
        """Record, in each of these sites, that source ``siglum`` reads its
        canonical reading (``readings[siglum] = canonical_reading``): one
        ``UPDATE`` in PostgreSQL (``readings || jsonb_build_object(…)``),
        nothing read into Python. Returns the number of sites updated."""
        return self.update(
            readings=Func(
                F("readings"),
                JSONObject(**{siglum: F("canonical_reading")}),
                template="(%(expressions)s)",
                arg_joiner=" || ",
                output_field=models.JSONField(),
            )
        )

    def of_document(self, document):
        """A document's sites, unit by unit, in order within each unit."""
        return self.filter(unit__document=document).order_by("unit_id", "index")

    def for_queue(self, document):
        """A document's sites in document order, with their units and decisions."""
        return (
            self.filter(unit__document=document)
            .select_related("unit", "decision__decided_by")
            .order_by("unit__order", "index")
        )

    def for_source(self, siglum: str):
        """Sites where this source differs from the canonical reading."""
        return (
            self.filter(readings__has_key=siglum)
            .annotate(source_reading=KT(f"readings__{siglum}"))
            .exclude(source_reading=models.F("canonical_reading"))
        )


class VariantSite(models.Model):
    """A span of a unit's canonical text where at least one source differs.

    Derived data: rebuilt by re-collation from the readings, the source
    priority and the editors' decisions.
    """

    class Type(models.TextChoices):
        SUBSTITUTION = "substitution", _("substitution")
        OMISSION = "omission", _("omission")
        ADDITION = "addition", _("addition")
        TRANSPOSITION = "transposition", _("transposition")
        PUNCTUATION = "punctuation", _("punctuation only")
        LACUNA = "lacuna", _("lacuna")

    # No index of its own: ``unique_site_index`` (unit, index) leads with the
    # unit, and an import rewrites thousands of sites (one index entry fewer each).
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="sites", db_index=False)
    index = models.PositiveIntegerField()  # 0-based order within the unit
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    type = models.CharField(max_length=20, choices=Type.choices)
    likely_ocr = models.BooleanField(default=False)
    # The consensus could not choose: the best readings are equal in votes and
    # in every property of their sources an editor can see and set.
    tie = models.BooleanField(default=False)
    ocr_pairs = models.JSONField(default=list)
    readings = models.JSONField()  # {siglum: reading}, every covering source
    canonical_reading = models.TextField(blank=True)
    decision = models.ForeignKey(
        SiteDecision, null=True, blank=True, on_delete=models.SET_NULL, related_name="sites"
    )

    objects = VariantSiteQuerySet.as_manager()

    class Meta:
        ordering = ["unit", "index"]
        # Deferred: an import renumbers a unit's sites in one UPDATE, two of
        # them sharing an index in between (clauses.collation._merge_sites).
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "index"],
                name="unique_site_index",
                deferrable=models.Deferrable.DEFERRED,
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit.key}#{self.index + 1} {self.canonical_reading!r}"

    def as_dict(self) -> dict:
        data = {
            "start": self.start,
            "end": self.end,
            "type": self.type,
            "readings": self.readings,
            "likely_ocr": self.likely_ocr,
        }
        if self.ocr_pairs:
            data["ocr_pairs"] = self.ocr_pairs
        return data


class CanonicalChange(models.Model):
    """History of a unit's canonical text: who, when, from what, to what, why."""

    class Cause(models.TextChoices):
        IMPORT = "import", _("import")
        CONSENSUS = "consensus", _("consensus")
        DECISION = "decision", _("editor's decision")
        PRIORITY = "priority", _("source priority")

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="history")
    before = models.TextField(blank=True)
    after = models.TextField(blank=True)
    cause = models.CharField(max_length=20, choices=Cause.choices)
    reason = models.TextField(blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["unit", "-created", "-pk"]

    def __str__(self) -> str:
        return f"{self.unit.key} {self.created:%Y-%m-%d} {self.cause}"


class DocumentRelation(models.Model):
    """How two documents are related: ``from_document`` is a later version of,
    supersedes, or builds on ``to_document``."""

    class Kind(models.TextChoices):
        LATER_VERSION_OF = "later_version_of", _("later version of")
        SUPERSEDES = "supersedes", _("supersedes")
        BUILDS_ON = "builds_on", _("builds on")

    from_document = models.ForeignKey(
        Document, on_delete=models.CASCADE, related_name="relations_from"
    )
    to_document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="relations_to")
    kind = models.CharField(_("relation"), max_length=20, choices=Kind.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["from_document", "kind", "to_document"]
        constraints = [
            models.UniqueConstraint(
                fields=["from_document", "to_document", "kind"], name="unique_relation"
            ),
            models.CheckConstraint(
                condition=~models.Q(from_document=models.F("to_document")),
                name="relation_not_to_itself",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_document.slug} {self.kind} {self.to_document.slug}"


class DocumentGram(models.Model):
    """One hash of a document's fingerprint (``clauses.text.fingerprint``): a
    sample of the n-grams of its canonical text, refreshed by every import.

    A new copy's document is found by counting the hashes it shares with each
    document (one indexed query), not by aligning it against every document.
    """

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="grams")
    gram = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["document", "gram"], name="unique_document_gram")
        ]
        indexes = [models.Index(fields=["gram"])]

    def __str__(self) -> str:
        return f"{self.document_id}:{self.gram}"


class UnitAlignment(models.Model):
    """A unit's witnesses aligned to the texts its last collation was built on.

    Derived data (``clauses.text.collate.AlignmentCache.as_json``): a new copy
    is collated by aligning its reading alone; the others' alignments are
    taken from here. Rebuilt by every collation; never needed for correctness.
    """

    unit = models.OneToOneField(Unit, on_delete=models.CASCADE, related_name="alignment")
    cache = models.JSONField(default=dict)

    def __str__(self) -> str:
        return f"alignments of {self.unit_id}"


class ImportJobQuerySet(models.QuerySet):
    """The job's file travels in binary, with server-side binding, both ways.

    Through the ORM a ``bytea`` goes as hex text: Django spells it out in the
    SQL string to write it (a 4.7 MB file peaked at 35 MB), and psycopg reads
    it back as hex to decode (27 MB held by the worker for the same file).
    Measured with ``/proc/self/status`` (VmRSS, VmHWM), not tracemalloc, which
    does not see libpq's buffers.
    """

    def create_with_file(self, data: bytes, **fields) -> ImportJob:
        """Create a job with ``fields`` and store ``data`` (bytes) as its file;
        returns the job without its file loaded (``data`` deferred)."""
        from django.db import connection

        job = self.create(data=b"", **fields)
        connection.ensure_connection()
        table = connection.ops.quote_name(ImportJob._meta.db_table)
        with psycopg.Cursor(connection.connection) as cursor:
            cursor.execute(f"UPDATE {table} SET data = %b WHERE id = %s", [bytes(data), job.pk])
        return self.defer("data").get(pk=job.pk)

    def forget_files(self, before) -> int:
        """Empty the file of every job that ended before ``before`` (a datetime);
        returns how many were emptied. A preview of pasted text keeps its text
        for the form until then; every other job empties its file as it ends."""
        return (
            self.filter(status__in=[ImportJob.Status.DONE, ImportJob.Status.FAILED])
            .filter(updated__lt=before)
            .exclude(data=b"")
            .update(data=b"")
        )

    def file_of(self, pk: int) -> bytes:
        """The file of job ``pk`` as bytes (``b""`` once emptied or when there
        is no such job), fetched in binary format."""
        from django.db import connection

        connection.ensure_connection()
        table = connection.ops.quote_name(ImportJob._meta.db_table)
        with psycopg.Cursor(connection.connection) as cursor:
            cursor.execute(f"SELECT data FROM {table} WHERE id = %s", [pk], binary=True)
            row = cursor.fetchone()
        return bytes(row[0]) if row and row[0] is not None else b""


class ImportJob(models.Model):
    """An import running in the background (``clauses.tasks``): what it was
    given, how far it is, and how it ended, for the progress page."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE
    )
    task_id = models.CharField(max_length=64, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)

    class Stage(models.TextChoices):  # clauses.ingest.STAGES
        READ = "read", _("reading the file")
        IDENTIFY = "identify", _("finding the document")
        ALIGN = "align", _("aligning the units")
        WRITE = "write", _("saving the readings")
        COLLATE = "collate", _("collating")
        FINGERPRINT = "fingerprint", _("indexing the document")

    progress = models.PositiveSmallIntegerField(default=0)  # percent
    stage = models.CharField(max_length=40, blank=True, choices=Stage.choices)
    language = models.CharField(max_length=16, blank=True)
    data = models.BinaryField()  # the file, emptied when the job ends
    options = models.JSONField(default=dict)  # SourceMeta and the import's arguments
    source = models.ForeignKey(Source, null=True, blank=True, on_delete=models.SET_NULL)
    message = models.TextField(blank=True)  # the success or failure line, translated
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    objects = ImportJobQuerySet.as_manager()

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"import {self.pk} {self.status} {self.progress}%"


class ComparisonCorrectionQuerySet(models.QuerySet):
    def between(self, old: Document, new: Document):
        """The corrections of the comparison of ``old`` with ``new``, newest first."""
        return self.filter(old_document=old, new_document=new).order_by("-created", "-pk")


class ComparisonCorrection(models.Model):
    """An editor's correction of how two documents' units are paired (新旧对照).

    ``pair``: the old units ``old_keys`` correspond to the new units
    ``new_keys`` (one side has one key). ``unpair``: those units have no
    counterpart. Kept by unit key and applied on top of the automatic pairing
    (``clauses.text.compare``) every time the comparison is shown; a key that
    no longer exists is ignored.
    """

    class Kind(models.TextChoices):
        PAIR = "pair", _("pair")
        UNPAIR = "unpair", _("no counterpart")

    old_document = models.ForeignKey(
        Document, on_delete=models.CASCADE, related_name="corrections_as_old"
    )
    new_document = models.ForeignKey(
        Document, on_delete=models.CASCADE, related_name="corrections_as_new"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    old_keys = models.JSONField(default=list, blank=True)
    new_keys = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created = models.DateTimeField(auto_now_add=True)

    objects = ComparisonCorrectionQuerySet.as_manager()

    class Meta:
        ordering = ["old_document", "new_document", "-created", "-pk"]

    def __str__(self) -> str:
        return f"{self.kind} {self.old_keys} ~ {self.new_keys}"

    def fixed_groups(self) -> list[tuple[list[str], list[str]]]:
        """The groups this correction fixes, as ``clauses.text.compare`` takes them."""
        if self.kind == self.Kind.PAIR:
            return [(list(self.old_keys), list(self.new_keys))]
        return [(list(self.old_keys), []), ([], list(self.new_keys))]
