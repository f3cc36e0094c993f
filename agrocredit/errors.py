"""Errors raised by agrocredit.

Every error derives from :class:`AgroCreditError`; most also derive from the matching
builtin (``LookupError``, ``ValueError``, ``OSError``) so callers can catch either.
Messages say what went wrong and what to do about it.
"""

from __future__ import annotations


class AgroCreditError(Exception):
    """Root of every error agrocredit raises on purpose."""

    #: Short machine-readable code, used by the API and ``--json`` output.
    code: str = "agrocredit_error"


class ConfigError(AgroCreditError, ValueError):
    """Settings or a configuration file are invalid."""

    code = "config_error"


class RegistryError(AgroCreditError):
    """The plot registry cannot be opened, migrated or written."""

    code = "registry_error"


class MigrationError(RegistryError, RuntimeError):
    """The database schema is not at a version this code can use."""

    code = "migration_error"


class NotFoundError(AgroCreditError, LookupError):
    """A requested record does not exist."""

    code = "not_found"


class PlotNotFoundError(NotFoundError):
    """No plot with the given id is registered."""

    code = "plot_not_found"


class FarmerNotFoundError(NotFoundError):
    """No farmer with the given id is registered."""

    code = "farmer_not_found"


class InvalidInputError(AgroCreditError, ValueError):
    """A value given by a user or a file is not acceptable."""

    code = "invalid_input"


class CRSError(InvalidInputError):
    """A coordinate reference system is missing, unknown or wrong for the data."""

    code = "crs_error"


class GeometryError(InvalidInputError):
    """A geometry is invalid, of the wrong type or of an implausible size."""

    code = "geometry_error"


class UnknownCropError(InvalidInputError):
    """A crop name is not in the crop taxonomy."""

    code = "unknown_crop"


class SeasonError(InvalidInputError):
    """A season string is not of the form ``YYYY-winter``, ``YYYY-summer`` or ``YYYY-perennial``."""

    code = "invalid_season"


class ImportFileError(AgroCreditError, OSError):
    """A file to import cannot be read, or is of an unsupported format."""

    code = "import_file_error"


class ExportError(AgroCreditError, OSError):
    """A file cannot be written."""

    code = "export_error"
