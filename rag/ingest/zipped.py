"""Zip archives (.docx) opened only when their directory promises bounded work."""

from __future__ import annotations

import io
import zipfile

from rag.errors import DocumentError
from rag.ingest.limits import ReadLimits, over

# An entry smaller than this unpacked costs little however well it packs.
RATIO_FLOOR = 1_000_000


def open_zip(data: bytes, name: str, limits: ReadLimits, kind: str) -> zipfile.ZipFile:
    """The archive, once its entries, unpacked size and packing ratios are within the limits."""
    # The directory's sizes bound the work: zipfile stops inflating an entry at its listed size, and
    # an entry that claims less than it holds fails its CRC check.
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError) as exc:
        raise DocumentError(f"{name}: not a readable {kind} ({exc})") from exc
    if len(entries) > limits.max_zip_entries:
        raise over(
            name,
            f"{len(entries):,} entries in the archive",
            f"{limits.max_zip_entries:,} entry",
            "MAX_ZIP_ENTRIES",
        )
    unpacked = sum(e.file_size for e in entries)
    if unpacked > limits.max_unzipped_bytes:
        raise over(
            name,
            f"{unpacked / 1e6:.1f} MB unpacked",
            f"{limits.max_unzipped_bytes / 1e6:g} MB",
            "MAX_UNZIPPED_MB",
        )
    for entry in entries:
        ratio = entry.file_size / max(entry.compress_size, 1)
        if entry.file_size > RATIO_FLOOR and ratio > limits.max_zip_ratio:
            raise over(
                name,
                f"{entry.filename} unpacking to {ratio:,.0f} times its packed size",
                f"{limits.max_zip_ratio:g}×",
                "MAX_ZIP_RATIO",
            )
    return archive
