"""`databook fetch`: the raw store of e-Stat responses, and reading it back.

Each getStatsData page is stored verbatim under data/raw/estat/ with an entry
in data/raw/estat/manifest.json: the request without the appId, the time, the
size, the SHA-256 and the page's RESULT_INF. A page file is written to a
temporary name and renamed, and only then entered in the manifest (itself
rewritten by rename), so a fetch killed at any point leaves every manifest
entry pointing to a complete file. A file without an entry is ignored and
overwritten by the next fetch. A rerun skips the pages whose entry and hash
are in order, so it resumes where the killed run stopped.

`databook build` reads the pages offline and rejects a page whose hash no
longer matches its entry. Responses that staff save by hand (`files:` of an
estat dataset) have no entry and are read as they are, their hashes recorded
in the provenance.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from databook.config import Config, EstatDataset, expand
from databook.errors import ConfigError, InputError, RemoteDataError
from databook.model import Dataset
from databook.sources.codes import normalize_area_code
from databook.sources.estat import (
    EstatClient,
    StatsPage,
    TidyOptions,
    load_json,
    parse_stats_data,
    tidy_pages,
)
from databook.sources.files import file_sha256, read_bytes
from databook.sources.http import RetryPolicy

logger = logging.getLogger(__name__)

STORE = Path("data") / "raw" / "estat"
MANIFEST = "manifest.json"
ENDPOINT = "getStatsData"


def request_params(settings: EstatDataset) -> dict[str, str]:
    """Return the getStatsData parameters of a dataset, without appId and paging.

    Every page is requested with all of these, the filters included.
    """
    params: dict[str, str] = {"statsDataId": settings.stats_data_id}
    for name, value in sorted(settings.filters.items()):
        if isinstance(value, list):
            params[name] = ",".join(str(item) for item in value)
        else:
            params[name] = str(value)

    item_class = settings.indicator_class
    if settings.items:
        params[f"cd{item_class[0].upper()}{item_class[1:]}"] = ",".join(settings.items)
    if settings.areas:
        codes = [
            normalize_area_code(code, setting="datasets の areas")
            for code in settings.areas
        ]
        params["cdArea"] = ",".join(codes)
    if settings.page_size:
        params["limit"] = str(settings.page_size)
    return params


def request_key(params: dict[str, str]) -> str:
    """Return a short stable name for a request: its table and a hash of its params."""
    canonical = json.dumps(params, sort_keys=True, ensure_ascii=False)
    digest = hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:12]
    return f"{params['statsDataId']}-{digest}"


@dataclass(frozen=True)
class PageEntry:
    """The manifest entry of one stored page."""

    file: str
    """Path relative to the project folder, with / separators."""
    request_key: str
    page: int
    params: dict
    """The request as sent, startPosition included and appId left out."""
    fetched_at: str
    size: int
    sha256: str
    total_number: int
    from_number: int | None
    to_number: int | None
    next_key: int | None

    def to_json(self) -> dict:
        return {
            "request_key": self.request_key,
            "page": self.page,
            "request": {"endpoint": ENDPOINT, "params": self.params},
            "fetched_at": self.fetched_at,
            "size": self.size,
            "sha256": self.sha256,
            "total_number": self.total_number,
            "from_number": self.from_number,
            "to_number": self.to_number,
            "next_key": self.next_key,
        }

    @classmethod
    def from_json(cls, file: str, data: dict) -> PageEntry:
        return cls(
            file=file,
            request_key=data["request_key"],
            page=int(data["page"]),
            params=data["request"]["params"],
            fetched_at=data["fetched_at"],
            size=int(data["size"]),
            sha256=data["sha256"],
            total_number=int(data["total_number"]),
            from_number=data.get("from_number"),
            to_number=data.get("to_number"),
            next_key=data.get("next_key"),
        )


class RawStore:
    """The folder data/raw/estat/ of a project and its manifest."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.folder = root / STORE
        self.manifest_path = self.folder / MANIFEST
        self.entries = self._read_manifest()

    def _read_manifest(self) -> dict[str, PageEntry]:
        if not self.manifest_path.is_file():
            return {}
        shown = str(STORE / MANIFEST)
        try:
            data = json.loads(self.manifest_path.read_text(encoding="utf-8"))
            return {
                file: PageEntry.from_json(file, entry)
                for file, entry in data["files"].items()
            }
        except (ValueError, KeyError, TypeError) as error:
            raise InputError(
                f"取得記録を読めません（{type(error).__name__}）。",
                file=shown,
                hint=f"{shown} を消してから databook fetch を実行し直してください。",
            ) from None

    def pages(self, key: str) -> list[PageEntry]:
        entries = [e for e in self.entries.values() if e.request_key == key]
        return sorted(entries, key=lambda entry: entry.page)

    def page_path(self, key: str, page: int) -> Path:
        return self.folder / key / f"{ENDPOINT}-{page:04d}.json"

    def relative(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()

    def is_intact(self, entry: PageEntry) -> bool:
        path = self.root / entry.file
        return path.is_file() and file_sha256(path) == entry.sha256

    def save_page(
        self, key: str, page: int, params: dict, body: bytes, parsed: StatsPage
    ) -> PageEntry:
        """Write a page file atomically, then enter it in the manifest."""
        path = self.page_path(key, page)
        write_atomic(path, body)
        entry = PageEntry(
            file=self.relative(path),
            request_key=key,
            page=page,
            params=params,
            fetched_at=datetime.now(UTC).isoformat(timespec="seconds"),
            size=len(body),
            sha256=hashlib.sha256(body).hexdigest(),
            total_number=parsed.total_number,
            from_number=parsed.from_number,
            to_number=parsed.to_number,
            next_key=parsed.next_key,
        )
        self.entries[entry.file] = entry
        self._write_manifest()
        return entry

    def forget(self, key: str, *, after_page: int = 0) -> None:
        """Drop the entries of a request from `after_page` + 1 on, and their files."""
        stale = [e for e in self.pages(key) if e.page > after_page]
        if not stale:
            return
        for entry in stale:
            del self.entries[entry.file]
        self._write_manifest()
        for entry in stale:
            (self.root / entry.file).unlink(missing_ok=True)

    def remove_partial_files(self) -> None:
        """Delete the temporary files that a killed fetch left behind."""
        for path in self.folder.rglob(".*.part"):
            logger.debug("途中で止まった書き込みを削除: %s", self.relative(path))
            path.unlink(missing_ok=True)

    def _write_manifest(self) -> None:
        data = {
            "version": 1,
            "files": {
                file: self.entries[file].to_json() for file in sorted(self.entries)
            },
        }
        text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
        write_atomic(self.manifest_path, text.encode("utf-8"))


def write_atomic(path: Path, data: bytes) -> None:
    """Write a file under a temporary name in its folder, then rename it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(
        prefix=f".{path.name}.", suffix=".part", dir=path.parent
    )
    try:
        with os.fdopen(descriptor, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


@dataclass(frozen=True)
class FetchResult:
    """The outcome of fetching one dataset."""

    name: str
    pages: int
    requested: int
    """Pages requested from the API in this run; the others were already stored."""
    total_number: int


def fetch_dataset(
    name: str,
    settings: EstatDataset,
    store: RawStore,
    client: EstatClient,
    *,
    refresh: bool = False,
) -> FetchResult:
    """Fetch every page of a dataset's request that the store lacks.

    With `refresh`, the stored pages are dropped first and all are fetched.
    A stored page is reused only if its entry, start position and hash are in
    order and its TOTAL_NUMBER matches that of the pages fetched in this run.
    """
    params = request_params(settings)
    key = request_key(params)
    if refresh:
        store.forget(key)
    stored = {entry.page: entry for entry in store.pages(key)}

    page, start, requested, total = 1, 1, 0, None
    while True:
        entry = stored.get(page)
        page_params = {**params, "startPosition": str(start)}
        reusable = (
            entry is not None
            and entry.params == page_params
            and (total is None or entry.total_number == total)
            and store.is_intact(entry)
        )
        if reusable:
            logger.debug("取得済みのため省略: %s", entry.file)
        else:
            logger.info(
                "取得中: %s（統計表ID %s、%d ページ目）",
                name,
                settings.stats_data_id,
                page,
            )
            body, parsed = client.get_stats_data(page_params)
            if total is not None and parsed.total_number != total:
                raise RemoteDataError(
                    f"取得中に統計表の件数が変わりました（{total} 件から"
                    f" {parsed.total_number} 件）。e-Stat で表が更新されたようです。",
                    place=f"データ {name}、{page} ページ目",
                    hint="databook fetch --refresh ですべて取り直してください。",
                )
            entry = store.save_page(key, page, page_params, body, parsed)
            requested += 1
            logger.info("保存: %s（%d バイト）", entry.file, entry.size)
        total = entry.total_number if total is None else total

        if entry.next_key is None:
            break
        page, start = page + 1, entry.next_key

    # A previous run may have stored more pages when the table was longer.
    store.forget(key, after_page=page)
    return FetchResult(name, page, requested, total or 0)


def fetch_all(
    config: Config,
    app_id: str,
    *,
    refresh: bool = False,
    policy: RetryPolicy | None = None,
) -> list[FetchResult]:
    """Fetch every estat dataset of databook.yml that is not read from `files`."""
    datasets = [
        (name, settings)
        for name, settings in config.datasets.items()
        if isinstance(settings, EstatDataset) and not settings.files
    ]
    if not datasets:
        raise ConfigError(
            "取得する e-Stat のデータ（kind: estat）がありません。",
            file="databook.yml",
            place="設定 datasets",
            hint="datasets に kind: estat のデータを書き足してください"
            "（README の設定の説明を参照）。",
        )

    store = RawStore(config.root)
    store.remove_partial_files()
    results = []
    for name, settings in datasets:
        with EstatClient(app_id, api_url=settings.api_url, policy=policy) as client:
            results.append(
                fetch_dataset(name, settings, store, client, refresh=refresh)
            )
    return results


def load_estat(settings: EstatDataset, config: Config, *, name: str = "") -> Dataset:
    """Read a dataset's stored pages (or its hand-saved files) into a Dataset."""
    if settings.files:
        paths = [p for pattern in settings.files for p in expand(config, pattern)]
        pages = [_read_page(config.root, path) for path in paths]
    else:
        pages = _read_fetched(settings, config, name)

    options = TidyOptions(
        indicator_class=settings.indicator_class,
        indicators=settings.indicators,
        source_prefix=f"estat-{name}" if name else "estat",
    )
    dataset = tidy_pages(pages, options)
    logger.info(
        "読み込み: e-Stat 統計表ID %s（%d ファイル、%d 件）",
        settings.stats_data_id,
        len(pages),
        len(dataset.frame),
    )
    return dataset


def _read_page(root: Path, path: Path) -> StatsPage:
    shown = _display(root, path)
    body = read_bytes(path, display_path=shown)
    try:
        page = parse_stats_data(load_json(body, place=shown), place=shown)
    except RemoteDataError as error:
        raise InputError(
            error.message,
            file=shown,
            hint="e-Stat の getStatsData（JSON）の応答をそのまま置くか、"
            "databook fetch で取り直してください。",
        ) from None
    page.file = shown
    page.sha256 = file_sha256(path)
    return page


def _read_fetched(settings: EstatDataset, config: Config, name: str) -> list[StatsPage]:
    store = RawStore(config.root)
    key = request_key(request_params(settings))
    entries = store.pages(key)
    again = "databook fetch を実行して取り直してください（ESTAT_APP_ID が必要です）。"
    if not entries:
        raise InputError(
            f"データ {name}（統計表ID {settings.stats_data_id}）を"
            "まだ取得していません。",
            file=str(STORE / key),
            hint=again,
        )
    last = entries[-1]
    numbers = [entry.page for entry in entries]
    totals = {entry.total_number for entry in entries}
    if len(totals) > 1:
        raise InputError(
            f"データ {name} のページの件数（TOTAL_NUMBER）がそろっていません"
            f"（{', '.join(map(str, sorted(totals)))}）。",
            file=str(STORE / key),
            hint="databook fetch --refresh を実行して取り直してください。",
        )
    if numbers != list(range(1, len(entries) + 1)) or last.next_key is not None:
        raise InputError(
            f"データ {name} の取得が途中で止まっています"
            f"（{len(entries)} ページまで）。",
            file=str(STORE / key),
            hint=again,
        )

    pages = []
    for entry in entries:
        path = config.root / entry.file
        if not path.is_file():
            raise InputError(
                "取得したファイルがありません。", file=entry.file, hint=again
            )
        if file_sha256(path) != entry.sha256:
            raise InputError(
                "ファイルの内容が取得時の記録（SHA-256）と違います。"
                "取得後に書き換えられたか、壊れています。",
                file=entry.file,
                hint="databook fetch --refresh を実行して取り直してください。",
            )
        pages.append(_read_page(config.root, path))
    return pages


def _display(root: Path, path: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)
