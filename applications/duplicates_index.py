"""Near-duplicate search by content: character 3-gram shingles, MinHash signatures and an LSH index
(datasketch).

Chinese needs no word segmentation here: the text is normalised (full-width folded, lower case, no
spaces, punctuation or symbols, as the name check in services.eligibility) and cut into
overlapping 3-character shingles. A shingle is coded exactly as one 63-bit integer (three code points
of 21 bits each), so shingle sets compare exactly; for the MinHash each code is mixed down to 32 bits
(MurmurHash3's 64-bit finalizer) and goes through datasketch's 32-bit affine scheme.

The LSH index lives in each process's memory: built from the stored signatures
(ApplicationFingerprint) on first use and brought up to date from their ``updated_at`` before every
query, so web workers and Celery workers agree without a shared server. LSH only proposes
candidates; the similarity shown is always the exact Jaccard of the shingle sets.
"""

import hashlib
import re
import threading
import unicodedata
from datetime import timedelta

import numpy as np
from datasketch import LeanMinHash, MinHash, MinHashLSH
from django.conf import settings
from django.utils import timezone

from .models import ApplicationFingerprint
from .models.application import NARRATIVE_LIMITS

NUM_PERM = 128
SEED = 1
SCHEME = "affine32"  # datasketch's default: half the work and storage of affine64
SHINGLE = 3
# The project name and the narrative sections of Table A.1, in the table's order.
CONTENT_FIELDS = ["project_name", *NARRATIVE_LIMITS]
DEFAULT_THRESHOLD = 0.5
# A transaction may commit a little after the row's updated_at: re-read that much on every sync (only
# the digests; the signatures of the changed ones).
SYNC_OVERLAP = timedelta(seconds=60)

_NOT_WORD = re.compile(r"[\W_]+")
_PERMUTATIONS = MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME).permutations


def threshold() -> float:
    return float(getattr(settings, "DUPLICATE_SIMILARITY_THRESHOLD", DEFAULT_THRESHOLD))


def content_text(values: dict) -> str:
    """The compared text of an application (a model instance's or a ``values()`` row's fields)."""
    return "\n".join(str(values.get(name) or "") for name in CONTENT_FIELDS)


def normalise(text: str) -> str:
    """Full-width folded, lower case, letters and digits only (the rule of services.eligibility's
    name check, in one regular expression: this runs over whole applications)."""
    return _NOT_WORD.sub("", unicodedata.normalize("NFKC", text or "").lower())


def digest(normalised: str) -> str:
    return hashlib.sha256(normalised.encode("utf-8")).hexdigest()


def shingle_codes(normalised: str) -> np.ndarray:
    """The sorted, distinct 3-character shingles of a normalised text, each as one uint64."""
    points = np.frombuffer(normalised.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    if len(points) == 0:
        return np.empty(0, dtype=np.uint64)
    if len(points) < SHINGLE:  # a text shorter than one shingle is its own shingle
        points = np.concatenate([points, np.zeros(SHINGLE - len(points), dtype=np.uint64)])
    codes = (points[:-2] << np.uint64(42)) | (points[1:-1] << np.uint64(21)) | points[2:]
    return np.unique(codes)


def _fmix64(values: np.ndarray) -> np.ndarray:
    """MurmurHash3's 64-bit finalizer (wrapping multiplication is intended)."""
    values = values ^ (values >> np.uint64(33))
    values = values * np.uint64(0xFF51AFD7ED558CCD)
    values = values ^ (values >> np.uint64(33))
    values = values * np.uint64(0xC4CEB9FE1A85EC53)
    return values ^ (values >> np.uint64(33))


def _fmix32(values: np.ndarray) -> np.ndarray:
    """MurmurHash3's 32-bit finalizer: the pre-mix of datasketch's affine32 scheme."""
    values = values ^ (values >> np.uint32(16))
    values = values * np.uint32(0x85EBCA6B)
    values = values ^ (values >> np.uint32(13))
    values = values * np.uint32(0xC2B2AE35)
    return values ^ (values >> np.uint32(16))


def code_hash(code) -> int:
    """A shingle code's 32-bit hash: the hash function the MinHash is defined with."""
    return int(_fmix64(np.asarray([code], dtype=np.uint64))[0] & np.uint64(0xFFFFFFFF))


def reference_signature(codes: np.ndarray) -> LeanMinHash:
    """datasketch's own MinHash.update_batch over the codes: what ``signature`` computes, slower (a
    Python call per shingle). Kept as the reference the tests compare with."""
    minhash = MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME, hashfunc=code_hash, permutations=_PERMUTATIONS)
    if len(codes):
        minhash.update_batch(codes)
    return LeanMinHash(minhash)


_A, _B = (np.asarray(part, dtype=np.uint32) for part in _PERMUTATIONS)
_EMPTY = reference_signature(np.empty(0, dtype=np.uint64)).hashvalues
_CHUNK = 8192  # shingles per step: bounded memory for the longest texts


