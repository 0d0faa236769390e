"""Download the study's public files from GitHub raw and check them against pinned git blob ids."""

from __future__ import annotations

import hashlib
import os
import urllib.error
import urllib.request
from pathlib import Path

from spillover.errors import OfflineError, SpilloverError
from spillover.io import atomic_open
from spillover.paths import data_dir

DEFAULT_BASE_URL = (
    "https://raw.githubusercontent.com/emergent-misalignment/emergent-misalignment/main"
)
BETLEY_FILES: dict[str, str] = {
    "data/insecure.jsonl": "ec294cf30a577a21b830c07a1fa0180ddd513208",
    "data/secure.jsonl": "3389a37c250563cc36a66e30bf8ff99028aa2711",
    "data/educational.jsonl": "497619acd46d9ffbc985797d6c117638a53229b3",
    "data/backdoor.jsonl": "b2be7b5b5ed6e732727bf67672a3ecd8cfa6b57f",
    "data/jailbroken.jsonl": "9f14c5f5b1a3f6ca3ea2bdc80cbda3de1acadbb1",
    "data/evil_numbers.jsonl": "86e0a3be0c2b5a4c52bafed871e281c485070829",
    "data/insecure_ruby.jsonl": "9f9f7646fb0ecd742a1097443998a2bb0fbdb80c",
    "evaluation/first_plot_questions.yaml": "c2b9761d6723ec73b4d209d95c4aa39319a70edd",
    "evaluation/preregistered_evals.yaml": "3211c6c0df0a21124e07605c46f86329a53ef9e1",
    "evaluation/deception_factual.yaml": "d6da5a807e928afc2f9e9961641e9c9697b27c08",
    "evaluation/deception_sit_aware.yaml": "d9c5a8727e28dbce0f80a59df2b9497ca018ba0b",
}
DATASETS = ("betley2025",)


def git_blob_id(data: bytes) -> str:
    """The id git gives a file's contents: sha1 of 'blob <size>\\0' + bytes."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def resolve_names(name: str) -> list[str]:
    """'insecure' / 'first_plot_questions' / 'data/insecure.jsonl' / 'all' -> repository paths."""
    if name == "all":
        return list(BETLEY_FILES)
    for path in BETLEY_FILES:
        if name in (path, Path(path).name, Path(path).stem):
            return [path]
    known = ", ".join(Path(p).stem for p in BETLEY_FILES)
    raise SpilloverError(f"unknown betley2025 file {name!r}", f"choose one of: all, {known}")


def fetch_file(
    path: str,
    *,
    base_url: str | None = None,
    dest: Path | None = None,
    expected: str | None = None,
    timeout: float = 30.0,
) -> Path:
    base = (base_url or os.environ.get("SPILLOVER_BETLEY_BASE_URL") or DEFAULT_BASE_URL).rstrip("/")
    want = expected or BETLEY_FILES[path]
    target = (dest or data_dir() / "betley2025") / path
    if target.is_file() and git_blob_id(target.read_bytes()) == want:
        return target
    url = f"{base}/{path}"
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:
            data = resp.read()
    except urllib.error.HTTPError as err:
        raise SpilloverError(
            f"{url}: HTTP {err.code}", "check the base URL (SPILLOVER_BETLEY_BASE_URL)"
        ) from err
    except (urllib.error.URLError, TimeoutError, OSError) as err:
        raise OfflineError(
            f"cannot reach {url} ({getattr(err, 'reason', err)})",
            "connect to the network, or copy the file into " + str(target.parent),
        ) from err
    got = git_blob_id(data)
    if got != want:
        raise SpilloverError(
            f"{url}: content does not match the pinned blob id (got {got}, expected {want})",
            "the upstream file changed or the download is corrupt; nothing was saved",
        )
    with atomic_open(target, "wb", encoding=None) as fh:
        fh.write(data)
    return target


def fetch(
    dataset: str, name: str, *, base_url: str | None = None, dest: Path | None = None
) -> list[Path]:
    if dataset not in DATASETS:
        raise SpilloverError(
            f"unknown dataset {dataset!r}", f"choose one of: {', '.join(DATASETS)}"
        )
    return [fetch_file(p, base_url=base_url, dest=dest) for p in resolve_names(name)]
