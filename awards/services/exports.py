"""Spreadsheets and the ranking PDF. Callers decide who may have them (awards.job_handlers,
awards.visibility); these functions only build the files. Every row goes through
portal.exports.append: names people typed are text cells, never formulas."""

import hashlib
import io

from django.core.cache import cache
from django.db.models import Count, Max
from django.utils import timezone
from django.utils.translation import get_language
from openpyxl import Workbook

from portal.exports import append

from ..models import Award
from ..models.awards import AWARDED_TIERS, Tier
from . import ranking
from .pdf import render_pdf


def _round(value, digits=2):
    return None if value is None else round(value, digits)


def _bytes(wb) -> bytes:
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def score_sheet_xlsx(programme, *, anonymise: bool = False, progress=lambda p, m="": None) -> bytes:
    """Three sheets: every counted score (application × expert × criterion), the aggregates with flags
    and tiers, and the experts' bias. Expert names unless ``anonymise`` (then 专家1, 专家2 …)."""
    result = ranking.build(programme)
    data = result.data
    labels = data.expert_labels(anonymise)
    criteria = data.criteria
    wb = Workbook(write_only=True)
    detail = wb.create_sheet("评分明细")
    append(detail, ["排名", "项目名称", "申报单位", "专家"] + [f"{c.code} {c.name}（{c.max_points}）" for c in criteria]
                  + [f"{s.code} {s.name}小计" for s in data.sections] + ["总分"])
    for n, row in enumerate(result.rows, start=1):
        a = row.application
        for s in row.scores.scores:
            append(detail, [row.rank, a.project_name, a.header.get("name") or a.organisation.name,
                           labels.get(s.expert_id, "")] + [s.points.get(c.pk) for c in criteria]
                          + [_round(v) for v in s.sections] + [s.total])
        if n % 200 == 0:
            progress(int(60 * n / len(result.rows)), f"{n}/{len(result.rows)}")
    summary = wb.create_sheet("汇总")
    stat = data.settings.get_ranking_statistic_display()
    append(summary, [f"排名依据：{stat}；标准差为总体标准差；{result.tie_rule}"])
    append(summary, ["排名", "项目名称", "申报单位", "项目类别", "推荐单位", "有效评分数", "平均分", "中位数",
                    "去掉最高最低分平均分", "标准差", "极差", "标准化得分（z）", "标准化得分（分）", "专家分歧",
                    "拟定等级", "等级", "调整理由"]
                   + [f"{c.code} 平均" for c in criteria])
    for row in result.rows:
        a, t = row.application, row.scores.total
        recommender = a.recommender.name if a.recommender_id else "自行申报"
        append(summary, [row.rank, a.project_name, a.header.get("name") or a.organisation.name,
                        a.category.name if a.category_id else "", recommender,
                        t.n, _round(t.mean), _round(t.median), _round(t.trimmed_mean), _round(t.sd), _round(t.spread),
                        _round(row.scores.normalised_z, 3), _round(row.scores.normalised_points),
                        "是" if row.scores.disagreement else "", str(row.proposed_label), str(row.tier_label),
                        row.override.reason if row.override else ""]
                       + [_round(row.scores.criteria[c.pk].mean) for c in criteria])
    experts = wb.create_sheet("专家偏差")
    append(experts, ["专家", "参与比较的评分数", "平均偏差（分）", "z 值", "提示"])
    for pk, bias in sorted(data.experts.items(), key=lambda item: labels.get(item[0], "")):
        note = {"high": "系统性偏高", "low": "系统性偏低"}.get(bias.direction, "")
        append(experts, [labels.get(pk, ""), bias.n, _round(bias.bias), _round(bias.z, 3), note])
    progress(90, "")
    return _bytes(wb)


FORMAT = "text-cells"  # change when the file's content changes for the same awards


def published_awards(programme):
    return Award.objects.filter(programme=programme, tier__in=AWARDED_TIERS).order_by("tier", "rank", "pk")


def published_list_name(programme) -> str:
    return f"awards-{programme.year}-{programme.pk}.xlsx"


def published_list_xlsx(programme) -> bytes:
    """The public list: tier, project, organisation, category, recommender (no scores)."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(f"{programme.year}年成果名单")
    append(ws, [f"{programme.title} 成果名单"])
    append(ws, ["序号", "等级", "项目名称", "完成单位", "项目类别", "推荐单位"])
    for n, award in enumerate(published_awards(programme), start=1):
        append(ws, [n, str(Tier(award.tier).label), award.project_name, award.organisation_name, award.category_name,
                   award.recommender_name])
    return _bytes(wb)


def published_list_xlsx_cached(programme) -> bytes:
    """The public list for anyone who asks, built once per state of the published awards (and
    language): anonymous visitors cannot own a background job, and must not be able to make the
    server rebuild the file on every request. The key changes with any change to the awards."""
    state = Award.objects.filter(programme=programme).aggregate(n=Count("pk"), changed=Max("updated_at"))
    changed = state["changed"].isoformat() if state["changed"] else "-"
    title = hashlib.sha1(f"{programme.year}{programme.title}".encode()).hexdigest()[:12]  # its first row
    # FORMAT names the writer: a file cached by an earlier one (with formula cells) is never served.
    key = f"awards:published-xlsx:{FORMAT}:{programme.pk}:{state['n']}:{changed}:{title}:{get_language()}"
    content = cache.get(key)
    if content is None:
        content = published_list_xlsx(programme)
        cache.set(key, content, 60 * 60 * 24)
    return content


def ranking_pdf(programme) -> bytes:
    result = ranking.build(programme)
    return render_pdf("awards/pdf/ranking.html", {
        "programme": programme, "ranking": result, "generated": timezone.localtime(),
    })