def signature(codes: np.ndarray) -> LeanMinHash:
    """The MinHash of a shingle set, vectorised: the same values as datasketch's update_batch with
    ``code_hash`` (tests.applications.test_duplicates checks), several times faster."""
    if len(codes) == 0:
        return LeanMinHash(seed=SEED, hashvalues=_EMPTY, scheme=SCHEME)
    mixed = _fmix32(_fmix64(np.asarray(codes, dtype=np.uint64)).astype(np.uint32)).reshape(-1, 1)
    hashvalues = _EMPTY
    for start in range(0, len(mixed), _CHUNK):
        permuted = mixed[start:start + _CHUNK] * _A
        permuted += _B
        hashvalues = np.minimum(hashvalues, permuted.min(axis=0))
    return LeanMinHash(seed=SEED, hashvalues=hashvalues, scheme=SCHEME)


def to_bytes(minhash: LeanMinHash) -> bytes:
    return np.asarray(minhash.hashvalues, dtype="<u4").tobytes()


def from_bytes(data) -> LeanMinHash:
    return LeanMinHash(seed=SEED, hashvalues=np.frombuffer(bytes(data), dtype="<u4").astype(np.uint32),
                       scheme=SCHEME)


def jaccard(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    """(Jaccard, containment of the smaller set in the larger) of two shingle code arrays."""
    if len(a) == 0 or len(b) == 0:
        return 0.0, 0.0
    common = len(np.intersect1d(a, b, assume_unique=True))
    return common / (len(a) + len(b) - common), common / min(len(a), len(b))


def lsh_threshold(limit: float) -> float:
    """Candidates are proposed below the shown threshold: LSH is probabilistic, the exact Jaccard
    then decides. Recall weighs more than precision (a missed duplicate is the costly error)."""
    return max(0.05, min(0.95, limit * 0.8))


class DuplicateIndex:
    """One process's LSH index of application ids, kept in step with ApplicationFingerprint."""

    def __init__(self, limit: float):
        self.limit = limit
        self.lsh = MinHashLSH(threshold=lsh_threshold(limit), num_perm=NUM_PERM, weights=(0.3, 0.7))
        self.digests: dict[int, str] = {}
        self.signatures: dict[int, np.ndarray] = {}  # for the estimate that spares reading far candidates
        self.synced_at = None
        self.lock = threading.RLock()

    def __len__(self):
        return len(self.digests)

    def put(self, key: int, content_digest: str, minhash: LeanMinHash) -> None:
        with self.lock:
            if self.digests.get(key) == content_digest:
                return
            if key in self.digests:
                self.lsh.remove(key)
            self.lsh.insert(key, minhash, check_duplication=False)
            self.digests[key] = content_digest
            self.signatures[key] = minhash.hashvalues

    def candidates(self, minhash: LeanMinHash, floor: float = 0.0) -> list[int]:
        """Keys LSH proposes whose MinHash estimate of the Jaccard reaches ``floor``."""
        with self.lock:
            keys = self.lsh.query(minhash)
            return [key for key in keys if np.mean(self.signatures[key] == minhash.hashvalues) >= floor]

    def load(self) -> int:
        """Every stored signature (the first use in a process, or a rebuild)."""
        with self.lock:
            self.synced_at = timezone.now()
            rows = ApplicationFingerprint.objects.values_list("application_id", "digest", "hashvalues")
            with self.lsh.insertion_session() as session:
                for key, content_digest, data in rows.iterator(chunk_size=2000):
                    minhash = from_bytes(data)
                    session.insert(key, minhash, check_duplication=False)
                    self.digests[key] = content_digest
                    self.signatures[key] = minhash.hashvalues
            return len(self.digests)

    def sync(self) -> int:
        """Signatures stored or changed since the last sync (by any process); returns how many changed."""
        with self.lock:
            if self.synced_at is None:
                return self.load()
            since, self.synced_at = self.synced_at - SYNC_OVERLAP, timezone.now()
            recent = ApplicationFingerprint.objects.filter(updated_at__gte=since)
            changed = [key for key, content_digest in recent.values_list("application_id", "digest")
                       if self.digests.get(key) != content_digest]
            rows = ApplicationFingerprint.objects.filter(application_id__in=changed).values_list(
                "application_id", "digest", "hashvalues")
            for key, content_digest, data in rows.iterator(chunk_size=500) if changed else ():
                self.put(key, content_digest, from_bytes(data))
            return len(changed)


_index: DuplicateIndex | None = None
_index_lock = threading.Lock()


def get_index() -> DuplicateIndex:
    """This process's index, synced; a new one when the threshold setting changed."""
    global _index
    with _index_lock:
        if _index is None or _index.limit != threshold():
            _index = DuplicateIndex(threshold())
        index = _index
    index.sync()
    return index


def rebuild_index() -> DuplicateIndex:
    """Drops this process's index and loads every stored signature again."""
    global _index
    with _index_lock:
        _index = DuplicateIndex(threshold())
        index = _index
    index.load()
    return index


def reset_index() -> None:
    """Forget this process's index (tests: each test's database starts afresh)."""
    global _index
    with _index_lock:
        _index = None
