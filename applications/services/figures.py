"""Figures computed from the economic table: the one source of truth for the form page, the
PDF, and (later) the rubric's suggestion for criterion 3.1."""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext_lazy as _

ONE_PLACE = Decimal("0.1")


@dataclass(frozen=True)
class Growth:
    before: Decimal | None
    after: Decimal | None
    percent: Decimal | None  # one decimal place; None when it cannot be computed
    note: str = ""

    def __str__(self):
        if self.percent is None:
            return self.note
        sign = "+" if self.percent > 0 else ""
        return f"{sign}{self.percent}%"


def growth(before: Decimal | None, after: Decimal | None) -> Growth:
    """(after − before) / |before| × 100. Dividing by |before| keeps the sign meaningful when a
    loss turns into a profit (−10 → +10 is +200 %, not −200 %)."""
    if before is None or after is None:
        return Growth(before, after, None, str(_("攻关前后数据未填写完整，无法计算增长率")))
    if before == 0:
        return Growth(before, after, None, str(_("攻关前为0，无法计算增长率")))
    percent = ((after - before) / abs(before) * 100).quantize(ONE_PLACE, rounding=ROUND_HALF_UP)
    return Growth(before, after, percent)


def economic_growth(application) -> dict[str, Growth]:
    """Growth of sales (销售额) and profit (利润) over the 12 months after the improvement."""
    return {
        "sales": growth(application.sales_before, application.sales_after),
        "profit": growth(application.profit_before, application.profit_after),
    }
