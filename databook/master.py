"""The municipality master list that databook.yml declares, read once per content.

Several loaders look names up in it (tables, RESAS, census series, register
records); each calls `configured_master` instead of reading the file again.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from databook.config import CONFIG_NAME, Config
from databook.errors import ConfigError
from databook.sources.codes import MunicipalityMaster, load_master
from databook.sources.files import file_sha256


def configured_master(config: Config) -> MunicipalityMaster:
    """Return the municipality master that databook.yml declares, for name lookups."""
    found = config.dataset_of_kind("municipalities")
    if found is None:
        raise ConfigError(
            "団体コード一覧（kind: municipalities）のデータがありません。",
            file=CONFIG_NAME,
            place="設定 datasets",
            hint="datasets に kind: municipalities と file: を書き足してください。",
        )
    settings = found[1]
    path = config.path(settings.file)
    return _read_master(path, file_sha256(path), settings.file)


@lru_cache(maxsize=4)
def _read_master(path: Path, sha256: str, display_path: str) -> MunicipalityMaster:
    """Read the master once per content, for the several loaders that look names up.

    The hash is part of the key so that an edited file is read again.
    """
    return load_master(path, display_path=display_path)
