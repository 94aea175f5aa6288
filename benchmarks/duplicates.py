"""Duplicate detection by content: 10,000 applications indexed; one new application checked (goal ≤ 200 ms);
the index rebuilt (goal ≤ 60 s).

    .venv/bin/python benchmarks/duplicates.py [--apps 10000] [--runs 5] [--checks 30]

The applications are synthetic Chinese text of realistic length (about 4,000 characters over the name and
the nine narrative sections), drawn from a shared bank of phrases so that unrelated applications share
common shingles as real ones do ("质量攻关", "提升"...). They are bulk-created as submitted applications of
two years in a throw-away SQLite database (migrated on the fly) unless DATABASE_URL names another one.

Figures (medians of ``--runs``; the machine is shared, so also min and max):
  signatures   every signature computed from the text and stored: ``rebuild_duplicate_index --all``
  rebuild      the in-memory LSH index loaded from the stored signatures (``rebuild_index``: what a new
               process or ``rebuild_duplicate_index`` does after the signatures)
  check        services.duplicates.check_application of one new application against the warm index
               (fingerprint stored, LSH query, exact Jaccard of the candidates, pairs and passages
               written), for a near-duplicate of an indexed application and for an unrelated one
"""

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

CHECK_GOAL_MS = 200
REBUILD_GOAL_S = 60
# Lengths of the narrative sections (characters), about half their limits.
SECTION_CHARS = {"org_intro": 500, "background": 500, "objectives": 400, "quality_level": 400, "innovation": 700,
                 "effect_direct": 300, "effect_indirect": 300, "effect_green": 250, "effect_social": 300}
COMMON_CHARS = ("质量攻关提升产品技术工艺检测标准管理企业研发生产制造设备系统控制精度可靠性寿命效率成本能耗"
                "材料结构设计优化测试分析数据国内领先国际先进水平指标用户市场销售利润节约降低提高增长完成建立开发"
                "应用推广创新专利方法流程过程体系平台能力项目目标背景意义效果经济社会绿色排放安全稳定一致性合格率")


def phrase_bank(rng: random.Random, size=6000) -> list[str]:
    alphabet = COMMON_CHARS + "".join(chr(c) for c in rng.sample(range(0x4E00, 0x9FA5), 2500))
    return ["".join(rng.choice(alphabet) for _ in range(rng.randint(2, 6))) for _ in range(size)]


def fake_text(rng: random.Random, bank: list[str], chars: int) -> str:
    out, length = [], 0
    while length < chars:
        sentence = "".join(rng.choice(bank) for _ in range(rng.randint(5, 12))) + "。"
        out.append(sentence)
        length += len(sentence)
    return "".join(out)


def fake_fields(rng, bank, n) -> dict:
    fields = {name: fake_text(rng, bank, chars) for name, chars in SECTION_CHARS.items()}
    fields["project_name"] = f"{fake_text(rng, bank, 20)[:24]}质量攻关{n}"
    return fields


def create_applications(n: int, rng: random.Random, bank: list[str]):
    from django.utils import timezone

    from applications.models import Application, ApplicationStatus
    from portal.models import District, Organisation, Organiser, Programme
    from portal.models.programmes import Level

    organiser = Organiser.objects.create(name="基准测试主管部门（查重）", level=Level.MUNICIPAL)
    programmes = [Programme.objects.create(year=year, title=f"{year}年基准测试批次（查重）", organiser=organiser,
                                           organiser_names="上海市市场监督管理局") for year in (2098, 2099)]
    district, _new = District.objects.get_or_create(code="bench-dup", defaults={"name": "嘉定区", "order": 99})
    orgs = Organisation.objects.bulk_create([
        Organisation(credit_code=f"91310114DUP{i:07d}", name=f"基准查重测试企业{i}有限公司", email=f"d{i}@example.cn",
                     district=district)
        for i in range(500)
    ])
    now = timezone.now()
    started = time.perf_counter()
    texts = []
    batch = []
    for i in range(n):
        fields = fake_fields(rng, bank, i)
        texts.append(fields)
        batch.append(Application(programme=programmes[i % 2], organisation=orgs[i % 500],
                                 status=ApplicationStatus.SUBMITTED, submitted_at=now, **fields))
        if len(batch) == 1000:
            Application.objects.bulk_create(batch)
            batch = []
    Application.objects.bulk_create(batch)
    print(f"  {n} applications created in {time.perf_counter() - started:.1f} s "
          f"(mean {statistics.mean(sum(len(v) for v in t.values()) for t in texts):.0f} characters each)")
    return programmes, orgs, texts


