"""Import images into a project: find files, validate them with Pillow, store them once.

``import_images`` is what the CLI, the API and the tests call.
"""

from crowdlens.ingest.images import ImageLimits, PreparedImage, prepare_image
from crowdlens.ingest.importer import ImportReport, Skipped, import_images
from crowdlens.ingest.sources import ImportSource, collect_sources, read_manifest

__all__ = [
    "ImageLimits",
    "ImportReport",
    "ImportSource",
    "PreparedImage",
    "Skipped",
    "collect_sources",
    "import_images",
    "prepare_image",
    "read_manifest",
]
