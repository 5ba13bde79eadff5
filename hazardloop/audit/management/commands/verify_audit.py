from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from hazardloop.audit import checkpoints
from hazardloop.audit.choices import BreakKind
from hazardloop.audit.services import verify_chain

REASONS = {
    BreakKind.GAP: gettext_noop("序号不连续：缺少序号 %(expected)s 的记录（下一条记录的序号为 %(found)s）"),
    BreakKind.PREV_HASH: gettext_noop("前序哈希不符：应为 %(expected)s，记录中为 %(found)s"),
    BreakKind.HASH: gettext_noop("内容哈希不符，记录已被改动：按内容计算为 %(expected)s，记录中为 %(found)s"),
    BreakKind.TAIL: gettext_noop(
        "链尾与链头表不符：链头为 %(expected)s，链上最后一条为 %(found)s（最新记录被删除或改动）"
    ),
    BreakKind.CHECKPOINT: gettext_noop(
        "与外部检查点不符：检查点记载该序号的哈希为 %(expected)s，库中为 %(found)s"
        "（最新记录被删除、链头被回退或记录被重写）"
    ),
}


class Command(BaseCommand):
    help = "校验审计日志哈希链；完整时输出条数，否则指出第一处断裂的序号并以非零状态退出。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--checkpoint",
            action="store_true",
            help="校验通过后，把链头（序号与哈希）签名写入 AUDIT_CHECKPOINT_FILE（库外的检查点文件）。",
        )

    def handle(self, *args, **options):
        report = verify_chain()
        result = report.result
        if report.checkpoint_file_error is not None:
            raise CommandError(
                _("审计检查点文件 %(path)s 第 %(line)d 行无法识别或签名不符：该文件被改动或伪造。")
                % {"path": checkpoints.path(), "line": report.checkpoint_file_error.line_no}
            )
        broken = result.broken
        if broken is not None:
            reason = _(REASONS[broken.kind]) % {"expected": broken.expected, "found": broken.found}
            raise CommandError(
                _("审计日志链在序号 %(seq)d 处断裂：%(reason)s。此前 %(count)d 条记录校验通过。")
                % {"seq": broken.seq, "reason": reason, "count": result.count}
            )
        if result.count:
            span = _("序号 %(first)d–%(last)d") % {"first": result.first_seq, "last": result.last_seq}
        else:
            span = _("无记录")
        self.stdout.write(
            _("审计日志链完整：共校验 %(count)d 条记录（%(span)s，起点锚点序号 %(anchor)d）。")
            % {"count": result.count, "span": span, "anchor": report.anchor_seq}
        )
        # Written down outside the system (say, in the monthly meeting minutes), this value lets a
        # later check prove that nobody rebuilt the whole chain from here back.
        self.stdout.write(_("链头哈希：%(hash)s") % {"hash": result.last_hash})
        if checkpoints.path() is None:
            self.stdout.write(_("未设置 AUDIT_CHECKPOINT_FILE：没有库外检查点可比对。"))
        else:
            self.stdout.write(_("已比对库外检查点 %(count)d 个。") % {"count": report.checkpoints})
        if options["checkpoint"]:
            if checkpoints.path() is None:
                raise CommandError(_("未设置 AUDIT_CHECKPOINT_FILE，无法写入检查点。"))
            checkpoints.write(result.last_seq or report.anchor_seq, result.last_hash)
            self.stdout.write(
                _("已写入检查点：序号 %(seq)d → %(path)s")
                % {"seq": result.last_seq or report.anchor_seq, "path": checkpoints.path()}
            )