def near_duplicate(rng: random.Random, bank, fields: dict) -> dict:
    """A reworded title and two sentences of each section rewritten."""
    changed = {}
    for name, text in fields.items():
        sentences = text.split("。")
        for _ in range(2):
            sentences[rng.randrange(len(sentences))] = "".join(rng.choice(bank) for _ in range(8))
        changed[name] = "。".join(sentences)
    changed["project_name"] = "新" + fields["project_name"][2:]
    return changed


def timed_cpu(fn) -> tuple[float, float]:
    """(wall, this process's CPU) seconds: on a shared machine the CPU time says what the work costs."""
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - wall, time.process_time() - cpu


def spread(values, unit="s", scale=1.0) -> str:
    values = [v * scale for v in values]
    return (f"median {statistics.median(values):.3f} {unit} "
            f"(min {min(values):.3f}, max {max(values):.3f}, n={len(values)})")


def measure(n: int, runs: int, checks: int) -> dict:
    from django.core.management import call_command
    from django.db import transaction

    from applications import duplicates_index
    from applications.models import Application, ApplicationStatus, DuplicateCandidate
    from applications.services import duplicates

    rng = random.Random(17)
    bank = phrase_bank(rng)
    with transaction.atomic():
        programmes, orgs, texts = create_applications(n, rng, bank)
        quiet = open(os.devnull, "w")
        signatures = [timed_cpu(lambda: call_command("rebuild_duplicate_index", "--all", stdout=quiet))
                      for _ in range(max(1, runs // 2))]
        rebuilds = [timed_cpu(duplicates_index.rebuild_index) for _ in range(runs)]
        index = duplicates_index.get_index()
        found, results = 0, {"near-duplicate": [], "unrelated": []}
        for i in range(checks):
            for kind in results:
                fields = (near_duplicate(rng, bank, texts[rng.randrange(n)]) if kind == "near-duplicate"
                          else fake_fields(rng, bank, n + i))
                fields["project_name"] = f"{fields['project_name']}·{kind}{i}"
                with transaction.atomic():
                    app = Application.objects.create(programme=programmes[1], organisation=orgs[i % 500],
                                                      status=ApplicationStatus.SUBMITTED, **fields)
                    results[kind].append(timed_cpu(lambda app=app: duplicates.check_application(app)))
                    if kind == "near-duplicate":
                        found += DuplicateCandidate.objects.filter(b=app).exists()
                    transaction.set_rollback(True)
        transaction.set_rollback(True)
    return {"signatures": signatures, "rebuilds": rebuilds, "checks": results, "found": found,
            "indexed": len(index), "bands": (index.lsh.b, index.lsh.r)}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--apps", type=int, default=10000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--checks", type=int, default=30)
    args = parser.parse_args(argv)

    scratch = None
    if "DATABASE_URL" not in os.environ:
        scratch = tempfile.TemporaryDirectory()
        os.environ["DATABASE_URL"] = f"sqlite:///{scratch.name}/bench.sqlite3"
    import django

    django.setup()
    if scratch:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
    try:
        r = measure(args.apps, args.runs, args.checks)
    finally:
        if scratch:
            scratch.cleanup()
    check_all = [wall for values in r["checks"].values() for wall, _cpu in values]
    print(f"  indexed: {r['indexed']} applications, LSH {r['bands'][0]} bands × {r['bands'][1]} rows")
    for label, pairs in (("signatures from text (rebuild_duplicate_index --all)", r["signatures"]),
                         ("index rebuilt from stored signatures", r["rebuilds"])):
        print(f"  {label}: wall {spread([w for w, _c in pairs])}; CPU {spread([c for _w, c in pairs])}")
    for kind, values in r["checks"].items():
        print(f"  one new application checked, {kind}: wall {spread([w for w, _c in values], 'ms', 1000)}; "
              f"CPU {spread([c for _w, c in values], 'ms', 1000)}")
    print(f"  near-duplicates found: {r['found']} of {args.checks}")
    check_ms = statistics.median(check_all) * 1000
    rebuild_s = statistics.median(w for w, _c in r["rebuilds"])
    ok = check_ms <= CHECK_GOAL_MS and rebuild_s <= REBUILD_GOAL_S and r["found"] == args.checks
    print(f"  check median {check_ms:.0f} ms (goal ≤ {CHECK_GOAL_MS}), rebuild median {rebuild_s:.1f} s "
          f"(goal ≤ {REBUILD_GOAL_S}): {'OK' if ok else 'MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
