"""Request and response shapes of files. Strict: unknown fields and type coercion are refused."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from ..api.fields import EnumField
from ..api.serializers import (
    ResponseSerializer,
    StrictCharField,
    StrictInputSerializer,
    StrictIntegerField,
    StrictRegexField,
)
from ..core.storage import FILE_NAME_PATTERN, plain_name
from ..items.serializers import DocumentedPattern
from .models import File, FileStatus

MEDIA_TYPE_PATTERN = r"^[!-~]+/[!-~]+$"


class FileNameField(StrictCharField):
    """A file's name: no slash and no control character, then trimmed (core/storage/content.py); its pattern is
    documented (FILE_NAME_PATTERN), its refusal worded once."""

    def __init__(self) -> None:
        super().__init__(
            min_length=1,
            max_length=255,
            validators=[DocumentedPattern(FILE_NAME_PATTERN)],
            help_text="The file's name, shown and used for downloads",
        )

    def to_internal_value(self, data: Any) -> str:
        if isinstance(data, str):
            try:
                plain_name(data)  # before DRF trims it: the pattern is of the name as sent
            except ValueError as exc:
                raise serializers.ValidationError(str(exc)) from None
        return super().to_internal_value(data)


class UploadQuerySerializer(StrictInputSerializer):
    """The query of a streamed upload (its body is the file)."""

    name = FileNameField()


class DirectUploadInSerializer(StrictInputSerializer):
    """What a client announces before uploading a file straight to storage."""

    name = FileNameField()
    content_type = StrictRegexField(
        MEDIA_TYPE_PATTERN, min_length=3, max_length=100, help_text="The file's media type: one the service accepts"
    )
    size_bytes = StrictIntegerField(min_value=1, help_text="The file's exact size: the upload must have it")

    class Meta:
        ref_name = "DirectUploadIn"


class FileSerializer(ResponseSerializer[File]):
    """A file's record; its bytes are downloaded from `/api/v1/files/{file_id}/content`. Its owner is not shown: a
    file's owner is its caller."""

    size_bytes = serializers.IntegerField(read_only=True)  # an integer, as stored (not the column's int64)
    status = EnumField(FileStatus, read_only=True)

    class Meta:
        model = File
        fields = ("id", "name", "content_type", "size_bytes", "status", "created_at", "updated_at")
        ref_name = "File"


class UploadFormSerializer(serializers.Serializer[object]):
    """The form a browser posts the file with: every field of `fields`, then the file as the last field `file`."""

    url = serializers.CharField()
    # Named as S3 names them; DRF's metaclass takes declared fields off the class, so `Serializer.fields` stays.
    fields = serializers.DictField(child=serializers.CharField())  # type: ignore[assignment]

    class Meta:
        ref_name = "UploadForm"


class DirectUploadSerializer(serializers.Serializer[object]):
    """A pending file and the form to upload its bytes with; `POST .../complete` once the upload has succeeded."""

    file = FileSerializer()
    upload = UploadFormSerializer()
    expires_in = serializers.IntegerField(help_text="Seconds the form stays valid")

    class Meta:
        ref_name = "DirectUpload"
